import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowScript } from '../../src/projen/scripts/bundle';
import { SCRIPTS_DIST_DIR, WORKFLOW_SCRIPTS, WorkflowScriptName } from '../../src/projen/scripts/index';

/**
 * The github-script bodies the workflows embed are committed (src/projen/scripts/dist) and must be
 * what the bundler makes of the source today: a stale body would run old code.
 */
describe('workflow script bodies', () => {
  const names = Object.keys(WORKFLOW_SCRIPTS) as WorkflowScriptName[];

  it.each(names)('dist/%s.js equals a fresh bundle of its source', (name) => {
    const fresh = bundleWorkflowScript(name);
    const committed = readFileSync(join(SCRIPTS_DIST_DIR, `${name}.js`), 'utf8');
    if (fresh !== committed) throw new Error(`src/projen/scripts/dist/${name}.js is stale: run \`npx projen bundle:scripts\`, then \`npx projen\`, and commit both`);
  });

  it.each(names)('%s: a script body github-script can run (no import/export), ending in the call of its function', (name) => {
    const body = bundleWorkflowScript(name);
    expect(body).not.toMatch(/^(import|export)\b/m);
    expect(body.trimEnd().split('\n').at(-1)).toBe(`await ${WORKFLOW_SCRIPTS[name]}({ github, context, core });`);
    // Parses as the body of an async function of github, context, core and require.
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => unknown;
    expect(() => new AsyncFunction('github', 'context', 'core', 'require', body)).not.toThrow();
  });
});
