import { github } from 'projen';
import { PINNED_ACTIONS } from '../actions';
import { nodeSteps, terraformStep } from '../steps';

const { JobPermission } = github.workflows;

/** Options of the repository's own CI workflow. */
export interface BuildWorkflowOptions {
  /** The branch whose pushes are tested (pull requests are tested whatever their base). @default "main" */
  readonly branch?: string;
  /** @default "20" */
  readonly nodeVersion?: string;
  /** @default "1.11.4" */
  readonly terraformVersion?: string;
}

/**
 * build.yml: this repository's CI. The test command with the oracles it needs (moto, cfn-lint,
 * terraform), then a check that `npx projen` leaves every generated file as committed.
 */
export function addBuildWorkflow(gh: github.GitHub, options: BuildWorkflowOptions = {}): github.GithubWorkflow {
  const wf = new github.GithubWorkflow(gh, 'build');
  wf.on({ push: { branches: [options.branch ?? 'main'] }, pullRequest: {} });
  wf.addJobs({
    test: {
      name: 'Type-check and test',
      runsOn: ['ubuntu-latest'],
      permissions: { contents: JobPermission.READ },
      timeoutMinutes: 30,
      steps: [
        ...nodeSteps(options.nodeVersion ?? '24'),
        { name: 'Set up Python', uses: PINNED_ACTIONS.setupPython, with: { 'python-version': '3.12' } },
        { name: 'Install moto and cfn-lint', run: "python -m pip install 'moto[server]==5.2.1' 'cfn-lint==1.51.0'" },
        terraformStep(options.terraformVersion ?? '1.11.4'),
        { name: 'Test', run: 'npm test' },
        {
          name: 'Generated files are up to date',
          run: [
            'npx projen',
            'if ! git diff --exit-code || [ -n "$(git status --porcelain)" ]; then',
            '  git status --short',
            '  echo "::error::npx projen changed generated files (package.json, workflows, action bundles...). Run npx projen and commit the result."',
            '  exit 1',
            'fi',
          ].join('\n'),
        },
      ],
    },
  });
  return wf;
}
