import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, generatePlan, loadFixture, realShapes } from '../../bench/plan-review/generate-plan';
import { changeKind } from '../../src/plan-review/counts';
import { parsePlan } from '../../src/plan-review/plan';
import { readPlanSpec, reviewPlans, StackPlan } from '../../src/plan-review/review';
import { splitComments } from '../../src/plan-review/split';
import { chunkProblems, detailAddresses, sensitiveLeaks } from './checks';

const stack = (name: string, plan: unknown): StackPlan => ({ name, plan: parsePlan(JSON.stringify(plan), name) });
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('splitting reviews several times over the comment limit', () => {
  it('2,000 changes from real shapes: every chunk ≤ 65,536, nothing cut, every resource exactly once', () => {
    const plan = generatePlan(2_000);
    const { comments } = reviewPlans([stack('network', plan)], { maxComments: 1_000 });
    expect(comments.length).toBeGreaterThan(15);
    expect(chunkProblems(comments)).toEqual([]);
    const expected = [...plan.resource_changes]
      .map((rc: any, i: number) => ({ rc, i, o: ['delete', 'replace', 'forget', 'update', 'create', 'read', 'noop'].indexOf(changeKind(rc.change.actions)) }))
      .sort((a, b) => a.o - b.o || a.i - b.i)
      .map((x) => x.rc.address);
    expect(detailAddresses(comments)).toEqual(expected);
    expect(comments[0]).toContain('**1 stack: ');
    expect(sensitiveLeaks(plan, comments)).toEqual([]);
  });

  it('beyond max-comments: destroys are listed first, the rest is counted in a note, nothing lost silently', () => {
    const plan = generatePlan(5_000);
    const { comments, markdown, jobSummary } = reviewPlans([stack('network', plan)], { runUrl: 'https://github.com/acme/estate/actions/runs/1' });
    expect(comments).toHaveLength(10);
    expect(chunkProblems(comments)).toEqual([]);
    const all = comments.join('\n');
    const destroying = plan.resource_changes.filter((rc: any) => rc.change.actions.includes('delete')).length;
    expect((all.match(/\| \*\*(destroy|replace)\*\*/g) ?? []).length).toBe(destroying);
    const note = /\*\*Not shown:\*\* ([\d,]+) resource diffs — the review is longer than 10 comments\. The full plan is in the artifacts of \[the workflow run\]\(https:\/\/github\.com\/acme\/estate\/actions\/runs\/1\)\./.exec(comments[9]);
    expect(note).not.toBeNull();
    expect(detailAddresses(comments).length + Number(note![1].replace(/,/g, ''))).toBe(5_000);
    // The whole review is 5 MB; the job summary is its prefix cut between blocks at 1 MiB (bytes),
    // the summary and the destroy table first, with a note counting the rest.
    expect(detailAddresses([markdown])).toHaveLength(5_000);
    expect(Buffer.byteLength(markdown)).toBeGreaterThan(4 * 1_048_576);
    expect(Buffer.byteLength(jobSummary)).toBeLessThanOrEqual(1_048_576);
    expect(Buffer.byteLength(jobSummary)).toBeGreaterThan(1_000_000);
    expect(jobSummary).toMatch(/^## Terraform plan review\n\n\*\*1 stack: /);
    expect(jobSummary).toContain('### Destroyed and replaced');
    expect(chunkProblems([jobSummary], Infinity)).toEqual([]);
    const summaryNote = /\*\*Not shown:\*\* ([\d,]+) resource diffs — the review is longer than the job summary allows \(1,048,576 bytes\)\. The full plan is in the artifacts of \[the workflow run\]/.exec(jobSummary);
    expect(summaryNote).not.toBeNull();
    const inSummary = detailAddresses([jobSummary]).length;
    expect(inSummary).toBeGreaterThan(0);
    expect(inSummary + Number(summaryNote![1].replace(/,/g, ''))).toBe(5_000);
    expect(markdown.startsWith(jobSummary.slice(0, jobSummary.indexOf('\n\n---\n**Not shown:**')))).toBe(true);
  });

  it('a single resource bigger than a comment is shortened inside its block, never split', () => {
    const plan = clone(loadFixture('snyk-aws-mixed-drift.json'));
    const update = plan.resource_changes.find((rc: any) => rc.change.actions[0] === 'update');
    const statements = Array.from({ length: 3_000 }, (_, i) => ({ Sid: `Allow${i}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::111111111111:role/r${i}` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::b/${i}/*` }));
    update.change.after.policy = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    const { comments } = reviewPlans([stack('vm-import', plan)]);
    expect(chunkProblems(comments)).toEqual([]);
    expect(comments.join('\n')).toMatch(/# … \d+ more lines not shown: the full plan is in the workflow artifact/);
  });

  it('values containing ``` get a longer fence, so they cannot close the code block', () => {
    const plan = clone(loadFixture('borchero-create-300.json'));
    plan.resource_changes = plan.resource_changes.slice(0, 2);
    plan.resource_changes[0].change.after.content = 'line\n```\n</details>\n# not a heading';
    const { comments } = reviewPlans([stack('x', plan)]);
    expect(chunkProblems(comments)).toEqual([]);
    expect(comments[0]).toContain('````diff');
  });
});

describe('masking beyond the *_sensitive markers', () => {
  it('scrubs the plan\'s sensitive cleartext from non-sensitive strings, AWS keys and configured patterns', () => {
    const plan = clone(loadFixture('borchero-replace-sensitive.json'));
    const test2 = plan.resource_changes.find((rc: any) => rc.address === 'local_file.test2');
    test2.change.actions = ['update'];
    // The sensitive content of local_file.test, pasted into a non-sensitive attribute, plus a key.
    test2.change.after.content = 'export SECRET=foobar-42\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\ninternal-ticket: OPS-123456';
    const { comments } = reviewPlans([stack('s', plan)], { maskPatterns: [/OPS-\d+/g] });
    const text = comments.join('\n');
    expect(text).toContain('+     export SECRET=(sensitive value)');
    expect(text).toContain('+     export AWS_ACCESS_KEY_ID=(masked)');
    expect(text).toContain('+     internal-ticket: (masked)');
    expect(text).not.toMatch(/foobar-42|AKIAIOSFODNN7EXAMPLE|OPS-123456/);
    expect(sensitiveLeaks(plan, comments)).toEqual([]);
  });

  it('sensitive outputs (flag in configuration only, or after_sensitive) and nested sensitive attributes', () => {
    const plan = clone(loadFixture('tf-summarize-github-drift.json'));
    plan.output_changes.db_password = { actions: ['create'], before: null, after: 's3cr3t-password', after_unknown: false, before_sensitive: false, after_sensitive: true };
    const repo = plan.resource_changes.find((rc: any) => rc.change.actions[0] === 'create' && rc.type === 'github_repository');
    repo.change.after.template = [{ owner: 'acme', repository: 'private-template-name' }];
    repo.change.after_sensitive = { ...repo.change.after_sensitive, template: [{ repository: true }] };
    const { comments } = reviewPlans([stack('s', plan)]);
    const text = comments.join('\n');
    expect(text).toMatch(/\+ db_password\s+= \(sensitive value\)/);
    expect(text).toMatch(/\+ template\[0\]\.repository\s+= \(sensitive value\)/);
    expect(text).toMatch(/\+ template\[0\]\.owner\s+= "acme"/);
    expect(sensitiveLeaks(plan, comments)).toEqual([]);
  });
});

describe('masking leaks found by review (crafted from the real fixture shapes)', () => {
  /**
   * Three stacks reviewed together. `files` (borchero's sensitive local files) holds the secrets
   * as sensitive values; `network` (snyk's S3 buckets) reuses them where nothing marks them: as a
   * tag key that forces a replacement, in a bucket policy (JSON-escaped there), as an import ID;
   * `mgn` shows one of them inside a plain string.
   */
  const SECRET_KEY = 'S3cr3tValue';
  const QUOTED = 'Pa"ss\\w0rd!';
  const IMPORT_ID = 'imp0rt-id-secret';
  const NUMBER = 987654321;
  function crafted() {
    const files = clone(loadFixture('borchero-replace-sensitive.json'));
    const test = files.resource_changes.find((rc: any) => rc.address === 'local_file.test');
    test.change.after.content = SECRET_KEY;
    test.change.after.sensitive_content = QUOTED;
    const test3 = files.resource_changes.find((rc: any) => rc.address === 'local_file.test3');
    test3.change.after.sensitive_content = IMPORT_ID;
    test3.change.after.file_permission = NUMBER;
    test3.change.after_sensitive.file_permission = true;
    // A short sensitive value: masked where it is sensitive, not scrubbed elsewhere.
    test3.change.after.directory_permission = 'ab12';
    test3.change.after_sensitive.directory_permission = true;

    const network = clone(loadFixture('snyk-aws-mixed-drift.json'));
    const update = network.resource_changes.find((rc: any) => rc.change.actions[0] === 'update');
    update.change.after.tags = { [SECRET_KEY]: 'x', ab12: 'short key' };
    // A sensitive boolean: masked structurally (true/false are never scrubbed as text).
    update.change.after.force_destroy = true;
    update.change.after_sensitive = { ...update.change.after_sensitive, force_destroy: true };
    update.change.after.policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:UserAgent': QUOTED } } }] });
    const replaced = network.resource_changes.find((rc: any) => rc.change.actions[0] === 'delete');
    replaced.change.actions = ['delete', 'create'];
    replaced.action_reason = 'replace_because_cannot_update';
    replaced.change.after = { ...clone(replaced.change.before), tags: { [SECRET_KEY]: 'y' } };
    replaced.change.replace_paths = [['tags', SECRET_KEY]];
    const created = network.resource_changes.find((rc: any) => rc.change.actions[0] === 'create');
    created.change.importing = { id: IMPORT_ID };
    created.change.after.object_lock_days = NUMBER;

    const mgn = clone(loadFixture('tfplan-validator-create-before-destroy.json'));
    mgn.resource_changes[0].change.after.content = `config for ${SECRET_KEY} and ${QUOTED}`;
    return { files, network, mgn };
  }

  it('masks secrets used as map keys, in forced-by paths, import IDs, JSON-escaped policies, numbers and across stacks', () => {
    const { files, network, mgn } = crafted();
    const { comments } = reviewPlans([stack('network', network), stack('files', files), stack('mgn', mgn)]);
    const text = comments.join('\n');
    expect(sensitiveLeaks([network, files, mgn], comments)).toEqual([]);
    expect(text).toContain('forced by <code>tags[&quot;(sensitive value)&quot;]</code>');
    expect(text).toMatch(/^\+ tags\["\(sensitive value\)"\] += "y" {3}# forces replacement$/m);
    expect(text).toContain('| <code>aws_s3_bucket.create_bucket</code> | imported from ID <code>(sensitive value)</code> |');
    expect(text).toContain('<code>aws_s3_bucket.create_bucket</code> will be created, imported from ID <code>(sensitive value)</code></summary>');
    expect(text).toContain('"aws:UserAgent": "(sensitive value)"');
    expect(text).toMatch(/^\+ object_lock_days +\= \(sensitive value\)$/m);
    expect(text).toMatch(/^! file_permission +\= "0777" -> \(sensitive value\)$/m);
    expect(text).toMatch(/^! force_destroy +\= false -> \(sensitive value\)$/m);
    expect(text).toContain('config for (sensitive value) and (sensitive value)');
    // Short: masked structurally, and as a whole map key, but not scrubbed out of other text.
    expect(text).toMatch(/^! directory_permission +\= "0777" -> \(sensitive value\)$/m);
    expect(text).toMatch(/^\+ tags\["\(sensitive value\)"\] += "short key"$/m);
  });

  it('masks a secret in the address of a migration-critical change (a for_each key), in review.critical too', () => {
    const { files, network } = crafted();
    const replaced = network.resource_changes.find((rc: any) => rc.change.actions.join() === 'delete,create');
    replaced.address = `aws_s3_bucket.staging["${SECRET_KEY}"]`;
    replaced.index = SECRET_KEY;
    const review = reviewPlans([stack('network', network), stack('files', files)], { criticalRules: [{ type: 'aws_s3_bucket', why: 'staging bucket' }] });
    expect(review.summary.guard_tripped).toBe(true);
    expect(review.critical.map((c) => c.address)).toContain('aws_s3_bucket.staging["(sensitive value)"]');
    expect(JSON.stringify(review.critical)).not.toContain(SECRET_KEY);
    expect(review.comments.join('\n')).not.toContain(SECRET_KEY);
  });

  it('the leak check finds each of those leaks in an unmasked rendering', () => {
    const { files, network, mgn } = crafted();
    const plans = [network, files, mgn];
    const leaks = (line: string) => sensitiveLeaks(plans, [line]);
    expect(leaks(`+ tags.${SECRET_KEY} = "x"`)).not.toEqual([]);
    expect(leaks('+ tags.ab12 = "short key"')).not.toEqual([]);
    expect(leaks('| x | y | **replace** | forced by <code>tags.ab12</code> |')).not.toEqual([]);
    expect(leaks(`imported from ID <code>${IMPORT_ID}</code>`)).not.toEqual([]);
    expect(leaks(`+     "aws:UserAgent": ${JSON.stringify(QUOTED)}`)).not.toEqual([]);
    expect(leaks(`<code>${QUOTED.replace(/"/g, '&quot;')}</code>`)).not.toEqual([]);
    expect(leaks(`+ object_lock_days = ${NUMBER}`)).not.toEqual([]);
    expect(leaks('+ user_data = "AKIAIOSFODNN7EXAMPLE"')).not.toEqual([]);
    expect(leaks('+ tags.Name = "ordinary"')).toEqual([]);
  });
});

describe('action kinds and absent keys', () => {
  it('forget (removed blocks) and create-then-forget; a plan without resource_changes or output_changes', () => {
    const plan = clone(loadFixture('tfplan-validator-multienv-dev3.json'));
    const del = plan.resource_changes.find((rc: any) => rc.change.actions[0] === 'delete');
    del.change.actions = ['forget'];
    delete del.action_reason;
    const cf = clone(del);
    cf.address = 'module.environment.local_file.bar[1]';
    cf.change.actions = ['create', 'forget'];
    plan.resource_changes.push(cf);
    const r = reviewPlans([stack('a', plan), stack('b', { format_version: '1.2' }), stack('c', { format_version: '1.2', resource_changes: [] })]);
    expect(r.summary.stacks.map((s) => s.counts)).toEqual([
      { create: 0, update: 0, delete: 0, replace: 1, import: 0, move: 0, forget: 1, read: 0, noop: 1 },
      { create: 0, update: 0, delete: 0, replace: 0, import: 0, move: 0, forget: 0, read: 0, noop: 0 },
      { create: 0, update: 0, delete: 0, replace: 0, import: 0, move: 0, forget: 0, read: 0, noop: 0 },
    ]);
    const text = r.comments.join('\n');
    expect(text).toContain('| <code>a</code> | <code>module.environment.local_file.foo[0]</code> | removed from state, not destroyed |');
    expect(text).toContain('must be replaced (the old object is forgotten, not destroyed)');
    expect(r.summary.has_changes).toBe(true);
  });
});

describe('migration-critical guard (default rules)', () => {
  /** Real AWS change shapes (snyk's S3 buckets) retyped as the resources the guard protects. */
  function planWith(entries: Array<[type: string, actions: string[]]>): unknown {
    const shape = realShapes().find((rc) => rc.type === 'aws_s3_bucket' && rc.change.actions[0] === 'delete');
    return {
      format_version: '1.2',
      resource_changes: entries.map(([type, actions], i) => ({ ...clone(shape), address: `${type}.r${i}`, type, name: `r${i}`, change: { ...clone(shape.change), actions, after: actions.includes('create') ? shape.change.before : null } })),
    };
  }

  it('trips on deletes/replaces of KMS keys, endpoints, staging subnets and the MGN templates stack, in their stacks only', () => {
    const r = reviewPlans([
      stack('network', planWith([['aws_subnet', ['delete']], ['aws_vpc_endpoint', ['delete', 'create']], ['aws_route_table', ['delete']], ['aws_subnet', ['update']]])),
      stack('security', planWith([['aws_kms_key', ['create', 'delete']], ['aws_kms_alias', ['delete']], ['aws_subnet', ['delete']]])),
      stack('mgn', planWith([['aws_cloudformation_stack', ['delete', 'create']], ['aws_route53_resolver_endpoint', ['delete']]])),
    ]);
    expect(r.critical.map((c) => `${c.stack}:${c.address}:${c.action}`)).toEqual([
      'network:aws_subnet.r0:delete',
      'network:aws_vpc_endpoint.r1:replace',
      'security:aws_kms_key.r0:replace',
      'security:aws_kms_alias.r1:delete',
      'mgn:aws_cloudformation_stack.r0:replace',
      'mgn:aws_route53_resolver_endpoint.r1:delete',
    ]);
    expect(r.summary.guard_tripped).toBe(true);
    expect(r.comments[0]).toContain('> [!CAUTION]');
    expect(r.comments[0]).toContain('<code>network: aws_subnet.r0</code> (delete): staging subnet');
  });

  it('the override label turns the failure into a warning; guard_tripped is false', () => {
    const r = reviewPlans([stack('network', planWith([['aws_subnet', ['delete']]]))], { overridden: true, overrideLabel: 'migration-ok' });
    expect(r.summary.guard_tripped).toBe(false);
    expect(r.critical).toHaveLength(1);
    expect(r.comments[0]).toContain('> [!WARNING]\n> **Migration-critical resources would be destroyed.** The pull request carries <code>migration-ok</code>: the review passes.');
  });
});

describe('splitComments', () => {
  const header = (p: number, n: number) => `<!-- part ${p} of ${n} -->`;

  it('packs blocks in order, keeps a heading with its next block, and never exceeds the limit', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => ({ text: `${i % 10 === 0 ? '### heading' : `block ${i} `.repeat(20 + ((i * 37) % 90))}`, keepWithNext: i % 10 === 0, label: 'blocks' }));
    const parts = splitComments(blocks, { limit: 5_000, maxComments: 100, header });
    expect(parts.length).toBeGreaterThan(5);
    parts.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(5_000);
      expect(p.startsWith(header(i + 1, parts.length))).toBe(true);
      expect(p.trimEnd().endsWith('### heading')).toBe(false);
    });
    const seen = parts.join('\n').match(/block \d+ /g)!.filter((b, i, a) => a.indexOf(b) === i);
    expect(seen).toEqual(blocks.filter((b) => !b.keepWithNext).map((b) => b.text.slice(0, b.text.indexOf(' ', 6) + 1)));
  });

  it('refuses a block that cannot fit (blocks are capped before splitting)', () => {
    expect(() => splitComments([{ text: 'x'.repeat(10_000), label: 'huge' }], { limit: 5_000, header })).toThrow(/does not fit in one comment/);
  });
});

describe('readPlanSpec (the action\'s `plans` input)', () => {
  it('reads STACK=PATH lines, bare paths and directories of <stack>.json; skips blanks and comments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-plan-spec-'));
    mkdirSync(join(dir, 'plans'));
    copyFileSync(join(fixturesDir(), 'borchero-empty.json'), join(dir, 'plans', 'network.json'));
    copyFileSync(join(fixturesDir(), 'tfjson-moved-block.json'), join(dir, 'plans', 'security.json'));
    const stacks = readPlanSpec([`mgn=${join(fixturesDir(), 'cds-snc-import-aws.json')}`, '', '# the directory written by infra-plan', join(dir, 'plans'), join(fixturesDir(), 'borchero-create-300.json')]);
    expect(stacks.map((s) => s.name)).toEqual(['mgn', 'network', 'security', 'borchero-create-300']);
    expect(() => readPlanSpec([join(dir, 'missing')])).toThrow(/missing: cannot read the plan: ENOENT/);
    expect(() => readPlanSpec(['', '# nothing'])).toThrow(/no plan files given/);
  });
});

describe('incomplete plans and deposed objects', () => {
  it('warns when Terraform errored while planning, and lists a deposed object\'s delete with its key', () => {
    const plan = clone(loadFixture('tfplan-validator-multienv-dev3.json'));
    plan.errored = true;
    const del = plan.resource_changes.find((rc: any) => rc.change.actions[0] === 'delete');
    del.deposed = '00000001';
    delete del.action_reason;
    const r = reviewPlans([stack('network', plan)]);
    const text = r.comments.join('\n');
    expect(text).toContain('> [!CAUTION]\n> Terraform reported errors while planning <code>network</code>: the plan is incomplete.');
    expect(text).toContain('| **destroy** | deposed object <code>00000001</code> |');
    expect(text).toContain('<code>module.environment.local_file.foo[0] (deposed 00000001)</code> will be <b>destroyed</b>');
  });
});
