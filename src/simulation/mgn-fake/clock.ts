/**
 * Simulated time shared by the MGN fake and whoever drives it. Nothing in the fake reads the wall
 * clock: jobs progress only when this clock moves, so a 500-server wave replays in seconds and
 * every run is deterministic.
 */
export class VirtualClock {
  private ms: number;
  private readonly listeners = new Set<(now: Date) => void>();
  /** Pending sleepers ordered by wake-up time, then by call order. */
  private readonly sleepers: Array<{ due: number; seq: number; wake: () => void }> = [];
  private seq = 0;
  private flushScheduled = false;
  private holds = 0;

  /** @param start first instant of the simulation. @default 2026-01-01T00:00:00Z */
  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  /** Milliseconds since the epoch, like Date.now(). */
  nowMs(): number {
    return this.ms;
  }

  /** Moves time forward; listeners see the new instant. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`VirtualClock.advance: ms must be a finite number >= 0, got ${ms}`);
    this.ms += ms;
    const now = this.now();
    for (const listener of [...this.listeners]) listener(now);
  }

  /**
   * Sleeps in virtual time, as a discrete-event simulation: the sleeper wakes at now + ms, sleepers
   * wake one per event-loop turn in order of their wake-up time, and the clock moves forward to each
   * wake-up time (never back). So 30 servers each waiting 30 s in parallel cost 30 simulated seconds,
   * not 15 minutes, and a lone `await clock.sleep(20 * 60_000)` simply moves time 20 minutes on.
   */
  sleep(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`VirtualClock.sleep: ms must be a finite number >= 0, got ${ms}`);
    return new Promise<void>((wake) => {
      const entry = { due: this.ms + ms, seq: this.seq++, wake };
      let i = this.sleepers.length;
      while (i > 0 && (this.sleepers[i - 1].due > entry.due || (this.sleepers[i - 1].due === entry.due && this.sleepers[i - 1].seq > entry.seq))) i--;
      this.sleepers.splice(i, 0, entry);
      this.scheduleFlush();
    });
  }

  /**
   * Keeps simulated time from moving until the returned function is called: for work that takes no
   * simulated time but real milliseconds (a request on its way), so that sleepers do not wake, and
   * time does not jump to them, while it is in flight.
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0 && this.sleepers.length > 0) this.scheduleFlush();
    };
  }

  /** Number of sleepers not yet woken. */
  pendingSleepers(): number {
    return this.sleepers.length;
  }

  /** Calls `listener` after every advance; returns a function that unsubscribes it. */
  onAdvance(listener: (now: Date) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Wakes the earliest sleeper on the next turn of the event loop, so sleepers started in the same
   * turn (parallel waits) are all queued before time moves.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      // Held: the last release schedules the flush again.
      if (this.holds > 0) return;
      const next = this.sleepers.shift();
      if (!next) return;
      if (next.due > this.ms) this.advance(next.due - this.ms);
      next.wake();
      if (this.sleepers.length > 0) this.scheduleFlush();
    });
  }
}
