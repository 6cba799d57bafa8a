import { github } from 'projen';
import { assumeRoleStep, environmentCheckJob } from '../environments';
import { checkoutStep, nodeSteps, uploadStep } from '../steps';
import { configFlag, configInput, ResolvedWorkflowOptions } from './options';

const { JobPermission } = github.workflows;

/**
 * Where the import job runs. The `runner` input picks one of these label sets by name; whatever
 * else a dispatch sends selects the self-hosted set, so no caller can steer the job (and its
 * ten-hour credentials) onto another runner. The self-hosted runners that can read the images
 * carry the extra label `vm-import`, so other self-hosted runners never get the job.
 */
export const VM_IMPORT_RUNNERS = { 'self-hosted': ['self-hosted', 'vm-import'], 'ubuntu-latest': ['ubuntu-latest'] } as const;

/** Upload + ImportImage (bounded by vmImport.import.timeoutMinutes) + launch and checks. */
const VM_IMPORT_TIMEOUT_MINUTES = 600;

/**
 * vm-import.yml: dispatched per image, either a path on the runner (a self-hosted runner that can
 * read the image; the upload resumes there from the state file next to it) or a key already in the
 * import bucket. The job runs in the VM Import environment (the vm-import role trusts only it):
 * every import, with or without `launch`, waits for a reviewer.
 */
export function addVmImportWorkflow(gh: github.GitHub, o: ResolvedWorkflowOptions): github.GithubWorkflow {
  const wf = new github.GithubWorkflow(gh, 'vm-import', {
    limitConcurrency: true,
    // One run per image at a time, never cancelled half-way (a second run would race the same upload).
    concurrencyOptions: { group: 'vm-import-${{ inputs.image_path }}${{ inputs.s3_key }}', cancelInProgress: false },
  });
  const optional = (description: string): github.workflows.WorkflowDispatchInput => ({ description, required: false, type: 'string', default: '' });
  wf.on({
    workflowDispatch: {
      inputs: {
        image_path: optional('Path of the disk image on the runner (give this or s3_key)'),
        s3_key: optional('Key of an image already in the import bucket (give this or image_path)'),
        format: { description: 'Image format', required: true, type: 'choice', options: ['ova', 'vmdk', 'vhd', 'vhdx', 'raw'] },
        os: { description: 'Operating system family', required: true, type: 'choice', options: ['linux', 'windows'] },
        server: optional('Server name in factory.yaml (required with launch)'),
        launch: { description: 'Launch into the server\'s cutover placement and verify', required: false, type: 'boolean', default: 'false' },
        runner: {
          description: 'self-hosted: a runner labelled vm-import that can read image_path; ubuntu-latest: enough for s3_key',
          required: true,
          type: 'choice',
          options: Object.keys(VM_IMPORT_RUNNERS),
          default: 'self-hosted',
        },
      },
    },
  });
  wf.addJobs({
    'environment-check': environmentCheckJob(o.environments.vmImport, o.branch),
    import: {
      name: 'Import ${{ inputs.server || inputs.image_path || inputs.s3_key }}',
      needs: ['environment-check'],
      runsOn: [`\${{ inputs.runner == 'ubuntu-latest' && '${VM_IMPORT_RUNNERS['ubuntu-latest'][0]}' || fromJSON('${JSON.stringify(VM_IMPORT_RUNNERS['self-hosted'])}') }}`],
      environment: o.environments.vmImport,
      permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
      timeoutMinutes: VM_IMPORT_TIMEOUT_MINUTES,
      steps: [
        // The action is a self-contained bundle: only reading the Region needs Node and the installed CLI.
        ...(o.region ? [checkoutStep()] : nodeSteps(o.nodeVersion)),
        ...(o.region ? [] : [{ name: 'Read the estate Region', id: 'estate', run: `${o.cli} outputs region${configFlag(o)} --github-output` }]),
        assumeRoleStep('vmImport', o.roles, { region: o.region ?? '${{ steps.estate.outputs.region }}', session: 'vm-import', timeoutMinutes: VM_IMPORT_TIMEOUT_MINUTES }),
        {
          name: 'VM Import',
          id: 'vmimport',
          uses: `./${o.actionsDir}/vm-import`,
          with: {
            'image-path': '${{ inputs.image_path }}',
            's3-key': '${{ inputs.s3_key }}',
            format: '${{ inputs.format }}',
            os: '${{ inputs.os }}',
            server: '${{ inputs.server }}',
            launch: '${{ inputs.launch }}',
            report: 'vm-import-report.json',
            ...configInput(o),
          },
        },
        uploadStep({ name: 'Upload the report', if: 'always()', artifact: 'vm-import-report-${{ github.run_id }}', path: 'vm-import-report.json', ifNoFilesFound: 'warn', retentionDays: 90 }),
      ],
    },
  });
  return wf;
}
