/**
 * Runs `work` over `items` with at most `limit` in flight (APIs answer bursts of parallel calls
 * with throttling). After a failure no new item starts, and the first error is thrown only once
 * the items in flight have settled, so nothing keeps running behind the caller's back.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++]);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  });
  const results = await Promise.allSettled(workers);
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

export interface AdaptiveLimitProps {
  /** Tasks in flight to begin with. @default 8 */
  readonly initial?: number;
  /** Most tasks in flight. @default 32 */
  readonly max?: number;
}

/**
 * A concurrency limit that backs off when the service throttles: it halves when a task is
 * throttled (once per burst: tasks started under the same limit halve it once) and grows back by
 * one after a limit's worth of tasks complete unthrottled (additive increase, multiplicative
 * decrease, as TCP does). Never below 1.
 */
export class AdaptiveLimit {
  private current: number;
  private readonly max: number;
  private inFlight = 0;
  private generation = 0;
  private low: number;
  private readonly waiting: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(props: AdaptiveLimitProps = {}) {
    this.max = Math.max(1, props.max ?? 32);
    this.current = Math.min(this.max, Math.max(1, props.initial ?? 8));
    this.low = this.current;
  }

  /** Tasks allowed in flight now. */
  get limit(): number {
    return Math.floor(this.current);
  }

  /** The lowest the limit went (for the log). */
  get lowest(): number {
    return Math.floor(this.low);
  }

  /** Tasks running or waiting for a place. */
  get busy(): number {
    return this.inFlight + this.waiting.length;
  }

  /**
   * Runs `work` once a place is free. `work` gets the function to call on each throttled answer
   * (pass it as RetryOptions.onThrottled).
   */
  async run<T>(work: (onThrottled: () => void) => Promise<T>): Promise<T> {
    while (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    const generation = this.generation;
    let throttled = false;
    try {
      return await work(() => {
        throttled = true;
        if (generation !== this.generation) return;
        this.generation++;
        this.current = Math.max(1, Math.floor(this.current / 2));
        this.low = Math.min(this.low, this.current);
      });
    } finally {
      if (!throttled) this.current = Math.min(this.max, this.current + 1 / this.current);
      this.inFlight--;
      for (let free = this.limit - this.inFlight; free > 0 && this.waiting.length; free--) this.waiting.shift()!();
      if (!this.busy) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** Settles once nothing runs or waits. */
  idle(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }
}
