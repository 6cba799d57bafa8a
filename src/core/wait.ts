import { RehostError } from './errors';
import { Clock, epochMs } from './clock';

/** A bounded wait ran out of time: names what was awaited and the last state seen. */
export class WaitTimeoutError extends RehostError {
  constructor(what: string, minutes: number, lastState: string) {
    super('refusal', `timed out after ${minutes} min waiting for ${what} (last seen: ${lastState})`);
    this.name = 'WaitTimeoutError';
  }
}

/** What was awaited ended in a failure state. */
export class WaitFailedError extends RehostError {
  constructor(what: string, failure: string) {
    super('refusal', `${what} failed: ${failure}`);
    this.name = 'WaitFailedError';
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
  /** An abort ends the wait with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Polls `read` until it yields a value or a failure, logging each new state; bounded by the timeout. */
export async function waitFor<T>(o: WaitForOptions, read: () => Promise<PollResult<T>>): Promise<T> {
  const deadline = epochMs(o.clock) + o.timeoutMinutes * 60_000;
  let last = '';
  for (;;) {
    o.signal?.throwIfAborted();
    const r = await read();
    if (r.state !== last) o.log?.(`${o.what}: ${r.state}`);
    last = r.state;
    if (r.failure !== undefined) throw new WaitFailedError(o.what, r.failure);
    if (r.value !== undefined) return r.value;
    if (epochMs(o.clock) >= deadline) throw new WaitTimeoutError(o.what, o.timeoutMinutes, last);
    await sleepOrAbort(o.clock, o.pollMs, o.signal);
  }
}

/** Sleeps on `clock`; an abort during the sleep ends it with the signal's reason. */
export async function sleepOrAbort(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  await clock.sleep(ms, signal);
  signal?.throwIfAborted();
}
