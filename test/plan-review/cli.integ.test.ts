import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, loadFixture } from '../../bench/plan-review/generate-plan';
import { runCli } from '../../src/cli';

/** The CLI contract other tools depend on: files written, exact summary.json shape, exit codes. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('rehost-factory plan-review (CLI contract)', () => {
  const dir = fixturesDir();
  const tmp = mkdtempSync(join(tmpdir(), 'rehost-plan-review-cli-'));
  const f = (name: string) => join(dir, name);

  it('writes comment-1..N.md and summary.json with exactly the contract shape; stacks named by --name, else by file', async () => {
    const out = join(tmp, 'multi');
    const r = await cli('plan-review', f('snyk-aws-mixed-drift.json'), f('borchero-create-300.json'), f('tf-summarize-github-drift.json'), '--name', 'network', '--name', 'security', '--out', out);
    expect(r).toMatchObject({ code: 0 });
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toStrictEqual({
      stacks: [
        { name: 'network', counts: { create: 1, update: 1, delete: 1, replace: 0, import: 0, move: 0, forget: 0, read: 0, noop: 1 }, outputs: { create: 0, update: 0, delete: 0 } },
        { name: 'security', counts: { create: 300, update: 0, delete: 0, replace: 0, import: 0, move: 0, forget: 0, read: 0, noop: 0 }, outputs: { create: 0, update: 0, delete: 0 } },
        { name: 'tf-summarize-github-drift', counts: { create: 7, update: 0, delete: 0, replace: 0, import: 0, move: 0, forget: 0, read: 0, noop: 1 }, outputs: { create: 1, update: 0, delete: 0 } },
      ],
      has_changes: true,
      has_destroy: true,
      guard_tripped: false,
    });
    // Key order is part of the contract (tools diff the file).
    expect(Object.keys(summary)).toEqual(['stacks', 'has_changes', 'has_destroy', 'guard_tripped']);
    expect(Object.keys(summary.stacks[0].counts)).toEqual(['create', 'update', 'delete', 'replace', 'import', 'move', 'forget', 'read', 'noop']);
    const comments = readdirSync(out).filter((n) => n.startsWith('comment-')).sort((a, b) => parseInt(a.slice(8), 10) - parseInt(b.slice(8), 10));
    expect(comments.length).toBeGreaterThanOrEqual(3);
    expect(comments).toEqual(comments.map((_, i) => `comment-${i + 1}.md`));
    for (const c of comments) expect(readFileSync(join(out, c), 'utf8').length).toBeLessThanOrEqual(65_536);
    expect(readFileSync(join(out, 'comment-1.md'), 'utf8')).toContain('**3 stacks: 308 to create, 1 to update, 1 to destroy, 1 output change.**');
  });

  it('a second, shorter review into the same directory leaves no stale comment files', async () => {
    const out = join(tmp, 'multi');
    expect((await cli('plan-review', f('borchero-empty.json'), '--out', out)).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['comment-1.md', 'summary.json']);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toStrictEqual({
      stacks: [{ name: 'borchero-empty', counts: { create: 0, update: 0, delete: 0, replace: 0, import: 0, move: 0, forget: 0, read: 0, noop: 0 }, outputs: { create: 0, update: 0, delete: 0 } }],
      has_changes: false,
      has_destroy: false,
      guard_tripped: false,
    });
  });

  it('exit 0 with guard_tripped when a critical resource would be replaced (a custom --critical rule)', async () => {
    const out = join(tmp, 'guard');
    const r = await cli('plan-review', f('borchero-replace-sensitive.json'), '--name', 'network', '--critical', 'type=local_file # the estate file', '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toContain('guard tripped: 2 migration-critical resources would be destroyed or replaced');
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).guard_tripped).toBe(true);
    expect(readFileSync(join(out, 'comment-1.md'), 'utf8')).toMatch(/> \[!CAUTION\]\n> \*\*Migration-critical resources would be destroyed or replaced\.\*\* The review fails unless the pull request carries the label <code>allow-critical-infra-change<\/code>\./);
  });

  it('exit 2 with a clear message on unreadable or invalid input', async () => {
    const bad = join(tmp, 'bad');
    writeFileSync(join(tmp, 'truncated.json'), '{"format_version":"1.2","resource_changes":[{"address":"a.b"');
    writeFileSync(join(tmp, 'state.json'), JSON.stringify({ format_version: '1.0', values: {} }));
    writeFileSync(join(tmp, 'actions.json'), JSON.stringify({ format_version: '1.2', resource_changes: [{ address: 'aws_vpc.x', change: { actions: ['explode'] } }] }));
    // Known action names in combinations Terraform never writes, in a real plan's shapes.
    const combo = (actions: string[], where: 'resource' | 'drift' | 'output') => {
      const plan = loadFixture('snyk-aws-mixed-drift.json');
      if (where === 'output') plan.output_changes = { bucket_arn: { actions, before: null, after: 'x', after_unknown: false, before_sensitive: false, after_sensitive: false } };
      else plan[where === 'drift' ? 'resource_drift' : 'resource_changes'] = [plan.resource_changes[0], { ...plan.resource_changes[1], change: { ...plan.resource_changes[1].change, actions } }];
      const file = join(tmp, `combo-${where}-${actions.join('-')}.json`);
      writeFileSync(file, JSON.stringify(plan));
      return file;
    };
    const badField = (edit: (rc: any) => void, name: string) => {
      const plan = loadFixture('borchero-replace-sensitive.json');
      edit(plan.resource_changes[0]);
      const file = join(tmp, `${name}.json`);
      writeFileSync(file, JSON.stringify(plan));
      return file;
    };
    const terraformWrites = /one of the action lists Terraform writes \(\["no-op"\], \["create"\], \["read"\], \["update"\], \["delete"\], \["forget"\], \["delete","create"\], \["create","delete"\], \["create","forget"\]\)/;
    const cases: Array<[string[], RegExp]> = [
      [['plan-review', join(tmp, 'missing.json'), '--out', bad], /missing\.json: cannot read the plan: ENOENT/],
      [['plan-review', join(tmp, 'truncated.json'), '--out', bad], /truncated\.json: not valid JSON/],
      [['plan-review', join(tmp, 'state.json'), '--out', bad], /state\.json: \(root\): expected a plan, got a state/],
      [['plan-review', join(tmp, 'actions.json'), '--out', bad], /actions\.json: resource_changes\[0\]\.change\.actions: expected actions among no-op, create, read, update, delete, forget, got explode/],
      [['plan-review', combo(['create', 'update'], 'resource'), '--out', bad], new RegExp(`combo-resource-create-update\\.json: resource_changes\\[1\\]\\.change\\.actions: expected ${terraformWrites.source}, got \\["create","update"\\]`)],
      [['plan-review', combo(['delete', 'delete'], 'resource'), '--out', bad], /combo-resource-delete-delete\.json: resource_changes\[1\]\.change\.actions: expected one of .*, got \["delete","delete"\]/],
      [['plan-review', combo(['forget', 'create'], 'drift'), '--out', bad], /combo-drift-forget-create\.json: resource_drift\[1\]\.change\.actions: expected one of .*, got \["forget","create"\]/],
      [['plan-review', combo(['create', 'update'], 'output'), '--out', bad], /combo-output-create-update\.json: output_changes\.bucket_arn\.actions: expected one of .*, got \["create","update"\]/],
      [['plan-review', combo(['launch'], 'output'), '--out', bad], /combo-output-launch\.json: output_changes\.bucket_arn\.actions: expected actions among no-op, create, read, update, delete, forget, got launch/],
      [['plan-review', badField((rc) => { rc.change.replace_paths = 'content'; }, 'replace-paths'), '--out', bad], /replace-paths\.json: resource_changes\[0\]\.change\.replace_paths: expected an array of attribute paths/],
      [['plan-review', badField((rc) => { rc.change.importing = 'i-123'; }, 'importing'), '--out', bad], /importing\.json: resource_changes\[0\]\.change\.importing: expected an object with a string id/],
      [['plan-review', badField((rc) => { rc.previous_address = 7; }, 'previous'), '--out', bad], /previous\.json: resource_changes\[0\]\.previous_address: expected a string/],
      [['plan-review', f('borchero-empty.json')], /--out DIR is required/],
      [['plan-review', '--out', bad], /at least one plan file/],
      [['plan-review', f('borchero-empty.json'), f('borchero-empty.json'), '--out', bad], /two plans share this stack name/],
      [['plan-review', f('borchero-empty.json'), '--name', 'a', '--name', 'b', '--out', bad], /2 stack names for 1 plan files/],
      [['plan-review', f('borchero-empty.json'), '--critical', 'kind=x', '--out', bad], /expected key=glob pairs/],
      [['plan-review', f('borchero-empty.json'), '--mask', '(', '--out', bad], /not a valid regular expression/],
      [['plan-review', f('borchero-empty.json'), '--bogus', '--out', bad], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.err).toMatch(message);
      // A clear message, not a stack trace.
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect(() => readdirSync(bad)).toThrow();
  });
});

describe('rehost-factory plan-compare (apply-on-merge safety)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rehost-plan-compare-'));
  const write = (sub: string, name: string, plan: unknown) => {
    const d = join(tmp, sub);
    require('node:fs').mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `${name}.json`), JSON.stringify(plan));
    return d;
  };

  it('exit 0 for the same resource changes (key order and no-ops do not matter)', async () => {
    const plan = loadFixture('snyk-aws-mixed-drift.json');
    const reordered = { ...plan, resource_changes: [...plan.resource_changes].reverse().map((rc: any) => ({ change: rc.change, address: rc.address, mode: rc.mode, type: rc.type })) };
    const r = await cli('plan-compare', write('a', 'network', plan), write('b', 'network', reordered));
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain('exactly the reviewed resource changes');
  });

  it('exit 1 naming every changed, new and vanished address, never a value', async () => {
    const plan = loadFixture('borchero-replace-sensitive.json');
    const changed = JSON.parse(JSON.stringify(plan));
    changed.resource_changes[0].change.after.content = 'new-secret-value';
    changed.resource_changes.splice(2, 1);
    changed.resource_changes.push({ address: 'local_file.extra', mode: 'managed', type: 'local_file', change: { actions: ['create'], before: null, after: {} } });
    const r = await cli('plan-compare', write('c', 'security', plan), write('d', 'security', changed));
    expect(r.code).toBe(1);
    expect(r.err).toContain('security: local_file.test: differs in after (reviewed ["delete","create"], now ["delete","create"])');
    expect(r.err).toContain('security: local_file.test3: reviewed change (["delete","create"]) is no longer in the plan');
    expect(r.err).toContain('security: local_file.extra: not in the reviewed plan: ["create"]');
    expect(r.err).toContain('Nothing was applied.');
    expect(r.err).not.toContain('new-secret-value');
  });

  it('a stack that appears only in the new plan counts when it has changes', async () => {
    const reviewed = write('e', 'network', loadFixture('borchero-empty.json'));
    const current = write('f', 'network', loadFixture('borchero-empty.json'));
    write('f', 'mgn', loadFixture('tfplan-validator-multienv-dev3.json'));
    const r = await cli('plan-compare', reviewed, current);
    expect(r.code).toBe(1);
    expect(r.err).toContain('mgn: module.environment.local_file.foo[0]: not in the reviewed plan: ["delete"]');
  });
});
