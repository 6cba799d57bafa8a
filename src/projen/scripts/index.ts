import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The workflow scripts: each src/projen/scripts/<name>.ts exports the function `exportName`, which
 * a github-script step runs. `bundle:scripts` turns each into the body of such a step, committed
 * as dist/<name>.js; the workflows embed that text, so no job needs a checkout to run one.
 */
export const WORKFLOW_SCRIPTS = {
  'environment-check': 'environmentCheck',
  'reviewed-plan': 'reviewedPlan',
  'drift-issue': 'driftIssue',
} as const;

export type WorkflowScriptName = keyof typeof WORKFLOW_SCRIPTS;

/** Where the committed bodies are (next to this module, in src/ and in lib/ alike). */
export const SCRIPTS_DIST_DIR = join(__dirname, 'dist');

/** The committed github-script body of a workflow script (without the file's final line break). */
export function workflowScript(name: WorkflowScriptName): string {
  return readFileSync(join(SCRIPTS_DIST_DIR, `${name}.js`), 'utf8').trimEnd();
}
