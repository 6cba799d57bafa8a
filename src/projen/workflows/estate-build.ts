import { github } from 'projen';
import { nodeSteps } from '../steps';

const { JobPermission } = github.workflows;

/** Options of an estate repository's build workflow. */
export interface EstateBuildWorkflowOptions {
  /** The branch whose pushes are checked (pull requests are checked whatever their base). */
  readonly branch: string;
  readonly nodeVersion: string;
  /** The estate file. */
  readonly estateFile: string;
  /** The command that runs the rehost-factory CLI. */
  readonly cli: string;
}

/**
 * build.yml of an estate repository, without credentials: the generated files are what `npx projen`
 * writes from the estate and the installed package (workflows, action copies, cdktf.json), the
 * estate is valid, and it synthesizes. The workflows come from the estate file, so an edit of its
 * `github` section without `npx projen` fails here before the roles and the workflows disagree.
 */
export function addEstateBuildWorkflow(gh: github.GitHub, o: EstateBuildWorkflowOptions): github.GithubWorkflow {
  const wf = new github.GithubWorkflow(gh, 'build');
  wf.on({ push: { branches: [o.branch] }, pullRequest: {} });
  wf.addJobs({
    check: {
      name: 'Generated files, validate, synthesize',
      runsOn: ['ubuntu-latest'],
      permissions: { contents: JobPermission.READ },
      timeoutMinutes: 15,
      steps: [
        ...nodeSteps(o.nodeVersion),
        {
          name: 'Generated files are up to date',
          run: [
            'npx projen',
            'if ! git diff --exit-code || [ -n "$(git status --porcelain)" ]; then',
            '  git status --short',
            `  echo "::error::npx projen changed generated files (workflows, action copies, package.json...): run npx projen and commit the result."`,
            '  exit 1',
            'fi',
          ].join('\n'),
        },
        { name: 'Validate the estate', run: `${o.cli} validate ${o.estateFile}` },
        { name: 'Synthesize the estate', run: `${o.cli} synth --config ${o.estateFile}` },
      ],
    },
  });
  return wf;
}
