import { github } from 'projen';
import { PINNED_ACTIONS } from '../actions';
import { assumeRoleStep } from '../environments';
import { nodeSteps, scriptStep, terraformStep, uploadStep } from '../steps';
import { ResolvedWorkflowOptions } from './options';
import { roleVar, stacksRegion, synthSteps, TERRAFORM_ENV } from './terraform';

const { JobPermission } = github.workflows;

/**
 * drift.yml: on a schedule, plans every stack with the read-only plan role (-detailed-exitcode),
 * reviews what drifted, and keeps one `infra-drift` issue in step from a job without AWS access.
 */
export function addDriftWorkflow(gh: github.GitHub, o: ResolvedWorkflowOptions): github.GithubWorkflow {
  const wf = new github.GithubWorkflow(gh, 'drift', { limitConcurrency: true, concurrencyOptions: { group: 'drift', cancelInProgress: false } });
  wf.on({ schedule: [{ cron: o.driftSchedule }], workflowDispatch: {} });
  const drifted = "steps.plan.outputs.drifted == 'true'";
  wf.addJobs({
    detect: {
      name: 'Detect drift (read-only role)',
      runsOn: ['ubuntu-latest'],
      permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
      env: TERRAFORM_ENV,
      timeoutMinutes: 30,
      outputs: { drifted: { stepId: 'plan', outputName: 'drifted' } },
      steps: [
        {
          // The plan role trusts this branch's runs only; say so instead of failing at the role.
          name: `Refuse a run from another branch than ${o.branch}`,
          if: `github.ref != 'refs/heads/${o.branch}'`,
          env: { BRANCH: o.branch },
          run: 'echo "::error::Drift is detected on $BRANCH only (the plan role trusts its runs, not other branches\'): run the workflow from $BRANCH."\nexit 1',
        },
        ...nodeSteps(o.nodeVersion),
        terraformStep(o.terraformVersion),
        ...synthSteps(o),
        assumeRoleStep('plan', o.roles, { region: stacksRegion(o), session: 'infra-drift', timeoutMinutes: 30 }),
        {
          name: 'plan -detailed-exitcode per stack',
          id: 'plan',
          env: { STACKS: '${{ steps.stacks.outputs.names }}' },
          run: [
            'set -uo pipefail',
            'mkdir -p drift',
            'drifted=false',
            'for stack in $STACKS; do',
            `  terraform -chdir="${o.outDir}/stacks/$stack" init -no-color || exit 1`,
            roleVar(o, 'plan'),
            `  terraform -chdir="${o.outDir}/stacks/$stack" plan -no-color -lock=false -detailed-exitcode -out="$PWD/drift/$stack.tfplan" "\${role_var[@]}"`,
            '  code=$?',
            '  case $code in',
            '    0) echo "$stack: no drift" ;;',
            `    2) drifted=true; terraform -chdir="${o.outDir}/stacks/$stack" show -json "$PWD/drift/$stack.tfplan" > "drift/$stack.json" || exit 1 ;;`,
            '    *) echo "::error::terraform plan failed for $stack (exit $code)"; exit "$code" ;;',
            '  esac',
            'done',
            'rm -f drift/*.tfplan',
            'echo "drifted=$drifted" >> "$GITHUB_OUTPUT"',
          ].join('\n'),
        },
        { name: 'Review the drift', if: drifted, run: `${o.cli} plan-review drift/*.json --out drift-review --id drift --max-comments 1` },
        uploadStep({ name: 'Upload the drift review', if: drifted, artifact: 'drift-review', path: 'drift-review/', ifNoFilesFound: 'error', retentionDays: 14 }),
        // The review (one comment's worth) points here for what it cannot show. The JSON holds
        // sensitive values in cleartext, as the infra-plan artifacts do: short retention.
        uploadStep({ name: 'Upload the drifted plans (JSON)', if: drifted, artifact: 'drift-plans', path: 'drift/', ifNoFilesFound: 'error', retentionDays: 14 }),
      ],
    },
    report: {
      name: 'Open, update or close the drift issue',
      needs: ['detect'],
      runsOn: ['ubuntu-latest'],
      permissions: { issues: JobPermission.WRITE },
      timeoutMinutes: 10,
      steps: [
        { name: 'Download the drift review', if: "needs.detect.outputs.drifted == 'true'", uses: PINNED_ACTIONS.downloadArtifact, with: { name: 'drift-review', path: 'drift-review' } },
        scriptStep('drift-issue', { name: 'One issue for the drift', env: { DRIFTED: '${{ needs.detect.outputs.drifted }}' } }),
      ],
    },
  });
  return wf;
}
