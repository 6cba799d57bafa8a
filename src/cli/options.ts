import { statSync } from 'node:fs';

export { defaultConfigPath } from '../config/locate';
export { parseUsage, UsageError } from '../core/usage';
import { UsageError } from '../core/usage';

/** Output of a command; the CLI passes process streams, tests pass buffers. */
export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Stops a long-running command (tests); without it, the wave commands stop on SIGINT/SIGTERM. @default none */
  readonly signal?: AbortSignal;
}

/** A CLI command: parses its own arguments and returns the exit code. */
export interface Command {
  readonly usage: string;
  readonly summary: string;
  run(argv: string[], io: CommandIo): Promise<number>;
}

/**
 * An output folder given on the command line: refused when it names something that is not a folder
 * (writing into it would fail halfway, or replace a file the user meant to keep).
 */
export function outputFolder(flag: string, path: string): string {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return path; // created when needed
    throw new UsageError(`${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!isDir) throw new UsageError(`${flag} ${path} is a file; expected a folder (created when missing)`);
  return path;
}
