import { Clock, epochMs } from '../core/clock';

/** Where progress goes: a terminal gets a redrawn bar, anything else (CI logs) periodic lines. */
export interface ProgressSink {
  readonly isTTY: boolean;
  write(text: string): void;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/**
 * Upload progress with rate and ETA. The rate counts only bytes sent in this run (resumed bytes are
 * shown as done but would inflate the rate).
 */
export class UploadProgress {
  private sent = 0;
  private lastDraw = 0;
  private readonly started: number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly clock: Clock,
    private readonly total: number,
    private done: number,
    private readonly intervalMs: number,
  ) {
    this.started = epochMs(clock);
    this.lastDraw = this.started;
  }

  add(bytes: number): void {
    this.sent += bytes;
    this.done += bytes;
    const now = epochMs(this.clock);
    const every = this.sink.isTTY ? 200 : this.intervalMs;
    if (now - this.lastDraw >= every || this.done >= this.total) {
      this.lastDraw = now;
      this.draw(now);
    }
  }

  finish(): void {
    if (this.sink.isTTY) this.sink.write('\n');
  }

  /** Bytes per second sent by this run. */
  rate(now = epochMs(this.clock)): number {
    const secs = (now - this.started) / 1000;
    return secs > 0 ? this.sent / secs : 0;
  }

  line(now = epochMs(this.clock)): string {
    const pct = this.total ? (100 * this.done) / this.total : 100;
    const rate = this.rate(now);
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    return `${pct.toFixed(1).padStart(5)}%  ${formatBytes(this.done)} / ${formatBytes(this.total)}  ${formatBytes(rate)}/s  ETA ${formatDuration(eta)}`;
  }

  private draw(now: number): void {
    if (!this.sink.isTTY) {
      this.sink.write(`upload ${this.line(now)}\n`);
      return;
    }
    const width = 30;
    const filled = Math.round((width * this.done) / Math.max(this.total, 1));
    this.sink.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.line(now)}`);
  }
}
