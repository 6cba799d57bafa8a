import { Component, github, Project } from 'projen';
import { WAVE_MATRIX_CHUNKS } from '../config/dispatch';
import { DEFAULT_ENVIRONMENTS, DEFAULT_ROLES, RoleName, WorkflowEnvironments, WorkflowRole } from './environments';
import { addApplyWorkflow } from './workflows/apply';
import { addCutoverWorkflow } from './workflows/cutover';
import { addDriftWorkflow } from './workflows/drift';
import { ResolvedWorkflowOptions } from './workflows/options';
import { addPlanWorkflow } from './workflows/plan';
import { addVmImportWorkflow } from './workflows/vm-import';

/** Paths whose change can change the synthesized infrastructure, by default. */
export const DEFAULT_INFRA_PATHS: readonly string[] = ['src/**', 'examples/**', 'factory.yaml', 'cdktf.json', 'package.json', 'package-lock.json', '.projenrc.ts'];

/** The workflow roles' secrets and maximum sessions; each field overrides the default of its role. */
export interface WorkflowRolesOptions {
  /** The read-only role of infra-plan, the re-plan and drift. @default { secret: "REHOST_PLAN_ROLE_ARN", maxSessionSeconds: 3600 } */
  readonly plan?: Partial<WorkflowRole>;
  /** The role infra-apply applies with. @default { secret: "REHOST_APPLY_ROLE_ARN", maxSessionSeconds: 3600 } */
  readonly apply?: Partial<WorkflowRole>;
  /** The role of the cutover jobs. @default { secret: "REHOST_CUTOVER_ROLE_ARN", maxSessionSeconds: 14400 } */
  readonly cutover?: Partial<WorkflowRole>;
  /** The role of the VM Import job. @default { secret: "REHOST_VMIMPORT_ROLE_ARN", maxSessionSeconds: 36000 } */
  readonly vmImport?: Partial<WorkflowRole>;
}

export interface RehostWorkflowsProps {
  /**
   * The branch that may plan with credentials outside pull requests, apply and deploy: pushes to
   * it apply, pull requests into it are planned, the environments must deploy from it only
   * (factory.yaml `github.branch`).
   * @default "main"
   */
  readonly branch?: string;
  /**
   * The environments of the jobs that assume a write role (factory.yaml `github.applyEnvironment`,
   * `github.cutoverEnvironment`, `github.vmImportEnvironment`).
   * @default { apply: "infrastructure", cutover: "cutover", vmImport: "vm-import" }
   */
  readonly environments?: WorkflowEnvironments;
  /**
   * The repository secrets holding the role ARNs, and the roles' maximum sessions (a job may not
   * run longer than its role's sessions last).
   * @default the four REHOST_*_ROLE_ARN secrets, sessions of 1 h (plan, apply), 4 h (cutover), 10 h (VM Import)
   */
  readonly roles?: WorkflowRolesOptions;
  /**
   * The estate's Region, where the jobs assume their roles.
   * @default - read from the estate at run time (the synthesized stacks, or the estate file)
   */
  readonly region?: string;
  /**
   * Matrix chunks of 256 servers the cutover workflow fans out to: the most servers one dispatch can
   * run is 256 × this. At most the chunks the wave-plan action outputs.
   * @default WAVE_MATRIX_CHUNKS (src/config/dispatch.ts)
   */
  readonly matrixChunks?: number;
  /**
   * Paths whose change can change the synthesized infrastructure: infra-plan and infra-apply run
   * only when a pull request or push touches one.
   * @default DEFAULT_INFRA_PATHS
   */
  readonly infraPaths?: readonly string[];
  /** Node.js version of the jobs. @default "24" */
  readonly nodeVersion?: string;
  /** Terraform version of the infrastructure jobs. @default "1.11.4" */
  readonly terraformVersion?: string;
  /**
   * The estate file the workflows read.
   * @default - each command's and action's own default: factory.yaml (the cutover workflow), factory.yaml else examples/factory.yaml (synth, VM Import)
   */
  readonly configFile?: string;
  /** The command that runs the rehost-factory CLI in a job, after `npm ci`. @default "npx ts-node --swc src/cli.ts" */
  readonly cli?: string;
  /** The folder holding the rehost-factory actions (wave-plan, server-cutover, wave-report, vm-import, plan-review), relative to the checkout. @default "actions" */
  readonly actionsDir?: string;
  /** Where the jobs synthesize the stacks. @default "cdktf.out" */
  readonly outDir?: string;
  /** When drift detection runs (cron, UTC). @default "17 5 * * *" */
  readonly driftSchedule?: string;
}

/**
 * The rehost-factory workflows of an estate repository: infra-plan, infra-apply and drift (the
 * Terraform stacks), cutover (wave runs) and vm-import. Each job that assumes a role holds only
 * the permissions it needs and presents only the OIDC subject its role trusts
 * (docs/workflow-security.md).
 */
export class RehostWorkflows extends Component {
  /** The props with every default applied. */
  public readonly options: ResolvedWorkflowOptions;

  constructor(project: Project, props: RehostWorkflowsProps = {}) {
    super(project);
    const gh = github.GitHub.of(project);
    if (!gh) throw new Error('RehostWorkflows: the project has no GitHub component (githubOptions / github: true)');
    const matrixChunks = props.matrixChunks ?? WAVE_MATRIX_CHUNKS;
    if (!Number.isInteger(matrixChunks) || matrixChunks < 1 || matrixChunks > WAVE_MATRIX_CHUNKS) {
      throw new Error(`RehostWorkflows: matrixChunks must be a whole number from 1 to ${WAVE_MATRIX_CHUNKS} (the wave-plan action's matrix outputs), got ${matrixChunks}`);
    }
    const roles = Object.fromEntries((Object.keys(DEFAULT_ROLES) as RoleName[]).map((r) => [r, { ...DEFAULT_ROLES[r], ...props.roles?.[r] }])) as Record<RoleName, WorkflowRole>;
    this.options = {
      branch: props.branch ?? 'main',
      environments: { ...DEFAULT_ENVIRONMENTS, ...props.environments },
      roles,
      region: props.region,
      matrixChunks,
      infraPaths: props.infraPaths ?? DEFAULT_INFRA_PATHS,
      nodeVersion: props.nodeVersion ?? '24',
      terraformVersion: props.terraformVersion ?? '1.11.4',
      configFile: props.configFile,
      cli: props.cli ?? 'npx ts-node --swc src/cli.ts',
      actionsDir: (props.actionsDir ?? 'actions').replace(/^\.\/|\/$/g, ''),
      outDir: props.outDir ?? 'cdktf.out',
      driftSchedule: props.driftSchedule ?? '17 5 * * *',
    };
    validate(this.options);
    addPlanWorkflow(gh, this.options);
    addApplyWorkflow(gh, this.options);
    addDriftWorkflow(gh, this.options);
    addCutoverWorkflow(gh, this.options);
    addVmImportWorkflow(gh, this.options);
  }
}

/**
 * Refuses props that would generate a broken or unsafe workflow: names end up as literals in the
 * YAML and in the roles' OIDC subjects, so an expression or a wildcard there is refused.
 */
function validate(o: ResolvedWorkflowOptions): void {
  const problems: string[] = [];
  const plainName = (field: string, value: string) => {
    if (!value || /[*?\s]|\$\{\{/.test(value)) problems.push(`${field}: expected a plain name (no spaces, wildcards or \${{ }} expressions), got ${JSON.stringify(value)}`);
  };
  plainName('branch', o.branch);
  for (const [k, v] of Object.entries(o.environments)) plainName(`environments.${k}`, v);
  for (const [k, r] of Object.entries(o.roles)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.secret) || /^GITHUB_/i.test(r.secret)) problems.push(`roles.${k}.secret: expected a secret name (letters, digits, "_", not starting with a digit or GITHUB_), got ${JSON.stringify(r.secret)}`);
    if (!Number.isInteger(r.maxSessionSeconds) || r.maxSessionSeconds < 900 || r.maxSessionSeconds > 43_200) problems.push(`roles.${k}.maxSessionSeconds: expected whole seconds from 900 to 43200 (IAM's MaxSessionDuration range), got ${r.maxSessionSeconds}`);
  }
  if (o.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(o.region)) problems.push(`region: expected an AWS Region such as eu-west-1, got ${JSON.stringify(o.region)}`);
  if (!o.infraPaths.length) problems.push('infraPaths: expected at least one path filter');
  if (problems.length) throw new Error(`RehostWorkflows: ${problems.join('; ')}`);
}
