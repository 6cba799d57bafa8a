import { Json, Marker, StateModule, StateValues, TerraformPlan } from './plan';

/**
 * Masking. Terraform writes sensitive values in cleartext in `before`, `after`, `variables`,
 * `planned_values` and `prior_state`; only the parallel `*_sensitive`/`sensitive_values` trees and
 * the `sensitive` flags of variables and outputs say which they are. The review masks in two layers:
 * structurally (a value under a sensitive marker is never rendered), and textually (every string
 * that the plan marks sensitive anywhere, and every configured pattern, is scrubbed from whatever
 * is rendered, in case the same secret also sits inside a non-sensitive value).
 */

export const SENSITIVE: unique symbol = Symbol('sensitive');
export const UNKNOWN: unique symbol = Symbol('unknown');

export type Masked = null | boolean | number | string | typeof SENSITIVE | typeof UNKNOWN | Masked[] | { [key: string]: Masked };

export const SENSITIVE_TEXT = '(sensitive value)';
export const UNKNOWN_TEXT = '(known after apply)';
export const PATTERN_TEXT = '(masked)';

/**
 * Patterns masked in every review, whatever the plan says: AWS access key IDs, PEM private keys,
 * GitHub tokens. Secrets in attributes the provider does not mark sensitive (a key pasted into
 * user_data) are the ones these catch.
 */
export const DEFAULT_MASK_PATTERNS: readonly RegExp[] = [
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/g,
];

/**
 * Strings shorter than this that the plan marks sensitive are masked structurally only: scrubbing
 * "42" or "bar" from every rendered string would mangle addresses and ordinary values.
 */
export const MIN_SCRUB_LENGTH = 6;

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value with sensitive parts replaced by SENSITIVE and unknown parts by UNKNOWN. */
export function maskValue(value: Json | undefined, sensitive: Marker, unknown?: Marker): Masked {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(value) || Array.isArray(unknown)) {
    const v = Array.isArray(value) ? value : [];
    const u = Array.isArray(unknown) ? unknown : [];
    const s = Array.isArray(sensitive) ? sensitive : [];
    const n = Math.max(v.length, u.length);
    const out: Masked[] = [];
    for (let i = 0; i < n; i++) out.push(maskValue(v[i] ?? null, s[i], u[i]));
    return out;
  }
  if (isObject(value) || isObject(unknown)) {
    const v = isObject(value) ? value : {};
    const u = isObject(unknown) ? unknown : {};
    const s = isObject(sensitive) ? sensitive : {};
    const out: { [key: string]: Masked } = {};
    // Sorted, as Terraform prints attributes: known and unknown ones interleave by name.
    const keys = [...new Set([...Object.keys(v), ...Object.keys(u).filter((k) => u[k] !== false)])].sort();
    for (const k of keys) out[k] = maskValue(v[k] ?? null, s[k], u[k]);
    return out;
  }
  return value === undefined ? null : value;
}

/** Every leaf string under a sensitive marker (the cleartext a comment must never contain). */
export function sensitiveStrings(value: Json | undefined, sensitive: Marker, into: Set<string>): void {
  if (value === undefined || value === null || sensitive === undefined || sensitive === false || sensitive === null) return;
  if (sensitive === true) {
    collectLeaves(value, into);
    return;
  }
  if (Array.isArray(value) && Array.isArray(sensitive)) value.forEach((v, i) => sensitiveStrings(v, sensitive[i], into));
  else if (isObject(value) && isObject(sensitive)) for (const [k, v] of Object.entries(value)) sensitiveStrings(v, sensitive[k], into);
}

function collectLeaves(value: Json, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (typeof value === 'number' || typeof value === 'boolean') into.add(String(value));
  else if (Array.isArray(value)) value.forEach((v) => collectLeaves(v, into));
  else if (isObject(value)) Object.values(value).forEach((v) => collectLeaves(v, into));
}

function stateStrings(values: StateValues | undefined, sensitiveOutputs: Set<string>, into: Set<string>): void {
  for (const [name, o] of Object.entries(values?.outputs ?? {})) {
    if (o.sensitive || sensitiveOutputs.has(name)) sensitiveStrings(o.value, true, into);
  }
  const walk = (m: StateModule | undefined): void => {
    for (const r of m?.resources ?? []) sensitiveStrings(r.values, r.sensitive_values, into);
    for (const c of m?.child_modules ?? []) walk(c);
  };
  walk(values?.root_module);
}

/** Names of outputs the configuration or the planned values declare sensitive. */
export function sensitiveOutputNames(plan: TerraformPlan): Set<string> {
  const names = new Set<string>();
  for (const [n, o] of Object.entries(plan.configuration?.root_module?.outputs ?? {})) if (o.sensitive) names.add(n);
  for (const [n, o] of Object.entries(plan.planned_values?.outputs ?? {})) if (o.sensitive) names.add(n);
  for (const [n, o] of Object.entries(plan.prior_state?.values?.outputs ?? {})) if (o.sensitive) names.add(n);
  return names;
}

/**
 * All cleartext the plan marks sensitive, from every place Terraform writes it: resource changes
 * and drift (before/after), planned values and prior state (sensitive_values), sensitive outputs
 * and sensitive variables.
 */
export function collectSensitiveStrings(plan: TerraformPlan): Set<string> {
  const out = new Set<string>();
  const outputs = sensitiveOutputNames(plan);
  for (const rc of [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])]) {
    sensitiveStrings(rc.change.before, rc.change.before_sensitive, out);
    sensitiveStrings(rc.change.after, rc.change.after_sensitive, out);
  }
  for (const [name, oc] of Object.entries(plan.output_changes ?? {})) {
    const whole = outputs.has(name);
    sensitiveStrings(oc.before, whole || oc.before_sensitive, out);
    sensitiveStrings(oc.after, whole || oc.after_sensitive, out);
  }
  stateStrings(plan.planned_values, outputs, out);
  stateStrings(plan.prior_state?.values, outputs, out);
  for (const [name, v] of Object.entries(plan.configuration?.root_module?.variables ?? {})) {
    if (v.sensitive) sensitiveStrings(plan.variables?.[name]?.value, true, out);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The text between the quotes of `JSON.stringify(s)`: how `s` reads inside a JSON document. */
function jsonInner(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/**
 * The forms a secret takes in the text the review renders: as written; JSON-escaped, as it sits
 * inside a JSON string (a policy or container definition holding it), once and twice (JSON inside a
 * JSON string); and as Go's encoder (Terraform's `jsonencode`, the AWS provider) escapes it, with
 * `<`, `>`, `&`, U+2028 and U+2029 as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`; and
 * percent-encoded, as a URL or a connection string holds it. The scrubber matches these in any
 * letter case; base64 copies are base64Forms'.
 */
export function renderedForms(secret: string): string[] {
  const json = jsonInner(secret);
  const go = json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [...new Set([secret, json, go, jsonInner(json), jsonInner(go), ...percentEncoded(secret)])].filter((f) => f.length > 0);
}

/** The secret percent-encoded as encodeURI, encodeURIComponent, RFC 3986 and HTML forms write it. */
function percentEncoded(secret: string): string[] {
  let component: string;
  let uri: string;
  try {
    component = encodeURIComponent(secret);
    uri = encodeURI(secret);
  } catch {
    return []; // a lone surrogate: no encoder writes it
  }
  const rfc3986 = component.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return [component, uri, rfc3986, rfc3986.replace(/%20/g, '+')].filter((f) => f !== secret);
}

/**
 * Shortest base64 text masked (matched with its case): 64^6 possibilities, so it does not occur by
 * chance in the other encoded data of a review (hashes, certificates, user data). One gap follows:
 * a secret of exactly 6 bytes whose offset inside longer base64 data is 2 modulo 3 has a core of 5
 * characters and is not masked there (alone, or at another offset, it is).
 */
export const MIN_BASE64_SCRUB_LENGTH = 6;

/**
 * The base64 text that always appears where the secret's UTF-8 bytes are base64-encoded, alone or
 * inside longer data, in the standard and the URL-safe alphabet. Inside longer data the encoding of
 * the secret depends on its offset modulo 3 and on its neighbours: for each offset, the characters
 * that encode only the secret's own bits (the core) are the same whatever surrounds it.
 */
export function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out = new Set<string>();
  const whole = bytes.toString('base64');
  out.add(whole);
  out.add(whole.replace(/=+$/, ''));
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // The first characters also carry the preceding bytes' bits, the last group the following ones'.
    const core = encoded.slice([0, 2, 3][offset], Math.floor((offset + bytes.length) / 3) * 4);
    if (core.length >= MIN_BASE64_SCRUB_LENGTH) out.add(core);
  }
  for (const f of [...out]) out.add(f.replace(/\+/g, '-').replace(/\//g, '_'));
  return [...out].filter((f) => f.length >= MIN_BASE64_SCRUB_LENGTH);
}

/**
 * Scrubs secrets out of rendered strings: the sensitive cleartext of every plan reviewed together
 * (in each of its rendered forms, in any letter case) and the configured patterns. One scrubber
 * serves all stacks of a review, so a secret that one stack marks sensitive is masked where another
 * shows it plainly.
 */
export class Scrubber {
  private readonly secrets?: RegExp;
  private readonly encoded?: RegExp;
  private readonly exact: ReadonlySet<string>;
  private readonly patterns: readonly RegExp[];
  private readonly names = new Map<string, string>();

  constructor(secrets: Iterable<string>, patterns: readonly RegExp[] = DEFAULT_MASK_PATTERNS) {
    const all = new Set(secrets);
    all.delete('');
    this.exact = new Set([...all].map((s) => s.toLowerCase()));
    const scrubbed = [...all].filter((s) => s.length >= MIN_SCRUB_LENGTH);
    // Longest first so that a secret containing another is replaced whole.
    const alternation = (forms: string[]) => [...new Set(forms)].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
    if (scrubbed.length) {
      this.secrets = new RegExp(alternation(scrubbed.flatMap(renderedForms)), 'gi');
      // Base64 keeps its case: an upper-cased encoding is not the secret's.
      const b64 = scrubbed.flatMap(base64Forms);
      if (b64.length) this.encoded = new RegExp(alternation(b64), 'g');
    }
    this.patterns = patterns.map((p) => (p.global ? p : new RegExp(p.source, p.flags + 'g')));
  }

  scrub(text: string): string {
    let out = this.encoded ? text.replace(this.encoded, SENSITIVE_TEXT) : text;
    if (this.secrets) out = out.replace(this.secrets, SENSITIVE_TEXT);
    for (const p of this.patterns) out = out.replace(p, PATTERN_TEXT);
    return out;
  }

  /**
   * A map key or other name: masked whole when it equals a sensitive string of any length, in any
   * letter case (a key is an identifier, not free text, so a short match is not a coincidence of
   * substrings), else scrubbed like any text.
   */
  scrubName(name: string): string {
    // Attribute names repeat across thousands of resources: scrub each once.
    let out = this.names.get(name);
    if (out === undefined) {
      out = this.exact.has(name.toLowerCase()) ? SENSITIVE_TEXT : this.scrub(name);
      this.names.set(name, out);
    }
    return out;
  }
}

/** Parses `--mask` / `mask-patterns` entries (JavaScript regular expressions, no slashes). */
export function parseMaskPatterns(sources: readonly string[]): RegExp[] {
  return sources.map((s) => {
    try {
      return new RegExp(s, 'g');
    } catch (e) {
      throw new Error(`mask pattern ${JSON.stringify(s)} is not a valid regular expression: ${(e as Error).message}`);
    }
  });
}
