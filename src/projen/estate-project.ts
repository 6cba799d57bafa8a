import { github, javascript, typescript } from 'projen';
import { RehostEstate, RehostEstateProps } from './rehost-estate';
import { addEstateBuildWorkflow } from './workflows/estate-build';

/** Options of an estate repository: projen's Node project options, and what RehostEstate takes. */
export interface RehostEstateProjectOptions extends Omit<javascript.NodeProjectOptions, 'defaultReleaseBranch'>, RehostEstateProps {
  /**
   * The branch projen's own settings name.
   * @default - the estate's github.branch
   */
  readonly defaultReleaseBranch?: string;
}

/**
 * A migration team's estate repository: factory.yaml, .projenrc.ts and what projen generates from
 * them with the installed rehost-factory (workflows, copies of the actions, cdktf.json, tasks).
 * It publishes nothing: no release, no package, no license file; the workflows install without
 * lifecycle scripts.
 *
 * ```ts
 * const project = new RehostEstateProject({ name: 'acme-migration' });
 * project.synth();
 * ```
 */
export class RehostEstateProject extends javascript.NodeProject {
  /** The estate's workflows, tasks and action copies. */
  public readonly estate: RehostEstate;

  constructor(options: RehostEstateProjectOptions) {
    super({
      packageManager: javascript.NodePackageManager.NPM,
      minNodeVersion: '24.0.0',
      workflowNodeVersion: '24',
      licensed: false,
      package: false,
      release: false,
      buildWorkflow: false,
      depsUpgrade: false,
      pullRequestTemplate: false,
      jest: false,
      npmignoreEnabled: false,
      entrypoint: '',
      projenrcJs: false,
      githubOptions: { mergify: false, pullRequestLint: false },
      ...options,
      defaultReleaseBranch: options.defaultReleaseBranch ?? 'main',
    });
    new typescript.ProjenrcTs(this);
    // Never published: npm refuses to publish a private package.
    this.package.addField('private', true);
    // rehost-factory without a version: projen keeps the one package.json pins (exact, written by
    // `rehost-factory init` and by `npm install -E rehost-factory@<version>` on an upgrade).
    this.addDevDeps('rehost-factory', 'typescript@~5.9.0', 'ts-node@^10.9.2', '@types/node@^24');
    this.estate = new RehostEstate(this, options);
    addEstateBuildWorkflow(github.GitHub.of(this)!, { branch: this.estate.workflows.options.branch, nodeVersion: '24', estateFile: this.estate.estateFile, cli: this.estate.cli });
  }
}
