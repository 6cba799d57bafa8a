/**
 * A small evaluator of identity-policy statements for tests: does a set of statements allow an
 * action on a resource in a request context? Follows IAM's rules for what the stacks use: explicit
 * Deny wins; Action/NotAction match case-insensitively with * and ?; Resource/NotResource match
 * case-sensitively; every condition operator must hold, each key ORs its values, a missing key
 * fails (ForAllValues: holds; ...IfExists: holds); Null tests a key's presence. An operator it does not know throws, so a test
 * never passes on a condition it could not read.
 */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny' | string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export type RequestContext = Record<string, string | string[] | boolean>;

const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's').test(value);
}

function actionMatches(s: Statement, action: string): boolean {
  if (s.NotAction !== undefined) return !list(s.NotAction).some((a) => glob(a, action, true));
  return list(s.Action).some((a) => glob(a, action, true));
}

function resourceMatches(s: Statement, resource: string): boolean {
  if (s.NotResource !== undefined) return !list(s.NotResource).some((r) => glob(r, resource, false));
  return list(s.Resource).some((r) => glob(r, resource, false));
}

const COMPARE: Record<string, (want: string, got: string) => boolean> = {
  StringEquals: (w, g) => w === g,
  StringNotEquals: (w, g) => w !== g,
  StringEqualsIgnoreCase: (w, g) => w.toLowerCase() === g.toLowerCase(),
  StringLike: (w, g) => glob(w, g, false),
  StringNotLike: (w, g) => !glob(w, g, false),
  ArnEquals: (w, g) => w === g,
  ArnLike: (w, g) => glob(w, g, false),
  ArnNotLike: (w, g) => !glob(w, g, false),
  Bool: (w, g) => String(w).toLowerCase() === String(g).toLowerCase(),
};

function conditionHolds(operator: string, entries: Record<string, unknown>, ctx: RequestContext): boolean {
  if (operator === 'Null') {
    // "true": the key must be absent from the request; "false": present.
    return Object.entries(entries).every(([key, wanted]) => {
      const present = Object.keys(ctx).some((k) => k.toLowerCase() === key.toLowerCase());
      return String(wanted).toLowerCase() === 'true' ? !present : present;
    });
  }
  const m = /^(ForAllValues:|ForAnyValue:)?([A-Za-z]+?)(IfExists)?$/.exec(operator);
  const compare = m && COMPARE[m[2]];
  if (!m || !compare) throw new Error(`iam-matcher: condition operator ${operator} is not modelled`);
  const negated = /Not/.test(m[2]);
  return Object.entries(entries).every(([key, wanted]) => {
    const values = list(wanted as string | string[]).map(String);
    const present = Object.keys(ctx).find((k) => k.toLowerCase() === key.toLowerCase());
    if (present === undefined) return m[1] === 'ForAllValues:' || m[3] !== undefined || negated;
    const got = list(ctx[present] as string | string[]).map(String);
    if (m[1] === 'ForAllValues:') return got.every((g) => values.some((w) => compare(w, g)));
    // Negated operators hold when the value matches none of the wanted values.
    if (negated) return got.every((g) => values.every((w) => compare(w, g)));
    return got.some((g) => values.some((w) => compare(w, g)));
  });
}

function applies(s: Statement, action: string, resource: string, ctx: RequestContext): boolean {
  return actionMatches(s, action) && resourceMatches(s, resource) && Object.entries(s.Condition ?? {}).every(([op, e]) => conditionHolds(op, e, ctx));
}

/** The Sid (or index) of the statement that allows the request, or undefined when it is not allowed. */
export function allowedBy(statements: Statement[], action: string, resource: string, ctx: RequestContext = {}): string | undefined {
  if (statements.some((s) => s.Effect === 'Deny' && applies(s, action, resource, ctx))) return undefined;
  const i = statements.findIndex((s) => s.Effect === 'Allow' && applies(s, action, resource, ctx));
  return i < 0 ? undefined : statements[i].Sid ?? String(i);
}
