import { existsSync } from 'node:fs';

/** A command-line mistake; the CLI prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  public readonly exitCode = 2;
  constructor(message: string) {
    super(message);
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
