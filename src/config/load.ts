import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { $ZodIssue } from 'zod/v4/core';
import { ConfigError, ConfigProblem, formatPath } from './errors';
import { SourceLocator } from './locate';
import { checkRules } from './rules';
import { FactoryConfig, factorySchema } from './schema';

/** A validated estate and where it came from. */
export interface LoadedFactory {
  readonly config: FactoryConfig;
  /** The file as given (for messages). */
  readonly file: string;
}

/** Reads and validates an estate file. Throws ConfigError (exit code 2) listing every problem. */
export function loadFactoryFile(file: string): LoadedFactory {
  const shown = displayName(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
    throw new ConfigError([{ file: shown, line: 0, column: 0, path: '(file)', message: `cannot read the estate file: ${why}` }]);
  }
  return { config: parseFactory(text, shown), file: shown };
}

/** Parses and validates estate YAML text; `file` is used in messages only. */
export function parseFactory(text: string, file = 'factory.yaml'): FactoryConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { file, line, column: col, path: '(syntax)', message: `YAML syntax error: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const locator = new SourceLocator(doc, lines);
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  const parsed = factorySchema.safeParse(data ?? {}, { reportInput: true });
  const problems = parsed.success ? [] : parsed.error.issues.flatMap((i) => issueToProblems(i, file, locator));
  const seen = new Set(problems.map((p) => p.path));
  for (const v of checkRules(parsed.success ? parsed.data : data)) {
    const path = formatPath(v.path);
    if (seen.has(path)) continue; // the schema already explained this field
    const pos = locator.locate(v.path, v.key);
    problems.push({ file, line: pos.line, column: pos.column, path, message: v.message });
  }
  if (problems.length || !parsed.success) throw new ConfigError(sortProblems(problems));
  return parsed.data;
}

function issueToProblems(issue: $ZodIssue, file: string, locator: SourceLocator): ConfigProblem[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => {
      const pos = locator.locate(path, k);
      return { file, line: pos.line, column: pos.column, path: formatPath([...path, k]), message: `unknown field "${k}"` };
    });
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

function describeIssue(issue: $ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.message.startsWith('Invalid input')) {
      return issue.input === undefined ? `missing required field (expected ${issue.expected})` : `expected ${issue.expected}, got ${describeValue(issue.input)}`;
    }
    return issue.input === undefined ? `missing required field: ${issue.message}` : `${issue.message}, got ${describeValue(issue.input)}`;
  }
  if (issue.code === 'invalid_value' && !issue.message.startsWith('Invalid')) return `${issue.message}, got ${describeValue(issue.input)}`;
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(issue.input)}`;
  if (issue.code === 'too_small' && issue.origin === 'array') return issue.message.startsWith('Too small') ? `expected at least ${issue.minimum} item(s)` : issue.message;
  if (issue.code === 'too_big' && issue.origin === 'array') return issue.message.startsWith('Too big') ? `expected at most ${issue.maximum} item(s)` : issue.message;
  if (issue.code === 'invalid_format' || issue.code === 'custom') return `${issue.message}, got ${describeValue(issue.input)}`;
  return issue.message;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  return `${typeof v} ${String(v)}`;
}

function sortProblems(ps: ConfigProblem[]): ConfigProblem[] {
  return [...ps].sort((a, b) => a.line - b.line || a.column - b.column);
}

function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
