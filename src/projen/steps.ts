import type { github } from 'projen';
import { PINNED_ACTIONS } from './actions';
import { workflowScript, WorkflowScriptName } from './scripts';

type JobStep = github.workflows.JobStep;

/** The repository, without leaving the token in .git/config for later steps. */
export const checkoutStep = (): JobStep => ({ name: 'Check out', uses: PINNED_ACTIONS.checkout, with: { 'persist-credentials': false } });

/**
 * Steps every Node job starts with: the repository, Node with the npm cache, `npm ci` without
 * lifecycle scripts. A job with `id-token: write` can mint an OIDC token from any step, so an
 * install script of any dependency could assume the job's role: none runs. Nothing the jobs run
 * needs one (@swc/core and esbuild load their platform binaries from their optional dependencies).
 */
export const nodeSteps = (nodeVersion: string): JobStep[] => [
  checkoutStep(),
  { name: `Set up Node.js ${nodeVersion}`, uses: PINNED_ACTIONS.setupNode, with: { 'node-version': nodeVersion, cache: 'npm' } },
  { name: 'Install dependencies (no lifecycle scripts)', run: 'npm ci --ignore-scripts' },
];

/** Terraform without its wrapper: the wrapper rewrites stdout and exit codes, which breaks `show -json` and -detailed-exitcode. */
export const terraformStep = (version: string): JobStep => ({
  name: `Set up Terraform ${version}`,
  uses: PINNED_ACTIONS.setupTerraform,
  with: { terraform_version: version, terraform_wrapper: false },
});

/** Uploads a folder or file as an artifact. */
export const uploadStep = (opts: { name: string; artifact: string; path: string; retentionDays: number; ifNoFilesFound: 'warn' | 'error'; if?: string }): JobStep => ({
  name: opts.name,
  ...(opts.if ? { if: opts.if } : {}),
  uses: PINNED_ACTIONS.uploadArtifact,
  with: { name: opts.artifact, path: opts.path, 'if-no-files-found': opts.ifNoFilesFound, 'retention-days': opts.retentionDays },
});

/** An actions/github-script step running one of the workflow scripts (src/projen/scripts). */
export const scriptStep = (script: WorkflowScriptName, step: Omit<JobStep, 'uses' | 'with' | 'run'>): JobStep => ({
  ...step,
  uses: PINNED_ACTIONS.githubScript,
  with: { script: workflowScript(script) },
});
