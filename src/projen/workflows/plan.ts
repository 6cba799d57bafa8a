import { github } from 'projen';
import { PINNED_ACTIONS } from '../actions';
import { assumeRoleStep } from '../environments';
import { nodeSteps, terraformStep } from '../steps';
import { ResolvedWorkflowOptions } from './options';
import { planStep, stacksRegion, synthSteps, TERRAFORM_ENV, uploadPlans, verifyStep } from './terraform';

const { JobPermission } = github.workflows;

/**
 * infra-plan.yml: on a pull request into the branch, plans every stack with the read-only plan role
 * and reviews the plans on the pull request (plan-review action, critical-change guard).
 */
export function addPlanWorkflow(gh: github.GitHub, o: ResolvedWorkflowOptions): github.GithubWorkflow {
  const wf = new github.GithubWorkflow(gh, 'infra-plan', {
    limitConcurrency: true,
    concurrencyOptions: { group: 'infra-plan-${{ github.event.pull_request.number }}', cancelInProgress: true },
  });
  // Pull requests into the branch only: the review runs the base branch's plan-review action,
  // which must be the branch's (a pull request into another branch could bring its own).
  wf.on({ pullRequest: { branches: [o.branch], types: ['opened', 'synchronize', 'reopened', 'labeled', 'unlabeled'], paths: [...o.infraPaths] } as github.workflows.PullRequestOptions });
  wf.addJobs({
    plan: {
      name: 'Plan (read-only role)',
      // Forks get no OIDC token and must not reach the AWS account.
      if: 'github.event.pull_request.head.repo.full_name == github.repository',
      runsOn: ['ubuntu-latest'],
      permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
      env: TERRAFORM_ENV,
      timeoutMinutes: 30,
      steps: [
        ...nodeSteps(o.nodeVersion),
        terraformStep(o.terraformVersion),
        ...synthSteps(o),
        assumeRoleStep('plan', o.roles, { region: stacksRegion(o), session: 'infra-plan', timeoutMinutes: 30 }),
        planStep(o, 'plans'),
        uploadPlans('infra-plan', 'plans'),
      ],
    },
    review: {
      name: 'Review the plan on the pull request',
      needs: ['plan'],
      runsOn: ['ubuntu-latest'],
      permissions: { contents: JobPermission.READ, pullRequests: JobPermission.WRITE },
      timeoutMinutes: 10,
      // Runs none of the pull request's code: the plan-review action comes from the base commit,
      // checked out into base/, and the plans only from the plan job's artifact. A pull request that
      // changed the guard or the action would otherwise review itself.
      steps: [
        {
          name: 'Check out the base commit (the review code)',
          uses: PINNED_ACTIONS.checkout,
          with: { ref: '${{ github.event.pull_request.base.sha }}', path: 'base', 'persist-credentials': false },
        },
        { name: 'Download the plans', uses: PINNED_ACTIONS.downloadArtifact, with: { name: 'infra-plan', path: 'plans' } },
        verifyStep('plans'),
        { name: 'Plan review', id: 'review', uses: `./base/${o.actionsDir}/plan-review`, with: { plans: 'plans', 'override-label': 'allow-critical-infra-change' } },
      ],
    },
  });
  return wf;
}
