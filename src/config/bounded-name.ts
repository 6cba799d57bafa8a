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
