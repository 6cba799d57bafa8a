import type { ConflictException, ErrorDetails } from '@aws-sdk/client-mgn';
import { errorCode } from '../core/retry';

/**
 * The servers a ConflictException names, with MGN's reason for each. StartTest, StartCutover and
 * TerminateTargetInstances refuse the whole call when some of its servers cannot take part, and
 * name each of those in `errors[]` (ErrorDetails: resourceId, code, message); a conflict about one
 * resource may carry it as the top-level `resourceId` instead. Only IDs among `ids` count.
 * @returns an empty map when the error is not a ConflictException or names none of `ids`
 */
export function conflictingServers(e: unknown, ids: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (errorCode(e) !== 'ConflictException') return out;
  const err = e as Partial<ConflictException>;
  const details: ErrorDetails[] = [...(err.errors ?? []), ...(err.resourceId ? [{ resourceId: err.resourceId, code: err.code, message: err.message }] : [])];
  for (const d of details) {
    if (!d.resourceId || !ids.includes(d.resourceId) || out.has(d.resourceId)) continue;
    out.set(d.resourceId, `${d.message ?? 'conflict'}${d.code ? ` (${d.code})` : ''}`);
  }
  return out;
}
