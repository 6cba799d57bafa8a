import { github } from 'projen';
import { SESSION_SECONDS } from '../config/workflow-roles';
import { PINNED_ACTIONS } from './actions';
import { scriptStep } from './steps';

/**
 * Who may assume which role. The roles' trust policies pin the OIDC `sub` claim: a job with
 * `environment: E` presents `repo:R:environment:E`, any other job `repo:R:pull_request` on pull
 * requests and `repo:R:ref:refs/heads/<branch>` otherwise. So plan-role jobs run without an
 * environment, each write role's jobs run in its environment, and no other job has `id-token: write`
 * (docs/workflow-security.md).
 */

/** The environments of the jobs that assume a write role (factory.yaml's `github` section names them). */
export interface WorkflowEnvironments {
  /** The infra-apply job's environment (the apply role trusts only it). @default "infrastructure" */
  readonly apply?: string;
  /** The cutover jobs' environment (the cutover role trusts only it). @default "cutover" */
  readonly cutover?: string;
  /** The VM Import job's environment (the vm-import role trusts only it). @default "vm-import" */
  readonly vmImport?: string;
}

export const DEFAULT_ENVIRONMENTS: Required<WorkflowEnvironments> = { apply: 'infrastructure', cutover: 'cutover', vmImport: 'vm-import' };

/** A workflow role as the workflows see it. */
export interface WorkflowRole {
  /** The repository secret holding the role's ARN. */
  readonly secret: string;
  /** The role's maximum session (IAM MaxSessionDuration): no job assuming it may run longer. */
  readonly maxSessionSeconds: number;
}

export type RoleName = 'plan' | 'apply' | 'cutover' | 'vmImport';

/** The roles' secrets, and the sessions the access stack creates them with. */
export const DEFAULT_ROLES: Readonly<Record<RoleName, WorkflowRole>> = {
  plan: { secret: 'REHOST_PLAN_ROLE_ARN', maxSessionSeconds: SESSION_SECONDS.plan },
  apply: { secret: 'REHOST_APPLY_ROLE_ARN', maxSessionSeconds: SESSION_SECONDS.apply },
  cutover: { secret: 'REHOST_CUTOVER_ROLE_ARN', maxSessionSeconds: SESSION_SECONDS.cutover },
  vmImport: { secret: 'REHOST_VMIMPORT_ROLE_ARN', maxSessionSeconds: SESSION_SECONDS['vm-import'] },
};

/**
 * Assumes a role by OIDC for the rest of the job. The session lasts as long as the job may run
 * (its timeout), within the role's maximum: `ExpiredToken` mid-job is not retried by anything, so a
 * job that could outlive the role's sessions is refused when the workflow is generated.
 */
export function assumeRoleStep(role: RoleName, roles: Readonly<Record<RoleName, WorkflowRole>>, opts: { region: string; session: string; timeoutMinutes: number }): github.workflows.JobStep {
  const { secret, maxSessionSeconds } = roles[role];
  const seconds = opts.timeoutMinutes * 60;
  if (seconds > maxSessionSeconds) throw new Error(`${opts.session}: a ${opts.timeoutMinutes}-minute job outlives the ${role} role's ${maxSessionSeconds}-second sessions`);
  return {
    name: `Assume ${secret} (OIDC)`,
    uses: PINNED_ACTIONS.configureAwsCredentials,
    with: {
      'role-to-assume': `\${{ secrets.${secret} }}`,
      'aws-region': opts.region,
      'role-session-name': `${opts.session}-\${{ github.run_id }}`,
      'role-duration-seconds': seconds,
    },
  };
}

/**
 * A job without credentials that reads an environment's protection rules through GitHub's API and
 * fails unless the environment requires a reviewer, prevents self-review and deploys only from
 * `branch` (src/projen/scripts/environment-check.ts). Jobs that assume a write role need it, so a
 * missing or unprotected environment stops the run before a role is assumed. It guards against a
 * setup mistake; the trust policy and the environment's own rules are what stop an attacker.
 */
export function environmentCheckJob(environment: string, branch: string): github.workflows.Job {
  return {
    name: `Check the ${environment} environment's protection rules`,
    runsOn: ['ubuntu-latest'],
    permissions: { actions: github.workflows.JobPermission.READ },
    timeoutMinutes: 5,
    steps: [
      scriptStep('environment-check', {
        name: `Required reviewers, no self-review, deployments from the ${branch} branch only`,
        env: { ENVIRONMENT: environment, BRANCH: branch },
      }),
    ],
  };
}
