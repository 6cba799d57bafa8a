import { readdirSync } from 'node:fs';
import { fixturesDir, loadFixture } from '../../bench/plan-review/generate-plan';
import { ResourceCounts } from '../../src/plan-review/counts';
import { parsePlan } from '../../src/plan-review/plan';
import { reviewPlans } from '../../src/plan-review/review';
import { chunkProblems, detailAddresses, sensitiveLeaks, sensitiveLeaves } from './checks';

/**
 * Every real plan of test/fixtures/terraform-plans (real plans, each with its source in PROVENANCE.md). Expected counts come from reading each
 * plan and its PROVENANCE.md entry (e.g. cds-snc's expected "Plan: 2 to import, 1 to add, 0 to
 * change, 0 to destroy"), not from running the code.
 */
const zero: ResourceCounts = { create: 0, update: 0, delete: 0, replace: 0, import: 0, move: 0, forget: 0, read: 0, noop: 0 };
const EXPECTED: Record<string, { counts: Partial<ResourceCounts>; outputs?: { create?: number }; destroy: boolean; changes: boolean }> = {
  'tfjson-basic-v012.json': { counts: { create: 7, read: 1 }, outputs: { create: 8 }, destroy: false, changes: true },
  'tfjson-moved-block.json': { counts: { move: 1 }, destroy: false, changes: true },
  'borchero-replace-sensitive.json': { counts: { replace: 2, noop: 1 }, destroy: true, changes: true },
  'borchero-empty.json': { counts: {}, destroy: false, changes: false },
  'borchero-create-300.json': { counts: { create: 300 }, destroy: false, changes: true },
  'tfplan-validator-create-before-destroy.json': { counts: { replace: 1 }, destroy: true, changes: true },
  'tfplan-validator-multienv-dev3.json': { counts: { delete: 1, noop: 1 }, destroy: true, changes: true },
  'cds-snc-import-aws.json': { counts: { import: 2, create: 1 }, destroy: false, changes: true },
  'snyk-aws-mixed-drift.json': { counts: { create: 1, update: 1, delete: 1, noop: 1 }, destroy: true, changes: true },
  'tf-summarize-github-drift.json': { counts: { create: 7, noop: 1 }, outputs: { create: 1 }, destroy: false, changes: true },
};

describe('plan review of every real plan in the shared fixtures', () => {
  const dir = fixturesDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

  it('has an expectation for every fixture (a new fixture must be added here)', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  const reviews = new Map(files.map((f) => [f, reviewPlans([{ name: f.replace(/\.json$/, ''), plan: parsePlan(JSON.stringify(loadFixture(f)), f) }])]));

  it.each(Object.keys(EXPECTED))('%s: counts per kind, outputs, has_changes/has_destroy', (file) => {
    const e = EXPECTED[file];
    const { summary } = reviews.get(file)!;
    expect(summary.stacks).toEqual([{ name: file.replace(/\.json$/, ''), counts: { ...zero, ...e.counts }, outputs: { create: 0, update: 0, delete: 0, ...e.outputs } }]);
    expect(summary.has_destroy).toBe(e.destroy);
    expect(summary.has_changes).toBe(e.changes);
  });

  it.each(Object.keys(EXPECTED))('%s: no sensitive value from the plan appears in any comment', (file) => {
    const plan = loadFixture(file);
    expect(sensitiveLeaks(plan, reviews.get(file)!.comments)).toEqual([]);
  });

  it('the fixtures really carry sensitive cleartext (so the leak check can fail)', () => {
    const values = files.flatMap((f) => sensitiveLeaves(loadFixture(f)).map((l) => l.value));
    expect(values).toEqual(expect.arrayContaining(['foo-42', 'foobar-42', 42, 'bar']));
    // The check itself catches an unmasked rendering.
    const plan = loadFixture('borchero-replace-sensitive.json');
    expect(sensitiveLeaks(plan, ['! content = "foo-42" -> "foobar-42"'])).not.toEqual([]);
  });

  it.each(Object.keys(EXPECTED))('%s: every comment ≤ 65,536 characters, no cut code block or <details>, summary first', (file) => {
    const { comments } = reviews.get(file)!;
    expect(chunkProblems(comments)).toEqual([]);
    expect(comments[0]).toMatch(/^<!-- rehost-factory:plan-review id=plan-review part=1 -->\n\n## Terraform plan review\n/);
    expect(comments[0]).toContain('| Stack | Create | Update | Replace | Destroy |');
  });

  it('shows replacements once with their reason and forcing attribute, and both replace orders', () => {
    const rs = reviews.get('borchero-replace-sensitive.json')!.comments.join('\n');
    expect(rs).toContain('| <code>local_file.test</code> | **replace** (delete, then create) | an attribute that cannot change in place changed; forced by <code>content</code> |');
    expect(rs).toMatch(/! content += <<EOT {3}# forces replacement\n- {5}normal line\n- {7}- line with hyphen/);
    const cbd = reviews.get('tfplan-validator-create-before-destroy.json')!.comments.join('\n');
    expect(cbd).toContain('**replace** (create, then delete)');
    expect(cbd).toContain('<code>+/-</code> <code>local_file.foo</code> must be <b>replaced</b> (create, then destroy)');
    const dev3 = reviews.get('tfplan-validator-multienv-dev3.json')!.comments.join('\n');
    expect(dev3).toContain('| <code>module.environment.local_file.foo[0]</code> | **destroy** | its count index no longer exists |');
  });

  it('shows moves, imports, reads, drift and unknown values', () => {
    const moved = reviews.get('tfjson-moved-block.json')!.comments.join('\n');
    expect(moved).toContain('| <code>random_id.test2</code> | moved from <code>random_id.test</code> |');
    const imported = reviews.get('cds-snc-import-aws.json')!.comments.join('\n');
    expect(imported).toMatch(/\*\*1 stack: 1 to create, 2 to import\.\*\*/);
    expect(imported.match(/imported from ID <code>[^<]+<\/code>/g)?.length).toBe(4);
    const basic = reviews.get('tfjson-basic-v012.json')!.comments.join('\n');
    expect(basic).toContain('<code>&lt;=</code> <code>data.null_data_source.baz</code> will be read during apply');
    expect(basic).toMatch(/\+ foo +=\s+\(sensitive value\)/);
    expect(basic).toMatch(/\+ interpolated +=\s+\(known after apply\)/);
    const drift = reviews.get('tf-summarize-github-drift.json')!.comments.join('\n');
    expect(drift).toContain('### Changed outside Terraform');
    expect(drift.match(/deleted outside Terraform/g)?.length).toBe(3);
  });

  it('an empty plan (no resource_changes key) reviews as "no changes"', () => {
    const { comments, summary } = reviews.get('borchero-empty.json')!;
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain('**1 stack: no changes.**');
    expect(summary.has_changes).toBe(false);
  });

  it('the 300-create plan splits into several comments, every resource exactly once, in order', () => {
    const { comments } = reviews.get('borchero-create-300.json')!;
    expect(comments.length).toBeGreaterThanOrEqual(3);
    const addresses = detailAddresses(comments);
    expect(addresses).toEqual(loadFixture('borchero-create-300.json').resource_changes.map((rc: any) => rc.address));
    comments.slice(1).forEach((c, i) => expect(c).toMatch(new RegExp(`^<!-- rehost-factory:plan-review id=plan-review part=${i + 2} -->\\n### Terraform plan review \\(continued, part ${i + 2} of ${comments.length}\\)`)));
  });
});
