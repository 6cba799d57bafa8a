/**
 * The parts of `terraform show -json` that the review reads, checked at the boundary so that a
 * truncated or foreign file fails with a message naming the file and the field, not a TypeError
 * three modules later. Every key Terraform may leave out (resource_changes, output_changes, the
 * `*_sensitive` trees of format 0.1) is optional here.
 */

import { RehostError } from '../core/errors';

/** A JSON value as Terraform writes it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `true` marks the whole value; an object/array marks its members; `false`/absent marks nothing. */
export type Marker = Json | undefined;

export interface PlanChange {
  readonly actions: readonly string[];
  readonly before?: Json;
  readonly after?: Json;
  readonly after_unknown?: Marker;
  readonly before_sensitive?: Marker;
  readonly after_sensitive?: Marker;
  readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
  readonly importing?: { readonly id?: string; readonly identity?: Json } | null;
}

export interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly mode?: string;
  readonly type?: string;
  readonly name?: string;
  readonly module_address?: string;
  readonly deposed?: string;
  readonly action_reason?: string;
  readonly change: PlanChange;
}

/** An output's change: the value fields of a resource change, nothing else. */
export type OutputChange = Pick<PlanChange, 'actions' | 'before' | 'after' | 'after_unknown' | 'before_sensitive' | 'after_sensitive'>;

export interface StateResource {
  readonly address?: string;
  readonly values?: Json;
  readonly sensitive_values?: Marker;
}

export interface StateModule {
  readonly resources?: readonly StateResource[];
  readonly child_modules?: readonly StateModule[];
}

export interface StateValues {
  readonly outputs?: Record<string, { readonly sensitive?: boolean; readonly value?: Json }>;
  readonly root_module?: StateModule;
}

/** A `terraform show -json PLANFILE` document (format 0.1 to 1.x). */
export interface TerraformPlan {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly variables?: Record<string, { readonly value?: Json }>;
  readonly planned_values?: StateValues;
  readonly prior_state?: { readonly values?: StateValues };
  readonly resource_changes?: readonly ResourceChange[];
  readonly resource_drift?: readonly ResourceChange[];
  readonly output_changes?: Record<string, OutputChange>;
  readonly configuration?: {
    readonly root_module?: {
      readonly variables?: Record<string, { readonly sensitive?: boolean }>;
      readonly outputs?: Record<string, { readonly sensitive?: boolean }>;
    };
  };
  readonly errored?: boolean;
  readonly complete?: boolean;
  readonly applyable?: boolean;
}

/** A plan that cannot be read or is not a `terraform show -json` plan; the CLI exits 2 on it. */
export class PlanInputError extends RehostError {
  constructor(public readonly file: string, detail: string) {
    super('invalid-input', `${file}: ${detail}`);
    this.name = 'PlanInputError';
  }
}

const KNOWN_ACTIONS = new Set(['no-op', 'create', 'read', 'update', 'delete', 'forget']);

/**
 * The action lists Terraform writes: the comment on `Change.Actions` in Terraform's
 * internal/command/jsonplan/plan.go ("Valid actions values are") and its `actionString`. Any other
 * list (`["create","update"]`, `["delete","delete"]`) is not a plan Terraform made.
 */
export const TERRAFORM_ACTIONS: ReadonlyArray<readonly string[]> = [
  ['no-op'], ['create'], ['read'], ['update'], ['delete'], ['forget'],
  ['delete', 'create'], ['create', 'delete'], ['create', 'forget'],
];
const ACTION_KEYS = new Set(TERRAFORM_ACTIONS.map((a) => a.join(',')));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks the structure the review depends on and returns the document typed. Values inside
 * before/after are not checked: they are whatever the provider schema says.
 */
export function parsePlan(text: string, file: string): TerraformPlan {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PlanInputError(file, `not valid JSON (${(e as Error).message}); expected the output of \`terraform show -json PLANFILE\``);
  }
  const fail = (field: string, expected: string): never => {
    throw new PlanInputError(file, `${field}: expected ${expected} (is this the output of \`terraform show -json PLANFILE\`?)`);
  };
  if (!isObject(doc)) return fail('(root)', 'a JSON object');
  if (typeof doc.format_version !== 'string') {
    // `terraform show -json` of a state (not a plan) has format_version too, but no planned_values.
    return fail('format_version', 'a string such as "1.2"');
  }
  if (!/^[01]\./.test(doc.format_version)) fail('format_version', `a 0.x or 1.x plan format, got "${doc.format_version}"`);
  if (!('planned_values' in doc) && !('resource_changes' in doc) && 'values' in doc) {
    fail('(root)', 'a plan, got a state (`terraform show -json` without a plan file)');
  }
  const checkActions = (at: string, actions: unknown): void => {
    if (!Array.isArray(actions) || actions.length === 0 || actions.some((a) => typeof a !== 'string')) {
      return fail(at, 'a non-empty array of action names');
    }
    const unknown = (actions as string[]).filter((a) => !KNOWN_ACTIONS.has(a));
    if (unknown.length) fail(at, `actions among ${[...KNOWN_ACTIONS].join(', ')}, got ${unknown.join(', ')}`);
    if (!ACTION_KEYS.has(actions.join(','))) {
      fail(at, `one of the action lists Terraform writes (${TERRAFORM_ACTIONS.map((a) => JSON.stringify(a)).join(', ')}), got ${JSON.stringify(actions)}`);
    }
  };
  const optional = (at: string, value: unknown, ok: boolean, expected: string): void => {
    if (value !== undefined && value !== null && !ok) fail(at, expected);
  };
  for (const key of ['resource_changes', 'resource_drift'] as const) {
    if (doc[key] === undefined) continue;
    if (!Array.isArray(doc[key])) fail(key, 'an array');
    (doc[key] as unknown[]).forEach((rc, i) => {
      const at = `${key}[${i}]`;
      if (!isObject(rc)) return fail(at, 'an object');
      if (typeof rc.address !== 'string') fail(`${at}.address`, 'a string');
      for (const f of ['previous_address', 'type', 'mode', 'deposed', 'action_reason'] as const) {
        optional(`${at}.${f}`, rc[f], typeof rc[f] === 'string', 'a string');
      }
      const change = rc.change;
      if (!isObject(change)) return fail(`${at}.change`, 'an object');
      checkActions(`${at}.change.actions`, change.actions);
      const rp = change.replace_paths;
      optional(`${at}.change.replace_paths`, rp, Array.isArray(rp) && rp.every((p) => Array.isArray(p) && p.every((x) => typeof x === 'string' || typeof x === 'number')), 'an array of attribute paths (arrays of names and indexes)');
      const imp = change.importing;
      optional(`${at}.change.importing`, imp, isObject(imp) && (imp.id === undefined || typeof imp.id === 'string'), 'an object with a string id');
      return undefined;
    });
  }
  if (doc.output_changes !== undefined) {
    if (!isObject(doc.output_changes)) fail('output_changes', 'an object');
    for (const [name, oc] of Object.entries(doc.output_changes as Record<string, unknown>)) {
      if (!isObject(oc)) fail(`output_changes.${name}`, 'an object');
      checkActions(`output_changes.${name}.actions`, (oc as Record<string, unknown>).actions);
    }
  }
  return doc as unknown as TerraformPlan;
}
