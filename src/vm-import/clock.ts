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

/** What one poll of a bounded wait saw. */
export interface PollResult<T> {
  /** A value ends the wait successfully. */
  readonly value?: T;
  /** A failure ends the wait with this message. */
  readonly failure?: string;
  /** The state in words, for progress lines and the timeout message. */
  readonly state: string;
}

export interface WaitForOptions {
  readonly what: string;
  readonly clock: Clock;
  readonly timeoutMinutes: number;
  readonly pollMs: number;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Polls `read` until it yields a value or a failure, logging each new state; bounded by the timeout. */
export async function waitFor<T>(o: WaitForOptions, read: () => Promise<PollResult<T>>): Promise<T> {
  const deadline = o.clock.now() + o.timeoutMinutes * 60_000;
  let last = '';
  for (;;) {
    const r = await read();
    if (r.state !== last) o.log?.(`${o.what}: ${r.state}`);
    last = r.state;
    if (r.failure !== undefined) throw new Error(`${o.what} failed: ${r.failure}`);
    if (r.value !== undefined) return r.value;
    if (o.clock.now() >= deadline) throw new WaitTimeoutError(o.what, o.timeoutMinutes, last);
    await o.clock.sleep(o.pollMs, o.signal);
  }
}
