import type { RoleName, WorkflowRole } from '../environments';

/** RehostWorkflows' props with every default applied: what each workflow module reads. */
export interface ResolvedWorkflowOptions {
  readonly branch: string;
  readonly environments: { readonly apply: string; readonly cutover: string; readonly vmImport: string };
  readonly roles: Readonly<Record<RoleName, WorkflowRole>>;
  /** A literal Region, or undefined: read from the estate at run time. */
  readonly region?: string;
  readonly matrixChunks: number;
  readonly infraPaths: readonly string[];
  readonly nodeVersion: string;
  readonly terraformVersion: string;
  /** The estate file, or undefined: each command's and action's own default. */
  readonly configFile?: string;
  readonly cli: string;
  readonly actionsDir: string;
  readonly outDir: string;
  readonly driftSchedule: string;
}

/** ` --config FILE` when the estate file is set, else nothing. */
export const configFlag = (o: ResolvedWorkflowOptions): string => (o.configFile ? ` --config ${o.configFile}` : '');

/** `config: FILE` for an action input when the estate file is set, else nothing. */
export const configInput = (o: ResolvedWorkflowOptions): Record<string, string> => (o.configFile ? { config: o.configFile } : {});
