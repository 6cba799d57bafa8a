/**
 * Errors rehost-factory expects, by kind, and how the two edges (the CLI and the GitHub actions)
 * turn any error into a message and an exit code. Modules throw; only the edges decide what a
 * user sees. Self-contained on purpose: it imports nothing of the project.
 *
 * - usage: a command-line or action-input mistake (exit 2);
 * - invalid-input: a file or value the user gave is wrong (exit 2);
 * - refusal: the request was valid, but AWS, the servers or the environment refused or failed it
 *   (preflight, an import that failed, a wait that timed out; exit 1, as "failed");
 * - internal: a bug in rehost-factory (exit 1, reported as a bug).
 * Anything that is not a RehostError is a bug too, except what AWS or the operating system
 * answered (an AWS SDK error, a system call error such as EACCES): those are failures the user can act on.
 */

export type ErrorKind = 'usage' | 'invalid-input' | 'refusal' | 'internal';

/** Exit code of each kind; 0 is success. */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = { usage: 2, 'invalid-input': 2, refusal: 1, internal: 1 };

/** Where to report a bug. */
export const BUG_REPORT_URL = 'https://github.com/rehost-factory/rehost-factory/issues';

/** The base of every error rehost-factory expects. */
export class RehostError extends Error {
  constructor(
    public readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    // Subclasses set their own name: bundlers may rename classes, and names are shown to users.
    this.name = 'RehostError';
  }

  /** The CLI's exit code for this error. */
  public get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** A known bug, caught where it happened so it can be named (e.g. a validation rule that crashed). */
export class InternalError extends RehostError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('internal', message, options);
    this.name = 'InternalError';
  }
}

export function isRehostError(e: unknown): e is RehostError {
  return e instanceof RehostError;
}

/** Usage, invalid input or refusal: an answer to the user, printed without a stack trace. */
export function isExpectedError(e: unknown): e is RehostError {
  return isRehostError(e) && e.kind !== 'internal';
}

/** An answer from AWS (an SDK service or credentials error) or from the operating system (errno). */
export function isEnvironmentError(e: unknown): e is Error {
  if (!(e instanceof Error) && !(typeof e === 'object' && e !== null)) return false;
  const x = e as { $metadata?: unknown; $fault?: unknown; name?: string; code?: unknown; syscall?: unknown; errno?: unknown };
  if (x.$metadata !== undefined || x.$fault !== undefined) return true; // AWS SDK v3 service exception
  if (x.name === 'CredentialsProviderError' || x.name === 'TimeoutError' || x.name === 'AbortError') return true;
  if (x.name === 'HttpError' && typeof (x as { status?: unknown }).status === 'number') return true; // GitHub API (octokit)
  return typeof x.code === 'string' && /^E[A-Z0-9]+$/.test(x.code) && (x.syscall !== undefined || typeof x.errno === 'number');
}

/** What an edge prints for an error, and the exit code it ends with. */
export interface ErrorReport {
  readonly message: string;
  readonly exitCode: number;
  /** The error is a bug (its report says how to report it). */
  readonly bug: boolean;
}

/**
 * Describes any thrown value for a user. Expected errors and environment errors give their message;
 * anything else is a bug: a short message saying so and how to report it, the stack only with
 * `debug` (the CLI's --debug, the actions' step debug logging).
 */
export function describeError(e: unknown, options: { debug?: boolean; debugHint?: string } = {}): ErrorReport {
  if (isExpectedError(e)) return { message: e.message, exitCode: e.exitCode, bug: false };
  if (isEnvironmentError(e)) {
    const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
    return { message: `${name}${e.message}${options.debug && e.stack ? `\n${e.stack}` : ''}`, exitCode: 1, bug: false };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const lines = [
    `internal error: ${err.message}`,
    `This is a bug in rehost-factory, not a problem with your input. Please report it at ${BUG_REPORT_URL} with the command you ran and this output${options.debug ? '' : ` (${options.debugHint ?? 'run again with --debug to include the stack trace'})`}.`,
  ];
  if (options.debug) lines.push(stackOf(err));
  return { message: lines.join('\n'), exitCode: 1, bug: true };
}

function stackOf(err: Error): string {
  const parts = [err.stack ?? String(err)];
  let cause = err.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    parts.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join('\n');
}
