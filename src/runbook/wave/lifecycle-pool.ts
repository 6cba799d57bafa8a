/**
 * Lifecycle calls (mark ready, finalize, revert, archive) run concurrently under a limit that
 * halves on throttling, off the poll loop, so they never hold up other servers' verification.
 */
import { isAbort, throwIfAborted } from '../../core/interrupt';
import type { Runtime } from '../runtime';
import type { Track, WaveState } from './state';
import { fail } from './tracking';

/** Runs a server's lifecycle step in the pool, in flight until it settles; a failure fails the server. */
export function inPool(s: WaveState, t: Track, work: (rt: Runtime) => Promise<void>): void {
  const task = s.lifecycle
    .run((onThrottled) => work(throttleAware(s, onThrottled)))
    .catch((e) => {
      if (isAbort(e)) s.interrupted ??= e;
      else if (t.stage !== 'done') fail(s, t, (e as Error).message);
    })
    .finally(() => s.inFlight.delete(task));
  s.inFlight.add(task);
}

/** The runtime for one lifecycle task: its throttled answers slow the lifecycle limit down. */
export function throttleAware(s: WaveState, onThrottled: () => void): Runtime {
  return { ...s.rt, retry: { ...s.rt.retry, onThrottled } };
}

/** Waits until no lifecycle step is in flight. */
export async function settle(s: WaveState): Promise<void> {
  while (s.inFlight.size) await Promise.all([...s.inFlight]);
}

/** Rethrows an interruption: the run's signal, or one raised inside a lifecycle step. */
export function checkInterrupted(s: WaveState): void {
  throwIfAborted(s.rt.signal);
  if (s.interrupted) throw s.interrupted;
}
