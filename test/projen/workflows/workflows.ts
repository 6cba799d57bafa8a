import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../support/tools';

/** The generated workflows as GitHub reads them (the parts the security tests look at). */
export type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, unknown> };
export type Job = {
  name?: string;
  permissions?: Record<string, string>;
  environment?: string | { name: string; url?: string };
  needs?: string | string[];
  if?: string;
  'runs-on'?: string | string[];
  'timeout-minutes'?: number;
  outputs?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; 'max-parallel'?: unknown; matrix?: Record<string, unknown> };
  steps: Step[];
};
export type Workflow = { on: Record<string, any>; permissions?: unknown; concurrency?: { group: string; 'cancel-in-progress': boolean }; jobs: Record<string, Job> };

export const WORKFLOW_DIR = join(ROOT, '.github', 'workflows');

export function workflowFiles(dir = WORKFLOW_DIR): string[] {
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
}

export function loadWorkflow(file: string, dir = WORKFLOW_DIR): Workflow {
  return parse(readFileSync(join(dir, file), 'utf8')) as Workflow;
}

/** Every job of every generated workflow (of this repository, or of the workflows in `dir`), as `file`, `id`, `job`. */
export function allJobs(dir = WORKFLOW_DIR): Array<{ file: string; id: string; job: Job; workflow: Workflow }> {
  return workflowFiles(dir).flatMap((file) => {
    const workflow = loadWorkflow(file, dir);
    return Object.entries(workflow.jobs).map(([id, job]) => ({ file, id, job, workflow }));
  });
}

export const CONFIGURE_AWS_CREDENTIALS = 'aws-actions/configure-aws-credentials@';
export const assumeSteps = (job: Job): Step[] => job.steps.filter((s) => s.uses?.startsWith(CONFIGURE_AWS_CREDENTIALS));
export const environmentOf = (job: Job): string | undefined => (typeof job.environment === 'string' ? job.environment : job.environment?.name);

/**
 * The OIDC `sub` claims GitHub can put in the token of a job, from the workflow's triggers and the
 * job's environment (GitHub's documented subject formats):
 * - a job with `environment: E`: `repo:R:environment:E`, whatever the event and branch;
 * - otherwise `repo:R:pull_request` for pull_request, and `repo:R:ref:refs/heads/B` for a push to
 *   B, a schedule (it runs on the default branch) or a workflow_dispatch from B — which any branch
 *   can be, so a dispatch is modelled from the default branch and from another one.
 * An event or filter this does not model throws, so a new trigger cannot slip past the trust test.
 */
export interface JobSubject {
  /** How the job gets this token: "pull_request", "push to main", "workflow_dispatch from another branch"... */
  readonly trigger: string;
  readonly sub: string;
}

export function jobSubjects(repository: string, defaultBranch: string, workflow: Workflow, job: Job): JobSubject[] {
  const repo = `repo:${repository}`;
  const env = environmentOf(job);
  if (env?.includes('${{')) throw new Error(`environment "${env}" is an expression: the subject would depend on run-time input`);
  const triggers = Object.keys(workflow.on).flatMap((event): JobSubject[] => {
    const on = workflow.on[event] ?? {};
    switch (event) {
      case 'pull_request':
        return [{ trigger: 'pull_request', sub: `${repo}:pull_request` }];
      case 'push': {
        const branches: string[] = on.branches ?? [];
        if (!branches.length || on.tags || branches.some((b) => /[*?[!]/.test(b))) throw new Error(`push trigger ${JSON.stringify(on)} is not modelled (exact branch names only)`);
        return branches.map((b) => ({ trigger: `push to ${b}`, sub: `${repo}:ref:refs/heads/${b}` }));
      }
      case 'schedule':
        return [{ trigger: 'schedule', sub: `${repo}:ref:refs/heads/${defaultBranch}` }];
      case 'workflow_dispatch':
        return [
          { trigger: `workflow_dispatch from ${defaultBranch}`, sub: `${repo}:ref:refs/heads/${defaultBranch}` },
          { trigger: 'workflow_dispatch from another branch', sub: `${repo}:ref:refs/heads/feature/any` },
        ];
      default:
        throw new Error(`event ${event} is not modelled: add its OIDC subject to jobSubjects`);
    }
  });
  // In an environment the subject names the environment, whatever the event or branch.
  return env === undefined ? triggers : triggers.map((t) => ({ trigger: t.trigger, sub: `${repo}:environment:${env}` }));
}
