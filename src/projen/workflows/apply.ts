import { github } from 'projen';
import { PINNED_ACTIONS } from '../actions';
import { assumeRoleStep, environmentCheckJob } from '../environments';
import { nodeSteps, scriptStep, terraformStep } from '../steps';
import { ResolvedWorkflowOptions } from './options';
import { planStep, roleVar, stacksRegion, synthSteps, TERRAFORM_ENV, uploadPlans, verifyStep } from './terraform';

const { JobPermission } = github.workflows;

/**
 * infra-apply.yml: on a push to the branch, re-plans with the plan role, stops unless the new plan
 * makes exactly the changes reviewed on the merged pull request, then applies the compared plans
 * with the apply role in its protected environment.
 */
export function addApplyWorkflow(gh: github.GitHub, o: ResolvedWorkflowOptions): github.GithubWorkflow {
  const wf = new github.GithubWorkflow(gh, 'infra-apply', {
    limitConcurrency: true,
    // One apply at a time, never cancelled half-way.
    concurrencyOptions: { group: 'infra-apply', cancelInProgress: false },
  });
  wf.on({ push: { branches: [o.branch], paths: [...o.infraPaths] } });
  wf.addJobs({
    'environment-check': environmentCheckJob(o.environments.apply, o.branch),
    replan: {
      name: 'Re-plan and compare with the reviewed plan',
      runsOn: ['ubuntu-latest'],
      permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE, actions: JobPermission.READ, pullRequests: JobPermission.READ },
      env: TERRAFORM_ENV,
      timeoutMinutes: 30,
      steps: [
        ...nodeSteps(o.nodeVersion),
        terraformStep(o.terraformVersion),
        ...synthSteps(o),
        assumeRoleStep('plan', o.roles, { region: stacksRegion(o), session: 'infra-replan', timeoutMinutes: 30 }),
        planStep(o, 'plans'),
        scriptStep('reviewed-plan', { name: 'Find the plan reviewed on the merged pull request', id: 'reviewed' }),
        {
          name: 'Download the reviewed plans',
          uses: PINNED_ACTIONS.downloadArtifact,
          with: { name: 'infra-plan', path: 'reviewed', 'run-id': '${{ steps.reviewed.outputs.run-id }}', 'github-token': '${{ github.token }}' },
        },
        verifyStep('reviewed'),
        { name: 'Stop unless the new plan makes exactly the reviewed changes', run: `${o.cli} plan-compare reviewed plans` },
        uploadPlans('infra-apply-plan', 'plans'),
      ],
    },
    apply: {
      name: 'Apply',
      needs: ['replan', 'environment-check'],
      runsOn: ['ubuntu-latest'],
      // The apply role trusts only this environment: required reviewers, no self-review, the branch only.
      environment: o.environments.apply,
      permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
      env: TERRAFORM_ENV,
      timeoutMinutes: 60,
      steps: [
        ...nodeSteps(o.nodeVersion),
        terraformStep(o.terraformVersion),
        ...synthSteps(o),
        assumeRoleStep('apply', o.roles, { region: stacksRegion(o), session: 'infra-apply', timeoutMinutes: 60 }),
        { name: 'Download the compared plans', uses: PINNED_ACTIONS.downloadArtifact, with: { name: 'infra-apply-plan', path: 'plans' } },
        verifyStep('plans'),
        {
          name: 'Apply every stack from its saved plan',
          env: { STACKS: '${{ steps.stacks.outputs.names }}' },
          run: [
            'set -euo pipefail',
            'for stack in $STACKS; do',
            '  echo "::group::$stack"',
            `  terraform -chdir="${o.outDir}/stacks/$stack" init -no-color`,
            roleVar(o, 'deploy'),
            // A saved plan refuses to apply if the state changed since it was made (stale plan).
            `  terraform -chdir="${o.outDir}/stacks/$stack" apply -no-color "\${role_var[@]}" "$PWD/plans/$stack.tfplan"`,
            '  echo "::endgroup::"',
            'done',
          ].join('\n'),
        },
      ],
    },
  });
  return wf;
}
