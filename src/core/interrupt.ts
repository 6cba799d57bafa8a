import { RehostError } from './errors';

/**
 * A run stopped from outside: a signal (Ctrl-C, a cancelled workflow), or an onPhase hook. Not a
 * server failure: a re-run resumes from MGN's state.
 */
export class RunInterrupted extends RehostError {
  constructor(message = 'run interrupted') {
    super('refusal', message);
    this.name = 'RunInterrupted';
  }
}

export function isAbort(e: unknown): boolean {
  return e instanceof RunInterrupted || (e as Error)?.name === 'RunInterrupted' || (e as Error)?.name === 'AbortError';
}

/** Throws the reason of an aborted signal (a RunInterrupted unless the caller gave another). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw isAbort(signal.reason) ? signal.reason : new RunInterrupted(signal.reason instanceof Error ? signal.reason.message : 'run interrupted');
}

/**
 * An AbortSignal that the first SIGINT or SIGTERM aborts with a RunInterrupted naming it (Ctrl-C;
 * a cancelled workflow sends SIGINT, then SIGTERM). A second signal gets Node's default (exit).
 * `release` removes the handlers.
 */
export function abortOnSignals(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const handlers = signals.map((name) => {
    const handler = () => {
      release();
      controller.abort(new RunInterrupted(`interrupted by ${name}`));
    };
    process.once(name, handler);
    return [name, handler] as const;
  });
  function release(): void {
    for (const [name, handler] of handlers) process.removeListener(name, handler);
  }
  return { signal: controller.signal, release };
}
