import { RehostError } from '../core/errors';
import { MATRIX_LIMIT, WAVE_MATRIX_CHUNKS } from './dispatch';
import type { FactoryConfig } from './schema';

/**
 * What the estate decides for the workflows that assume its roles. The access stack builds the roles'
 * trust from the same values, so the jobs present exactly the subjects the roles trust.
 */

/** The four workflow roles. */
export type WorkflowRole = 'plan' | 'apply' | 'cutover' | 'vm-import';

/**
 * Longest session of each role: at least the longest job that holds it (a wave's cutover job waits up
 * to the post-launch timeout; a VM Import of a large image uploads and converts for hours), at most
 * IAM's 12 hours. The roles are created with these, and the workflows ask for sessions within them.
 */
export const SESSION_SECONDS: Readonly<Record<WorkflowRole, number>> = { plan: 3600, apply: 3600, cutover: 14400, 'vm-import': 36000 };

/** The estate's settings of its workflows. */
export interface EstateWorkflowSettings {
  /** The branch that applies, whose pull requests are planned. */
  readonly branch: string;
  /** The environments of the jobs that assume the write roles. */
  readonly environments: { readonly apply: string; readonly cutover: string; readonly vmImport: string };
  /** Where every job assumes its role. */
  readonly region: string;
  /** Matrix chunks of MATRIX_LIMIT servers the cutover workflow needs for the largest wave, at least 1. */
  readonly matrixChunks: number;
}

/**
 * The workflow settings of an estate. Refuses an estate without a `github` section: without it no
 * workflow role exists to assume.
 */
export function estateWorkflowSettings(config: FactoryConfig, file: string): EstateWorkflowSettings {
  const g = config.github;
  if (!g) throw new RehostError('invalid-input', `${file}: github: the estate has no github section, so it creates no workflow role for the workflows to assume; expected github.repository ("owner/repo"), and optionally branch and environments`);
  const largestWave = Math.max(0, ...config.waves.map((w) => w.applications.reduce((n, a) => n + a.servers.length, 0)));
  return {
    branch: g.branch,
    environments: { apply: g.applyEnvironment, cutover: g.cutoverEnvironment, vmImport: g.vmImportEnvironment },
    region: config.region,
    matrixChunks: Math.min(WAVE_MATRIX_CHUNKS, Math.max(1, Math.ceil(largestWave / MATRIX_LIMIT))),
  };
}
