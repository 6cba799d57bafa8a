import { createHash } from 'node:crypto';

/**
 * Characters of the estate name that every bounded name keeps: the apply role manages the
 * automation resources by this prefix (security stack, applyScope), so it is one number for all.
 */
export const KEPT_ESTATE_CHARS = 33;

/**
 * `<estate>-<suffix>` within an AWS name limit: when too long, the estate part is cut to
 * KEPT_ESTATE_CHARS and a short hash of the full name keeps names unique and stable.
 */
export function boundedName(estate: string, suffix: string, max: number): string {
  const full = `${estate}-${suffix}`;
  const hashLength = 6;
  // <kept>-<hash>-<suffix> must fit, or a long estate name would fall outside the apply role's patterns.
  if (KEPT_ESTATE_CHARS + hashLength + 2 + suffix.length > max) throw new Error(`boundedName: suffix "${suffix}" leaves fewer than ${KEPT_ESTATE_CHARS} characters of the estate name within ${max}`);
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, hashLength);
  return `${estate.slice(0, KEPT_ESTATE_CHARS)}-${hash}-${suffix}`;
}

/** The names the automation stack gives its resources (the apply role's policy names the roles it passes). */
export interface AutomationNames {
  readonly topic: string;
  readonly claimsTable: string;
  readonly deadLetters: string;
  readonly reEncryption: string;
  readonly amiSwap: string;
  readonly stoppedRunRule: string;
  readonly functions: {
    readonly resolveSourceImage: string;
    readonly resolveBackupTarget: string;
    readonly applyRetention: string;
    readonly recoverStoppedRun: string;
  };
}

export function automationNames(estate: string): AutomationNames {
  return {
    topic: boundedName(estate, 'automation', 256),
    claimsTable: boundedName(estate, 'automation-claims', 255),
    deadLetters: boundedName(estate, 'automation-dead-letters', 80),
    reEncryption: boundedName(estate, 'ami-re-encryption', 58),
    amiSwap: boundedName(estate, 'ami-swap', 58),
    stoppedRunRule: boundedName(estate, 'automation-stopped-runs', 64),
    functions: {
      resolveSourceImage: boundedName(estate, 'resolve-source-image', 64),
      resolveBackupTarget: boundedName(estate, 'resolve-backup-target', 64),
      applyRetention: boundedName(estate, 'apply-retention', 64),
      recoverStoppedRun: boundedName(estate, 'recover-stopped-run', 64),
    },
  };
}

/** Role of a state machine and of the rule that starts it (PipelineStateMachine). */
export function stateMachineRoleNames(stateMachineName: string): { role: string; startRole: string } {
  return { role: stateMachineName.slice(0, 64), startRole: `${stateMachineName}-start`.slice(0, 64) };
}
