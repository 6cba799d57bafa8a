import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { Document, isMap, isPair, isScalar, LineCounter, Node, parseAllDocuments, visit } from 'yaml';
import type { $ZodIssue } from 'zod/v4/core';
import { ConfigError, ConfigProblem, formatPath } from './errors';
import { SourceLocator } from './locate';
import { checkRules, RuleViolation } from './rules';
import { FactoryConfig, factorySchema } from './schema';

/**
 * Largest estate file read, in bytes. Reading and validating is linear in the size (bench/estate-parse):
 * an estate of 10,000 servers written as in the examples is 3.7 MiB and validates in about 3 s on a
 * shared 2-core machine, so 4 MiB bounds the wait at a few seconds; a larger file is almost certainly
 * not an estate (a log, an export) and is refused from its size, before it is read.
 */
export const MAX_ESTATE_BYTES = 4 * 1024 * 1024;

/** Aliases a file may expand before the parser stops it (a "billion laughs" file expands exponentially). */
const MAX_ALIAS_COUNT = 1000;

/** A validated estate and where it came from. */
export interface LoadedFactory {
  readonly config: FactoryConfig;
  /** The file as given (for messages). */
  readonly file: string;
}

/** Reads and validates an estate file. Throws ConfigError (exit code 2) listing every problem. */
export function loadFactoryFile(file: string): LoadedFactory {
  const shown = displayName(file);
  return { config: parseFactory(decodeEstate(readEstateFile(file, shown), shown), shown), file: shown };
}

/** The file's bytes, or a ConfigError saying why there are none to read. */
function readEstateFile(file: string, shown: string): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw fileError(shown, 'this is a folder; expected an estate file such as factory.yaml');
    size = st.size;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw fileError(shown, `cannot read the estate file: ${readFailure(e)}`);
  }
  if (size > MAX_ESTATE_BYTES) throw fileError(shown, tooLarge(size));
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw fileError(shown, `cannot read the estate file: ${readFailure(e)}`);
  }
  // A device or a file that grew while being read.
  if (bytes.length > MAX_ESTATE_BYTES) throw fileError(shown, tooLarge(bytes.length));
  return bytes;
}

function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (e as Error).message;
}

function tooLarge(bytes: number): string {
  return `the file has ${bytes.toLocaleString('en-US')} bytes; an estate file has at most ${MAX_ESTATE_BYTES.toLocaleString('en-US')} (4 MiB, about 10,000 servers): is this the right file?`;
}

/**
 * The text of an estate file: UTF-8, strictly. Bytes that are not UTF-8 (a file saved as
 * Windows-1252 or Latin-1) would otherwise turn into replacement characters in every tag and name.
 */
export function decodeEstate(bytes: Uint8Array, file = 'factory.yaml'): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw fileError(file, 'the file is saved as UTF-16; save it as UTF-8');
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw fileError(file, `this is not a text file (a zero byte at offset ${nul}); expected a YAML estate file`);
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    const { line, column } = lineAndColumn(bytes, bad);
    const byte = bytes[bad];
    const guess = windows1252(byte);
    throw new ConfigError([
      {
        file,
        line,
        column,
        path: '(file)',
        message: `the file is not valid UTF-8: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} (byte ${column} of line ${line}) is not part of a UTF-8 character${guess ? ` (in Windows-1252 it would be "${guess}")` : ''}; save the file as UTF-8`,
      },
    ]);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence, if any. */
function firstInvalidUtf8(b: Uint8Array): number | undefined {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return undefined;
}

function lineAndColumn(b: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (b[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

function windows1252(byte: number): string | undefined {
  try {
    const ch = new TextDecoder('windows-1252').decode(Uint8Array.of(byte));
    return /\p{L}|\p{N}|\p{P}|\p{S}/u.test(ch) ? ch : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses and validates estate YAML text; `file` is used in messages only. `maxBytes` (default
 * MAX_ESTATE_BYTES) is for measuring larger texts (bench/estate-parse).
 */
export function parseFactory(text: string, file = 'factory.yaml', options: { maxBytes?: number } = {}): FactoryConfig {
  const maxBytes = options.maxBytes ?? MAX_ESTATE_BYTES;
  if (text.length > maxBytes || Buffer.byteLength(text) > maxBytes) throw fileError(file, tooLarge(Buffer.byteLength(text)));
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw fileError(file, `this is not a text file (a zero character at offset ${nul}); expected a YAML estate file`);
  const lines = new LineCounter();
  // Duplicate keys are found below in one pass: the parser's own check is quadratic in a map's size.
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const all = Array.isArray(docs) ? docs : [];
  const doc = all[0];
  if (!doc || isEmpty(doc)) throw fileError(file, 'the estate file is empty: expected a YAML map that starts with "version: 1" (see examples/factory.yaml)');
  const second = all.slice(1).find((d) => !isEmpty(d) || d.errors.length);
  if (second) {
    const { line, col } = lines.linePos(second.range[0]);
    throw new ConfigError([{ file, line, column: col, path: '(syntax)', message: 'a second YAML document starts here (after "---"): an estate file holds one document; remove the "---" line or move the second estate into a file of its own' }]);
  }
  if (doc.errors.length) {
    throw new ConfigError(
      sortProblems(
        doc.errors.map((e) => {
          const { line, col } = lines.linePos(e.pos[0]);
          return { file, line, column: col, path: '(syntax)', message: `YAML syntax error: ${e.message.split('\n')[0]}` };
        }),
      ),
    );
  }
  const duplicates = duplicateKeys(doc, lines, file);
  if (duplicates.length) throw new ConfigError(duplicates);
  const data = toData(doc, lines, file);
  if (!isMap(doc.contents)) {
    const { line, col } = lines.linePos(doc.contents?.range?.[0] ?? 0);
    throw new ConfigError([{ file, line, column: col, path: '(root)', message: `expected a YAML map of estate settings starting with "version: 1", got ${describeValue(data)}` }]);
  }
  const locator = new SourceLocator(doc, lines);
  const parsed = factorySchema.safeParse(data, { reportInput: true });
  const problems = parsed.success ? [] : parsed.error.issues.flatMap((i) => issueToProblems(i, file, locator));
  const violations = checkRules(parsed.success ? parsed.data : data, { schemaValid: parsed.success });
  const issuePaths = parsed.success ? [] : parsed.error.issues.flatMap(issuePathsOf);
  const seen = new Set(problems.map((p) => p.path));
  for (const v of violations) {
    const path = formatPath(v.path);
    if (seen.has(path)) continue; // the schema already explained this field
    if (!parsed.success && readsMalformed(v, issuePaths)) continue; // a consequence of a schema problem, not a problem of its own
    const pos = locator.locate(v.path, v.key);
    problems.push({ file, line: pos.line, column: pos.column, path, message: v.message });
  }
  if (problems.length || !parsed.success) throw new ConfigError(sortProblems(problems));
  return parsed.data;
}

function fileError(file: string, message: string): ConfigError {
  return new ConfigError([{ file, line: 0, column: 0, path: '(file)', message }]);
}

/** A document with nothing in it but comments or whitespace. */
function isEmpty(doc: Document): boolean {
  const c = doc.contents as Node | null;
  return c === null || (isScalar(c) && c.value === null && (c.range?.[0] ?? 0) === (c.range?.[1] ?? 0));
}

/** Every key that a map repeats, at its second occurrence (linear: one set per map). */
function duplicateKeys(doc: Document, lines: LineCounter, file: string): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  visit(doc, {
    Map(_, map) {
      const first = new Map<string, number>();
      for (const p of map.items) {
        if (!isPair(p) || !isScalar(p.key)) continue;
        const key = String(p.key.value);
        const at = p.key.range?.[0] ?? 0;
        const prev = first.get(key);
        if (prev === undefined) {
          first.set(key, at);
          continue;
        }
        const { line, col } = lines.linePos(at);
        out.push({ file, line, column: col, path: '(syntax)', message: `YAML syntax error: Map keys must be unique; "${key}" is already defined at line ${lines.linePos(prev).line}` });
      }
    },
  });
  return sortProblems(out);
}

/** The document as plain data; a file whose aliases expand too far is refused at its first alias. */
function toData(doc: Document, lines: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    let at = 0;
    visit(doc, {
      Alias(_, node) {
        at = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const { line, col } = lines.linePos(at);
    throw new ConfigError([{ file, line, column: col, path: '(syntax)', message: `YAML aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies; an estate needs no such nesting: write the values out (${e.message})` }]);
  }
}

function issueToProblems(issue: $ZodIssue, file: string, locator: SourceLocator): ConfigProblem[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => {
      const pos = locator.locate(path, k);
      return { file, line: pos.line, column: pos.column, path: formatPath([...path, k]), message: `unknown field "${k}"` };
    });
  }
  if (issue.code === 'invalid_key') {
    // A map key the key schema refused (tag keys): located at the key, not its value.
    const key = String(path[path.length - 1]);
    const pos = locator.locate(path.slice(0, -1), key);
    const message = issue.issues.map((i) => i.message).join('; ') || `invalid key "${key}"`;
    return [{ file, line: pos.line, column: pos.column, path: formatPath(path), message }];
  }
  if (issue.code === 'invalid_union' && issue.errors.length) {
    // Report the branch that got furthest, so "create: { cidr: x }" says what is wrong with cidr.
    const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    if (depth(best) > path.length + 1) return best.flatMap((i) => issueToProblems(i, file, locator));
  }
  const pos = locator.locate(path);
  return [{ file, line: pos.line, column: pos.column, path: formatPath(path), message: describeIssue(issue) }];
}

function depth(issues: $ZodIssue[]): number {
  return Math.max(0, ...issues.filter((i) => i.code !== 'unrecognized_keys' && i.code !== 'invalid_union').map((i) => i.path.length));
}

/** Paths the schema refused, as rule reads are compared with them. */
function issuePathsOf(issue: $ZodIssue): PropertyKey[][] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => [...path, k]);
  return [path];
}

/**
 * A cross-field violation found in data the schema refused is dropped when it read a refused
 * value: a list that is a string reads as no items ("expected the name of a subnet in (), got
 * ...") and would add a second, false problem to the real one.
 */
function readsMalformed(v: RuleViolation, issuePaths: PropertyKey[][]): boolean {
  const own = v.key === undefined ? v.path : [...v.path, v.key];
  return issuePaths.some((p) => isPrefix(p, own) || (v.reads ?? []).some((r) => isPrefix(p, r) || isPrefix(r, p)));
}

/** `a` is `b` or an ancestor of it; "*" in either matches any one segment. */
function isPrefix(a: ReadonlyArray<PropertyKey>, b: ReadonlyArray<PropertyKey>): boolean {
  if (a.length > b.length) return false;
  return a.every((seg, i) => seg === '*' || b[i] === '*' || String(seg) === String(b[i]));
}

function describeIssue(issue: $ZodIssue): string {
  const got = ` got ${describeValue(issue.input)}`;
  // Messages that quote the value already need no "got" after them.
  const withValue = (message: string) => (typeof issue.input === 'string' && message.includes(JSON.stringify(issue.input)) ? message : `${message},${got}`);
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return issue.message.startsWith('Invalid input') ? `missing required field (expected ${issue.expected})` : `missing required field: ${issue.message}`;
    if (issue.expected === 'array' && typeof issue.input === 'string') return `expected a list, got the single value "${truncate(issue.input)}": write it as a list, e.g. [${truncate(issue.input)}], or one "- item" per line`;
    if (issue.message.startsWith('Invalid input')) return `expected ${issue.expected},${got}`;
    return withValue(issue.message);
  }
  if (issue.code === 'invalid_value') {
    const expected = issue.message.startsWith('Invalid') ? `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` : issue.message;
    if (issue.input === undefined) return `missing required field: ${expected}`;
    return issue.message.startsWith('Invalid') ? `${expected},${got}` : withValue(expected);
  }
  if (issue.code === 'too_small' && issue.origin === 'array') return issue.message.startsWith('Too small') ? `expected at least ${issue.minimum} item(s)` : issue.message;
  if (issue.code === 'too_big' && issue.origin === 'array') return issue.message.startsWith('Too big') ? `expected at most ${issue.maximum} item(s)` : issue.message;
  // Custom messages marked complete quote the value themselves.
  if (issue.code === 'custom' && (issue.params as { complete?: boolean } | undefined)?.complete) return issue.message;
  if (issue.code === 'invalid_format' || issue.code === 'custom') return withValue(issue.message);
  return issue.message;
}

function truncate(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return JSON.stringify(truncate(v));
  return `${typeof v} ${String(v)}`;
}

function sortProblems(ps: ConfigProblem[]): ConfigProblem[] {
  return [...ps].sort((a, b) => a.line - b.line || a.column - b.column);
}

function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
