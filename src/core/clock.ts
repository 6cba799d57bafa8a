/**
 * Time as every runbook sees it: the wall clock in production, a virtual or fast clock in tests and
 * rehearsals, so that bounded waits run in milliseconds there.
 */
export interface Clock {
  now(): Date;
  /**
   * Waits `ms` (a virtual clock advances simulated time instead); returns early when `signal` is
   * aborted, so an interrupted run stops waiting at once. Callers that must not go on after an
   * abort check the signal themselves.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Milliseconds since the epoch on `clock`. */
export function epochMs(clock: Clock): number {
  return clock.now().getTime();
}
