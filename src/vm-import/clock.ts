/** Time as the runbook sees it; tests pass a fast clock so bounded waits run in milliseconds. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A timeout of a bounded wait, naming what was awaited and the last state seen. */
export class WaitTimeoutError extends Error {
  constructor(what: string, minutes: number, lastState: string) {
    super(`timed out after ${minutes} min waiting for ${what} (last seen: ${lastState})`);
    this.name = 'WaitTimeoutError';
  }
}
