import { OutputChange, ResourceChange, TerraformPlan } from './plan';

/** What a resource change does, in the words of the summary table. */
export type ChangeKind = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'forget' | 'noop';

/** Counts per kind, in the exact key order of summary.json (the CLI contract). */
export interface ResourceCounts {
  create: number;
  update: number;
  delete: number;
  replace: number;
  import: number;
  move: number;
  forget: number;
  read: number;
  noop: number;
}

export interface OutputCounts {
  create: number;
  update: number;
  delete: number;
}

export function emptyCounts(): ResourceCounts {
  return { create: 0, update: 0, delete: 0, replace: 0, import: 0, move: 0, forget: 0, read: 0, noop: 0 };
}

export function emptyOutputCounts(): OutputCounts {
  return { create: 0, update: 0, delete: 0 };
}

/**
 * The kind of a change from its action list. Both `["delete","create"]` and
 * `["create","delete"]` (create_before_destroy) are one replacement; `["create","forget"]`
 * (replace while keeping the old object) is a replacement too.
 */
export function changeKind(actions: readonly string[]): ChangeKind {
  if (actions.length === 2 && actions.includes('create') && (actions.includes('delete') || actions.includes('forget'))) return 'replace';
  if (actions.length !== 1) throw new Error(`unexpected action combination ${JSON.stringify(actions)}`);
  const a = actions[0];
  if (a === 'no-op') return 'noop';
  return a as ChangeKind;
}

/** True for a change that removes real infrastructure (delete, or replace through delete). */
export function destroys(rc: ResourceChange): boolean {
  return rc.change.actions.includes('delete');
}

export function isImport(rc: ResourceChange): boolean {
  return rc.change.importing != null;
}

export function isMove(rc: ResourceChange): boolean {
  return typeof rc.previous_address === 'string' && rc.previous_address !== rc.address;
}

/**
 * Counts of a plan. Every resource change lands in exactly one action kind, except that a no-op
 * which is really an import or a move counts as `import`/`move` instead of `noop`; an import or
 * move that also changes the object counts in both (as Terraform's own "Plan:" line does).
 */
export function countResources(changes: readonly ResourceChange[]): ResourceCounts {
  const c = emptyCounts();
  for (const rc of changes) {
    const kind = changeKind(rc.change.actions);
    const imported = isImport(rc);
    const moved = isMove(rc);
    if (imported) c.import++;
    if (moved) c.move++;
    if (kind === 'noop' && (imported || moved)) continue;
    c[kind]++;
  }
  return c;
}

export function outputKind(oc: OutputChange): 'create' | 'update' | 'delete' | 'noop' {
  const a = oc.actions;
  if (a.includes('create') && a.includes('delete')) return 'update';
  if (a.includes('create')) return 'create';
  if (a.includes('delete')) return 'delete';
  if (a.includes('update')) return 'update';
  return 'noop';
}

export function countOutputs(outputs: Record<string, OutputChange> | undefined): OutputCounts {
  const c = emptyOutputCounts();
  for (const oc of Object.values(outputs ?? {})) {
    const k = outputKind(oc);
    if (k !== 'noop') c[k]++;
  }
  return c;
}

/** Changes that need an apply: everything but no-ops and data-source reads. */
export function hasChanges(r: ResourceCounts, o: OutputCounts): boolean {
  return r.create + r.update + r.delete + r.replace + r.import + r.move + r.forget + o.create + o.update + o.delete > 0;
}

export function addCounts<T extends object>(a: T, b: T): T {
  const out = { ...a } as Record<string, number>;
  for (const [k, v] of Object.entries(b as Record<string, number>)) out[k] = (out[k] ?? 0) + v;
  return out as T;
}

export function resourceChanges(plan: TerraformPlan): readonly ResourceChange[] {
  return plan.resource_changes ?? [];
}
