import { RehostError } from '../core/errors';

/** One problem in an estate file, located for a human: file:line:column field: message. */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path in dotted/bracket form, e.g. waves[0].applications[1].servers[2].name */
  readonly path: string;
  readonly message: string;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.path}: ${p.message}`;
}

/** Thrown when an estate file is invalid; carries every problem found, not just the first. */
export class ConfigError extends RehostError {
  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(
      'invalid-input',
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the estate file:\n` + problems.map((p) => '  ' + formatProblem(p)).join('\n'));
    this.name = 'ConfigError';
  }
}
