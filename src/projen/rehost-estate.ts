import { relative, resolve } from 'node:path';
import { Component, JsonFile, Project } from 'projen';
import { loadFactoryFile } from '../config/load';
import { estateWorkflowSettings } from '../config/workflow-roles';
import { RehostWorkflows, WorkflowRolesOptions } from './rehost-workflows';
import { vendorActions } from './vendored-actions';

export interface RehostEstateProps {
  /**
   * The estate file, relative to the project: the workflows' branch, environments, Region and
   * matrix size come from it, and every job reads it.
   * @default "factory.yaml"
   */
  readonly estateFile?: string;
  /**
   * The folder of the repository holding the rehost-factory actions. Unset, the installed package's
   * actions are copied under .github/actions/rehost-factory, so the workflows run exactly the
   * installed version (set it only in the repository that builds the actions).
   * @default - copies of the installed package's actions
   */
  readonly actionsDir?: string;
  /**
   * The command that runs the rehost-factory CLI in a job, after `npm ci`.
   * @default "npx --no-install rehost-factory"
   */
  readonly cli?: string;
  /**
   * The cdktf.json `app`: what `cdktf synth` runs.
   * @default "node node_modules/rehost-factory/lib/main.js"
   */
  readonly cdktfApp?: string;
  /**
   * Paths whose change can change the synthesized infrastructure: infra-plan and infra-apply run only
   * when a pull request or push touches one.
   * @default - the estate file, .projenrc.ts, package.json, package-lock.json and cdktf.json
   */
  readonly infraPaths?: readonly string[];
  /**
   * The repository secrets holding the role ARNs.
   * @default the four REHOST_*_ROLE_ARN secrets (RehostWorkflows)
   */
  readonly roles?: WorkflowRolesOptions;
  /** When drift detection runs (cron, UTC). @default "17 5 * * *" */
  readonly driftSchedule?: string;
  /** Terraform version of the infrastructure jobs. @default "1.11.4" */
  readonly terraformVersion?: string;
}

/**
 * Everything rehost-factory generates in a repository that holds an estate: the workflows
 * (infra-plan, infra-apply, drift, cutover, vm-import) built from the estate file, the actions they
 * run, cdktf.json, the `synth` and `validate` tasks, and the review settings of the generated files
 * that decide what runs with credentials.
 *
 * The estate file is read when projen runs: change `github.*` there, run `npx projen`, and the
 * workflows' environments change together with the roles' trust the next apply writes.
 */
export class RehostEstate extends Component {
  /** The estate file the workflows read. */
  public readonly estateFile: string;
  /** The command that runs the rehost-factory CLI in the workflows and tasks. */
  public readonly cli: string;
  /** The workflows. */
  public readonly workflows: RehostWorkflows;

  constructor(project: Project, props: RehostEstateProps = {}) {
    super(project);
    this.estateFile = props.estateFile ?? 'factory.yaml';
    const { config } = loadFactoryFile(relative(process.cwd(), resolve(project.outdir, this.estateFile)) || this.estateFile);
    const settings = estateWorkflowSettings(config, this.estateFile);
    const cli = (this.cli = props.cli ?? 'npx --no-install rehost-factory');
    this.workflows = new RehostWorkflows(project, {
      branch: settings.branch,
      environments: settings.environments,
      region: settings.region,
      matrixChunks: settings.matrixChunks,
      roles: props.roles,
      configFile: this.estateFile,
      cli,
      actionsDir: props.actionsDir ?? vendorActions(project),
      infraPaths: props.infraPaths ?? [this.estateFile, '.projenrc.ts', 'package.json', 'package-lock.json', 'cdktf.json'],
      nodeVersion: '24',
      terraformVersion: props.terraformVersion,
      driftSchedule: props.driftSchedule,
    });

    new JsonFile(project, 'cdktf.json', {
      obj: {
        language: 'typescript',
        app: props.cdktfApp ?? 'node node_modules/rehost-factory/lib/main.js',
        projectId: config.name,
        sendCrashReports: 'false',
        terraformProviders: [],
        terraformModules: [],
        context: {},
      },
    });
    project.addTask('synth', { description: `Synthesize the estate (${this.estateFile}) into cdktf.out/`, exec: `${cli} synth --config ${this.estateFile}`, receiveArgs: true });
    project.addTask('validate', { description: `Validate the estate (${this.estateFile})`, exec: `${cli} validate ${this.estateFile}`, receiveArgs: true });
    for (const p of ['cdktf.out/', '.terraform/', '*.tfstate', '*.tfstate.backup', 'rehost-report/']) project.gitignore.exclude(p);
  }

  /**
   * Generated files are marked linguist-generated, which collapses them in pull-request diffs. A
   * reviewer must see the ones that decide what runs with credentials: .github/ (workflows and
   * actions, and any file added there by hand), package.json (scripts and dependencies), the tasks
   * and .gitattributes itself (a pull request could otherwise collapse the workflows again);
   * `-linguist-generated` also overrides GitHub's own guesses. The lock file stays collapsed: it
   * follows package.json, and `npm ci` checks every package against its recorded integrity.
   */
  public preSynthesize(): void {
    const reviewed = ['.github/**', ...this.project.files.filter((f) => f.path.startsWith('.github/')).map((f) => f.path), '.gitattributes', 'package.json', '.projen/tasks.json'];
    for (const path of reviewed) {
      this.project.gitattributes.removeAttributes(`/${path}`, 'linguist-generated');
      this.project.gitattributes.addAttributes(`/${path}`, '-linguist-generated');
    }
  }
}
