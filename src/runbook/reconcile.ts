import { RehostError } from '../core/errors';
import { isAbort, throwIfAborted } from '../core/interrupt';
import { backoffDelay, errorCode, isRetryable, isThrottling } from '../core/retry';
import { type RetryRuntime, retryOptions } from './runtime';

/** What a read found after a mutating call failed: its effect is in place (and what stands for its answer), or not yet. */
export type Effect<T> = { readonly took: true; readonly value: T } | { readonly took: false };

export function tookEffect<T>(value: T): Effect<T> {
  return { took: true, value };
}

export const notYet: Effect<never> = { took: false };

/** One mutating AWS call and how to tell, by reading, whether it took effect. */
export interface Mutation<T> {
  /** The call as the log names it, e.g. "mgn:FinalizeCutover". */
  readonly call: string;
  /** What it acts on, for the log and the error, e.g. "web01 (s-0123…)" or "12 servers (web01, …)". */
  readonly target: string;
  readonly send: () => Promise<T>;
  /**
   * Reads the state the call changes. It may also narrow what `send` sends next (a batch call
   * drops the servers it finds already done) and answer not-yet for the rest. Reads retry on
   * their own (`call` in runtime.ts).
   */
  readonly effect: () => Promise<Effect<T>>;
}

/** A mutating call that did not take effect within its retries, or that was refused. */
export class MutationFailed extends RehostError {
  constructor(
    readonly call: string,
    readonly target: string,
    /** The service's last answer (a ConflictException naming servers, a quota, a reset connection...). */
    override readonly cause: unknown,
    readonly attempts: number,
    note = '',
  ) {
    super('refusal', `${call} on ${target} ${attempts > 1 ? `failed after ${attempts} attempts` : 'failed'}: ${(cause as Error)?.message ?? String(cause)}${note}`, { cause });
    this.name = 'MutationFailed';
  }
}

/**
 * The one rule for every mutating call the runbook makes. After an ambiguous failure (reset or
 * timed-out connection, lost answer, 5xx) it waits its backoff and reads state: when the call took
 * effect it goes on as if the call had answered; when not, it sends again, within the retry
 * bounds. A throttled call is sent again without a read (nothing happened). A refusal, or the last
 * failure, gets one read too (an earlier attempt, or someone else, may have done it); only then
 * does it fail, naming the call and what it acted on.
 */
export async function reconciled<T>(rt: RetryRuntime, m: Mutation<T>): Promise<T> {
  const options = retryOptions(rt);
  const max = options.maxAttempts ?? 10;
  let last: unknown;
  let attempts = 0;
  let mayHaveEffect = false;
  const adopt = (value: T, why: unknown): T => {
    rt.logger?.warn(`${m.call} on ${m.target}: ${errorCode(why)}, but a read shows it took effect; going on as if it had answered`);
    return value;
  };
  while (attempts < max) {
    throwIfAborted(options.signal);
    attempts++;
    try {
      return await m.send();
    } catch (e) {
      if (isAbort(e)) throw e;
      last = e;
      const throttled = isThrottling(e);
      if (throttled) options.onThrottled?.();
      else mayHaveEffect = true;
      if (!isRetryable(e) || attempts >= max) break;
      const delay = backoffDelay(attempts - 1, e, options);
      rt.logger?.warn(`${m.call} on ${m.target}: ${errorCode(e)}, ${throttled ? 'retrying' : 'reading state, then retrying'} in ${Math.ceil(delay / 1000)} s (attempt ${attempts + 1}/${max})`);
      await options.clock.sleep(delay, options.signal);
      throwIfAborted(options.signal);
      if (throttled) continue;
      const seen = await readEffect(m, e, attempts);
      if (seen.took) return adopt(seen.value, e);
    }
  }
  if (mayHaveEffect) {
    const seen = await readEffect(m, last, attempts);
    if (seen.took) return adopt(seen.value, last);
  }
  throw new MutationFailed(m.call, m.target, last, attempts);
}

/** The effect read; when it fails too, the call cannot be known to have happened or not: fail, saying so. */
async function readEffect<T>(m: Mutation<T>, failure: unknown, attempts: number): Promise<Effect<T>> {
  try {
    return await m.effect();
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new MutationFailed(m.call, m.target, failure, attempts, `; reading whether it took effect failed too: ${(e as Error)?.message ?? String(e)}`);
  }
}
