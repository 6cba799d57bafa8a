import { github } from 'projen';
import { PINNED_ACTIONS } from '../actions';
import { assumeRoleStep, environmentCheckJob } from '../environments';
import { checkoutStep, nodeSteps, uploadStep } from '../steps';
import { configInput, ResolvedWorkflowOptions } from './options';

const { JobPermission } = github.workflows;

const PLAN_TIMEOUT_MINUTES = 180;
const SERVER_TIMEOUT_MINUTES = 240;

/**
 * cutover.yml: a wave run dispatched from GitHub: plan (resolve, preflight, sync MGN, start the
 * quota-batched launches) → one job per server (a matrix per chunk of 256 servers, GitHub's matrix
 * limit) → report.
 *
 * Approval: every job that assumes the cutover role runs in the cutover environment, the only
 * subject the role trusts, which requires a reviewer: in every mode, dry runs included. A run waits
 * twice: for the plan job, then for all server jobs at once. The server jobs have no
 * `max-parallel`: jobs that wait on an environment together are approved together, while a matrix
 * held back by max-parallel asks again for each batch it starts (docs/workflow-security.md).
 */
export function addCutoverWorkflow(gh: github.GitHub, o: ResolvedWorkflowOptions): github.GithubWorkflow {
  const wf = new github.GithubWorkflow(gh, 'cutover', {
    limitConcurrency: true,
    // One run per wave at a time; a second dispatch waits instead of racing the same servers.
    concurrencyOptions: { group: 'cutover-${{ inputs.wave }}', cancelInProgress: false },
  });
  wf.on({
    workflowDispatch: {
      inputs: {
        wave: { description: 'Wave name from factory.yaml', required: true, type: 'string' },
        mode: { description: 'test, cutover, finalize, revert or archive', required: true, type: 'choice', options: ['test', 'cutover', 'finalize', 'revert', 'archive'] },
        servers: { description: 'Only these servers of the wave (comma-separated); empty = the whole wave', required: false, type: 'string', default: '' },
        dry_run: { description: 'Preflight only: resolve and check, change nothing', required: false, type: 'boolean', default: 'false' },
        continue_without_failing: { description: 'Leave servers that fail preflight out instead of stopping the wave', required: false, type: 'boolean', default: 'false' },
      },
    },
  });
  const chunks = Array.from({ length: o.matrixChunks }, (_, i) => i + 1);
  const serverJobs = chunks.map((n) => `servers-${n}`);
  const config = o.configFile ?? 'factory.yaml'; // the wave actions' default
  const jobs: Record<string, github.workflows.Job> = {
    'environment-check': environmentCheckJob(o.environments.cutover, o.branch),
    plan: {
      name: 'Plan ${{ inputs.mode }} of ${{ inputs.wave }}',
      needs: ['environment-check'],
      runsOn: ['ubuntu-latest'],
      environment: o.environments.cutover,
      permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
      timeoutMinutes: PLAN_TIMEOUT_MINUTES,
      outputs: {
        ...(o.region ? {} : { region: { stepId: 'estate', outputName: 'region' } }),
        ...Object.fromEntries(chunks.map((n) => [`matrix-${n}`, { stepId: 'plan', outputName: `matrix-${n}` }])),
        'matrix-count': { stepId: 'plan', outputName: 'matrix-count' },
      },
      steps: [
        // The action is a self-contained bundle: only reading the Region needs Node and the installed CLI.
        ...(o.region ? [checkoutStep()] : nodeSteps(o.nodeVersion)),
        ...(o.region ? [] : [{ name: 'Read the estate Region', id: 'estate', run: `${o.cli} outputs region --config ${config} --github-output` }]),
        assumeRoleStep('cutover', o.roles, { region: o.region ?? '${{ steps.estate.outputs.region }}', session: 'cutover-plan', timeoutMinutes: PLAN_TIMEOUT_MINUTES }),
        {
          name: 'Resolve, preflight, sync MGN and start the launches',
          id: 'plan',
          uses: `./${o.actionsDir}/wave-plan`,
          with: {
            ...configInput(o),
            wave: '${{ inputs.wave }}',
            mode: '${{ inputs.mode }}',
            servers: '${{ inputs.servers }}',
            'dry-run': '${{ inputs.dry_run }}',
            'continue-without-failing': '${{ inputs.continue_without_failing }}',
            'matrix-chunks': String(o.matrixChunks),
          },
        },
        uploadStep({ name: 'Upload the plan report part', if: 'always()', artifact: 'wave-report-plan', path: 'rehost-report/', ifNoFilesFound: 'warn', retentionDays: 7 }),
      ],
    },
  };
  for (const n of chunks) {
    jobs[`servers-${n}`] = {
      name: '${{ inputs.mode }} ${{ matrix.server }}',
      needs: ['plan'],
      if: `\${{ !inputs.dry_run && fromJSON(needs.plan.outputs.matrix-count) >= ${n} }}`,
      runsOn: ['ubuntu-latest'],
      environment: o.environments.cutover,
      permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
      timeoutMinutes: SERVER_TIMEOUT_MINUTES,
      strategy: {
        failFast: false,
        // Expressions are typed as matrices by projen; GitHub evaluates them at run time.
        matrix: { domain: { server: `\${{ fromJSON(needs.plan.outputs.matrix-${n}) }}` as unknown as string[] } },
      },
      steps: [
        checkoutStep(),
        assumeRoleStep('cutover', o.roles, { region: o.region ?? '${{ needs.plan.outputs.region }}', session: 'cutover-server', timeoutMinutes: SERVER_TIMEOUT_MINUTES }),
        {
          name: 'Wait, verify and finish ${{ matrix.server }}',
          uses: `./${o.actionsDir}/server-cutover`,
          with: { ...configInput(o), wave: '${{ inputs.wave }}', mode: '${{ inputs.mode }}', server: '${{ matrix.server }}' },
        },
        uploadStep({ name: 'Upload the server report part', if: 'always()', artifact: 'wave-report-server-${{ matrix.server }}', path: 'rehost-report/', ifNoFilesFound: 'warn', retentionDays: 7 }),
      ],
    };
  }
  jobs.report = {
    name: 'Report ${{ inputs.mode }} of ${{ inputs.wave }}',
    needs: ['plan', ...serverJobs],
    if: 'always()',
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ },
    timeoutMinutes: 15,
    steps: [
      checkoutStep(),
      { name: 'Download the report parts', uses: PINNED_ACTIONS.downloadArtifact, with: { pattern: 'wave-report-*', path: 'reports', 'merge-multiple': true } },
      { name: 'Merge, summarize, fail on any failed server', id: 'report', uses: `./${o.actionsDir}/wave-report`, with: { 'reports-dir': 'reports', 'report-file': 'wave-report.json' } },
      uploadStep({
        name: 'Upload the audit trail',
        if: 'always()',
        artifact: 'wave-report-${{ inputs.wave }}-${{ inputs.mode }}-${{ github.run_id }}',
        path: 'wave-report.json',
        ifNoFilesFound: 'warn',
        retentionDays: 90,
      }),
    ],
  };
  wf.addJobs(jobs);
  return wf;
}
