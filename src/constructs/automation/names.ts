import { createHash } from 'node:crypto';

/**
 * `<estate>-<suffix>` within an AWS name limit: when too long, the estate part is cut and a short
 * hash of the full name keeps names unique and stable.
 */
export function boundedName(estate: string, suffix: string, max: number): string {
  const full = `${estate}-${suffix}`;
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  return `${estate.slice(0, Math.max(1, max - suffix.length - hash.length - 2))}-${hash}-${suffix}`.slice(0, max);
}
