import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ACTIONS, type ActionName, actionBundlePath, bundleAction } from '../../src/actions/bundle';
import { ROOT } from '../support/tools';

/**
 * Every action's committed bundle (`runs.main` of actions/<name>/action.yml) is what the build of
 * the `bundle:actions` task (src/actions/bundle.ts, the same function and options) makes of
 * src/actions/<name>.ts today: a workflow runs the committed file, so a stale bundle would run old code.
 */
describe('committed action bundles', () => {
  const actionsDir = join(ROOT, 'actions');
  const names = readdirSync(actionsDir).filter((n) => existsSync(join(actionsDir, n, 'action.yml'))).sort();

  it('the bundle:actions task runs src/actions/bundle.ts, which bundles exactly the actions in actions/', () => {
    const tasks = JSON.parse(readFileSync(join(ROOT, '.projen', 'tasks.json'), 'utf8')) as { tasks: Record<string, { steps?: Array<{ exec?: string }> }> };
    expect((tasks.tasks['bundle:actions'].steps ?? []).map((s) => s.exec)).toEqual(['ts-node --swc src/actions/bundle.ts']);
    expect(names.length).toBeGreaterThan(0);
    expect([...ACTIONS].sort()).toEqual(names);
  });

  it.each(names)('actions/%s: runs.main is committed and equals a fresh build of its src/actions entry', async (name) => {
    const action = parse(readFileSync(join(actionsDir, name, 'action.yml'), 'utf8')) as { runs: { using: string; main: string } };
    expect(action.runs.using).toBe('node24');
    const committed = join(actionsDir, name, action.runs.main);
    expect(committed).toBe(actionBundlePath(name as ActionName));
    expect(existsSync(committed)).toBe(true);
    const outfile = join(mkdtempSync(join(tmpdir(), `rehost-bundle-${name}-`)), 'index.js');
    await bundleAction(name as ActionName, outfile);
    const fresh = readFileSync(outfile, 'utf8');
    const current = readFileSync(committed, 'utf8');
    if (fresh !== current) throw new Error(`actions/${name}/${action.runs.main} is stale: run \`npx projen bundle:actions\` and commit it`);
  });
});
