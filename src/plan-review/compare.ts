import { Json, ResourceChange, TerraformPlan } from './plan';

/**
 * Stale-plan safety for apply on merge: the plan made after the merge must make exactly the
 * resource changes the reviewers approved on the pull request. Compared as JSON (not as text, which
 * changes with Terraform versions and colours): per address the actions, the before/after values,
 * what is unknown and sensitive, what forces replacement, imports and moves.
 */

const COMPARED = ['actions', 'before', 'after', 'after_unknown', 'before_sensitive', 'after_sensitive', 'replace_paths', 'importing'] as const;

/** JSON with object keys sorted, so that key order never counts as a difference. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function key(rc: ResourceChange): string {
  return rc.deposed ? `${rc.address} (deposed ${rc.deposed})` : rc.address;
}

/** The comparable form of a plan's resource changes; no-ops without move or import are left out. */
export function comparableChanges(plan: TerraformPlan): Map<string, Record<string, Json | undefined>> {
  const out = new Map<string, Record<string, Json | undefined>>();
  for (const rc of plan.resource_changes ?? []) {
    const c = rc.change as unknown as Record<string, Json | undefined>;
    const moved = rc.previous_address && rc.previous_address !== rc.address;
    if (rc.change.actions.length === 1 && rc.change.actions[0] === 'no-op' && !moved && !rc.change.importing) continue;
    const entry: Record<string, Json | undefined> = { previous_address: rc.previous_address ?? null };
    for (const f of COMPARED) entry[f] = c[f] ?? null;
    out.set(key(rc), entry);
  }
  return out;
}

export interface PlanDifference {
  readonly address: string;
  /** What differs, by field name: never the values (they may be sensitive). */
  readonly detail: string;
}

/** Differences between the reviewed plan and the new one; empty when the new plan may be applied. */
export function compareResourceChanges(reviewed: TerraformPlan, current: TerraformPlan): PlanDifference[] {
  const a = comparableChanges(reviewed);
  const b = comparableChanges(current);
  const diffs: PlanDifference[] = [];
  for (const [address, was] of a) {
    const now = b.get(address);
    if (!now) {
      diffs.push({ address, detail: `reviewed change (${canonicalJson(was.actions)}) is no longer in the plan` });
      continue;
    }
    const fields = ['previous_address', ...COMPARED].filter((f) => canonicalJson(was[f]) !== canonicalJson(now[f]));
    if (fields.length) diffs.push({ address, detail: `differs in ${fields.join(', ')} (reviewed ${canonicalJson(was.actions)}, now ${canonicalJson(now.actions)})` });
  }
  for (const [address, now] of b) if (!a.has(address)) diffs.push({ address, detail: `not in the reviewed plan: ${canonicalJson(now.actions)}` });
  return diffs;
}
