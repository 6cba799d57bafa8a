import type { Clock, Logger } from './context';
import { formatDuration } from './duration';

/** A bounded wait ran out of time; names what it waited for and the last state it saw. */
export class WaitTimeoutError extends Error {
  constructor(
    public readonly what: string,
    public readonly timeoutMs: number,
    public readonly lastState: string,
  ) {
    super(`timed out after ${formatDuration(timeoutMs)} waiting for ${what} (last seen: ${lastState})`);
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** What is awaited, in words: "launch job mgnjob-1 to complete". */
  readonly what: string;
  readonly timeoutMs: number;
  /** @default 30_000 */
  readonly intervalMs?: number;
  /** How often a progress line is printed. @default 5 minutes */
  readonly progressEveryMs?: number;
}

/**
 * Polls `check` until it returns `{ done: true }`; every wait in the runbook is bounded, prints
 * progress, and ends in a WaitTimeoutError that says what it waited for.
 */
export async function waitUntil<T>(check: () => Promise<{ done: boolean; value?: T; state: string }>, options: WaitOptions): Promise<T | undefined> {
  const { clock, logger } = options;
  const start = clock.now().getTime();
  const interval = options.intervalMs ?? 30_000;
  const every = options.progressEveryMs ?? 300_000;
  let lastProgress = start;
  for (;;) {
    const r = await check();
    if (r.done) return r.value;
    const now = clock.now().getTime();
    if (now - start >= options.timeoutMs) throw new WaitTimeoutError(options.what, options.timeoutMs, r.state);
    if (now - lastProgress >= every) {
      logger.info(`waiting for ${options.what}: ${r.state} (${formatDuration(now - start)} of ${formatDuration(options.timeoutMs)})`);
      lastProgress = now;
    }
    await clock.sleep(Math.min(interval, start + options.timeoutMs - now));
  }
}
