import { existsSync, statSync } from 'node:fs';
import { RehostError } from '../core/errors';

/** A command-line mistake; the CLI prints it with the command's usage and exits 2. */
export class UsageError extends RehostError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** factory.yaml in the working directory when present, else the bundled example. */
export function defaultConfigPath(): string {
  return existsSync('factory.yaml') ? 'factory.yaml' : 'examples/factory.yaml';
}

/** Runs an argument parser (node:util parseArgs) and turns its errors into a UsageError. */
export function parseUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

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
