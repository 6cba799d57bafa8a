import { RehostError } from './errors';

/** A command-line mistake; the CLI prints it with the command's usage and exits 2. */
export class UsageError extends RehostError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}


/** Runs an argument parser (node:util parseArgs) and turns its errors into a UsageError. */
export function parseUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
