import { Json } from './plan';
import { Masked, Scrubber, SENSITIVE, SENSITIVE_TEXT, UNKNOWN, UNKNOWN_TEXT } from './mask';

/**
 * Attribute diffs as lines of a ```diff block: one line per leaf attribute, flattened to a path
 * (`tags.Name`, `ingress[0].cidr_blocks[1]`), prefixed with `+` (added), `-` (removed) or `!`
 * (changed; GitHub colours it apart from + and -). Every line starts with its marker, so a value
 * whose own lines start with "-" or "+" (heredocs) cannot be mistaken for a change.
 */

type PathPart = string | number;
type Leaf = Exclude<Masked, Masked[] | { [key: string]: Masked }> | '{}' | '[]';

export interface DiffOptions {
  readonly scrubber: Scrubber;
  /** Attribute paths that force replacement (`replace_paths`). @default none */
  readonly replacePaths?: ReadonlyArray<ReadonlyArray<PathPart>>;
  /** Longest single-line value shown before it is shortened. @default 500 */
  readonly maxValueChars?: number;
}

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * An attribute path as the diff prints it. With a scrubber, every map key that is (or holds) a
 * sensitive string is masked: a secret used as a key (`tags.S3cr3tValue`) is as visible as a value.
 */
export function formatPath(parts: readonly PathPart[], scrubber?: Scrubber): string {
  let out = '';
  for (const raw of parts) {
    const p = scrubber && typeof raw === 'string' ? scrubber.scrubName(raw) : raw;
    if (typeof p === 'number') out += `[${p}]`;
    else if (SIMPLE_KEY.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

function flatten(value: Masked | undefined, parts: PathPart[], into: Map<string, { parts: PathPart[]; leaf: Leaf }>): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    if (value.length === 0 && parts.length) into.set(formatPath(parts), { parts, leaf: '[]' });
    value.forEach((v, i) => flatten(v, [...parts, i], into));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 0 && parts.length) into.set(formatPath(parts), { parts, leaf: '{}' });
    for (const k of keys) flatten(value[k], [...parts, k], into);
    return;
  }
  into.set(formatPath(parts), { parts, leaf: value });
}

function rawAt(raw: Json | undefined, parts: readonly PathPart[]): Json | undefined {
  let cur: Json | undefined = raw;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, Json>)[p as string];
  }
  return cur;
}

/** A string that is JSON (policies, container definitions) is shown pretty-printed, line by line. */
function textLines(s: string): string[] | undefined {
  const t = s.trim();
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try {
      const parsed = JSON.parse(t) as unknown;
      const pretty = typeof parsed === 'object' && parsed !== null ? JSON.stringify(parsed, null, 2).split('\n') : [];
      if (pretty.length > 1) return pretty;
    } catch {
      // not JSON: fall through
    }
  }
  return s.includes('\n') ? s.replace(/\n$/, '').split('\n') : undefined;
}

function inline(leaf: Leaf, opts: DiffOptions): string {
  if (leaf === SENSITIVE) return SENSITIVE_TEXT;
  if (leaf === UNKNOWN) return UNKNOWN_TEXT;
  if (leaf === '{}' || leaf === '[]' || leaf === null) return String(leaf);
  // A number that another attribute holds as a sensitive value is scrubbed like a string.
  if (typeof leaf !== 'string') return opts.scrubber.scrub(String(leaf));
  const max = opts.maxValueChars ?? 500;
  const text = JSON.stringify(opts.scrubber.scrub(leaf));
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** Scrubbed before pretty-printing (the secret as the text holds it) and after (as re-escaped). */
function multiline(leaf: Leaf, opts: DiffOptions): string[] | undefined {
  return typeof leaf === 'string' ? textLines(opts.scrubber.scrub(leaf))?.map((l) => opts.scrubber.scrub(l)) : undefined;
}

/** Line diff of two texts: LCS when small enough, else all removed then all added. */
function lineDiff(a: string[], b: string[]): Array<[' ' | '-' | '+', string]> {
  if (a.length * b.length > 250_000) return [...a.map((l) => ['-', l] as ['-', string]), ...b.map((l) => ['+', l] as ['+', string])];
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: Array<[' ' | '-' | '+', string]> = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push([' ', a[i]]);
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push(['-', a[i++]]);
    else out.push(['+', b[j++]]);
  }
  while (i < n) out.push(['-', a[i++]]);
  while (j < m) out.push(['+', b[j++]]);
  return out;
}

function heredoc(marker: string, label: string, force: string, body: Array<[string, string]>): string[] {
  return [`${marker} ${label ? `${label} ` : ''}<<EOT${force}`, ...body.map(([m, l]) => `${m}     ${l}`), `${marker}   EOT`];
}

/**
 * Diff lines of one resource or output change. `before`/`after` are the masked values; `rawBefore`
 * and `rawAfter` only decide whether a sensitive attribute changed (its value is never rendered).
 */
export function attributeDiff(
  before: Masked | undefined,
  after: Masked | undefined,
  rawBefore: Json | undefined,
  rawAfter: Json | undefined,
  opts: DiffOptions,
): string[] {
  const b = new Map<string, { parts: PathPart[]; leaf: Leaf }>();
  const a = new Map<string, { parts: PathPart[]; leaf: Leaf }>();
  flatten(before ?? undefined, [], b);
  flatten(after ?? undefined, [], a);
  // A scalar (an output) flattens to the empty path.
  // Keyed by the raw path (two masked keys stay two lines); labelled by the masked one.
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const labels = new Map(keys.map((k) => [k, formatPath((a.get(k) ?? b.get(k))!.parts, opts.scrubber)]));
  const width = Math.min(40, Math.max(0, ...[...labels.values()].map((k) => k.length)));
  const forced = (opts.replacePaths ?? []).map((p) => formatPath(p));
  const lines: string[] = [];
  let unchanged = 0;
  for (const key of keys) {
    const was = b.get(key);
    const now = a.get(key);
    const parts = (now ?? was)!.parts;
    const label = key === '' ? '' : `${labels.get(key)!.padEnd(width)} =`;
    const force = forced.some((f) => f && (key === f || key.startsWith(`${f}.`) || key.startsWith(`${f}[`))) ? '   # forces replacement' : '';
    if (was && now) {
      const same = was.leaf === SENSITIVE && now.leaf === SENSITIVE
        ? JSON.stringify(rawAt(rawBefore, parts)) === JSON.stringify(rawAt(rawAfter, parts))
        : was.leaf === now.leaf;
      if (same) {
        unchanged++;
        continue;
      }
      const ml = [multiline(was.leaf, opts), multiline(now.leaf, opts)];
      // Either side multi-line (a policy set for the first time): a line diff of the two texts.
      if ((ml[0] || ml[1]) && typeof was.leaf === 'string' && typeof now.leaf === 'string') {
        const asLines = (leaf: string, m?: string[]) => m ?? (leaf === '' ? [] : [opts.scrubber.scrub(leaf)]);
        lines.push(...heredoc('!', label, force, lineDiff(asLines(was.leaf, ml[0]), asLines(now.leaf, ml[1]))));
      }
      else lines.push(`! ${label} ${inline(was.leaf, opts)} -> ${inline(now.leaf, opts)}${force}`.replace(/^! {2}/, '! '));
      continue;
    }
    const marker = now ? '+' : '-';
    const leaf = (now ?? was)!.leaf;
    // As Terraform does: a null attribute of a created or destroyed object is not worth a line.
    if (leaf === null) continue;
    const ml = multiline(leaf, opts);
    if (ml) lines.push(...heredoc(marker, label, force, ml.map((l) => [marker, l])));
    else lines.push(`${marker} ${label} ${inline(leaf, opts)}${force}`.replace(/^([-+]) {2}/, '$1 '));
  }
  if (unchanged && (before !== undefined && before !== null) && (after !== undefined && after !== null)) {
    lines.push(`  # (${unchanged} unchanged attribute${unchanged === 1 ? '' : 's'} hidden)`);
  }
  return lines;
}
