/**
 * EventBridge event patterns, typed, and a matcher with EventBridge's semantics for the operators
 * the pipelines use (and their tests check rules with): exact values, prefix, suffix, wildcard,
 * anything-but, exists, numeric and equals-ignore-case.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export type Scalar = string | number | boolean | null;
export type ContentFilter =
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly wildcard: string }
  | { readonly 'equals-ignore-case': string }
  | { readonly exists: boolean }
  | { readonly 'anything-but': Scalar | Scalar[] | { readonly prefix: string } }
  | { readonly numeric: Array<string | number> };
export type PatternValue = Array<Scalar | ContentFilter>;
export interface EventPattern {
  readonly [field: string]: PatternValue | EventPattern;
}

/** True when `event` matches `pattern`: every field of the pattern matches (AND), any value of a field's list (OR). */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const value = isObject(event) ? event[field] : undefined;
    if (Array.isArray(expected)) return matchesField(expected, value);
    return isObject(value) && matchesPattern(expected, value);
  });
}

function matchesField(allowed: PatternValue, value: unknown): boolean {
  // An array in the event matches when any of its elements does.
  const values = Array.isArray(value) ? value : [value];
  return allowed.some((rule) => {
    if (isObject(rule) && 'exists' in rule) return (value !== undefined && !isObject(value)) === rule.exists;
    if (isObject(rule) && 'anything-but' in rule) return value !== undefined && values.every((v) => !matchesAnything(rule['anything-but'] as Scalar | Scalar[] | { prefix: string }, v));
    return values.some((v) => v !== undefined && matchesOne(rule as Scalar | ContentFilter, v));
  });
}

function matchesAnything(but: Scalar | Scalar[] | { prefix: string }, v: unknown): boolean {
  if (isObject(but) && 'prefix' in but) return typeof v === 'string' && v.startsWith(but.prefix);
  return (Array.isArray(but) ? but : [but]).some((x) => x === v);
}

function matchesOne(rule: Scalar | ContentFilter, v: unknown): boolean {
  if (!isObject(rule)) return rule === v;
  if ('prefix' in rule) return typeof v === 'string' && v.startsWith(rule.prefix);
  if ('suffix' in rule) return typeof v === 'string' && v.endsWith(rule.suffix);
  if ('equals-ignore-case' in rule) return typeof v === 'string' && v.toLowerCase() === rule['equals-ignore-case'].toLowerCase();
  if ('wildcard' in rule) return typeof v === 'string' && wildcardRegExp(rule.wildcard).test(v);
  if ('numeric' in rule) return typeof v === 'number' && numericMatches(rule.numeric, v);
  throw new Error(`unsupported pattern operator ${JSON.stringify(rule)}`);
}

function wildcardRegExp(w: string): RegExp {
  return new RegExp(`^${w.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

function numericMatches(conditions: Array<string | number>, v: number): boolean {
  if (conditions.length % 2 !== 0) throw new Error(`numeric filter needs operator/value pairs, got ${JSON.stringify(conditions)}`);
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i];
    const n = Number(conditions[i + 1]);
    const ok = op === '=' ? v === n : op === '<' ? v < n : op === '<=' ? v <= n : op === '>' ? v > n : op === '>=' ? v >= n : undefined;
    if (ok === undefined) throw new Error(`unknown numeric operator ${String(op)}`);
    if (!ok) return false;
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
