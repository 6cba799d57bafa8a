/**
 * Simulated time shared by the MGN fake and whoever drives it. Nothing in the fake reads the wall
 * clock: jobs progress only when this clock advances, so a 500-server wave replays in milliseconds
 * and every run is deterministic.
 */
export class VirtualClock {
  private ms: number;
  private readonly listeners = new Set<(now: Date) => void>();

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

  /** Moves time forward; listeners (the fake's job engine) see the new instant. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`VirtualClock.advance: ms must be a finite number >= 0, got ${ms}`);
    this.ms += ms;
    const now = this.now();
    for (const listener of [...this.listeners]) listener(now);
  }

  /**
   * Sleeps in virtual time: advances the clock by `ms` and yields to the event loop once, so code
   * that polls with `await clock.sleep(30_000)` runs at full speed while seeing time pass.
   */
  async sleep(ms: number): Promise<void> {
    this.advance(ms);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Calls `listener` after every advance; returns a function that unsubscribes it. */
  onAdvance(listener: (now: Date) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
