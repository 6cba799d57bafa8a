import { buildSync } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../support/tools';

/**
 * Every action's committed bundle (`runs.main` of actions/<name>/action.yml) is what esbuild makes
 * of src/actions/<name>.ts today, built with the flags of the `bundle:actions` task in .projenrc.ts:
 * a workflow runs the committed file, so a stale bundle would run old code.
 */
describe('committed action bundles', () => {
  const actionsDir = join(ROOT, 'actions');
  const names = existsSync(actionsDir) ? readdirSync(actionsDir).filter((n) => existsSync(join(actionsDir, n, 'action.yml'))).sort() : [];

  it('the bundle:actions task bundles exactly the actions in actions/', () => {
    const tasks = JSON.parse(readFileSync(join(ROOT, '.projen', 'tasks.json'), 'utf8')) as { tasks: Record<string, { steps?: Array<{ exec?: string }> }> };
    const bundled = (tasks.tasks['bundle:actions'].steps ?? []).map((s) => /src\/actions\/(.+)\.ts /.exec(s.exec ?? '')?.[1]).sort();
    expect(bundled).toEqual(names);
  });

  it.each(names)('actions/%s: runs.main is committed and equals a fresh esbuild of its src/actions entry', (name) => {
    const action = parse(readFileSync(join(actionsDir, name, 'action.yml'), 'utf8')) as { runs: { using: string; main: string } };
    expect(action.runs.using).toBe('node24');
    const committed = join(actionsDir, name, action.runs.main);
    expect(existsSync(committed)).toBe(true);
    const outfile = join(mkdtempSync(join(tmpdir(), `rehost-bundle-${name}-`)), 'index.js');
    // Same flags as the bundle:actions task; absWorkingDir so that paths in the bundle match.
    buildSync({
      entryPoints: [`src/actions/${name}.ts`],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      target: 'node24',
      outfile,
      legalComments: 'none',
      logLevel: 'warning',
    });
    const fresh = readFileSync(outfile, 'utf8');
    const current = readFileSync(committed, 'utf8');
    if (fresh !== current) throw new Error(`actions/${name}/${action.runs.main} is stale: run \`npx projen bundle:actions\` and commit it`);
  });
});
