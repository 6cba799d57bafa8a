/** mulberry32: a small seeded PRNG, so injected faults replay identically for a given seed and request order. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * Deterministic identifiers in MGN's formats (s-<17 hex>, mgnjob-<17 hex>, ...): a counter per
 * prefix mixed with a salt, so two fakes with different accounts do not collide.
 */
export class IdGenerator {
  private readonly counters = new Map<string, number>();

  constructor(private readonly salt: string) {}

  next(prefix: string, length = 17): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${hex(`${this.salt}/${prefix}/${n}`, length)}`;
  }
}

/** FNV-1a based hex digest of `input`, `length` characters long. */
export function hex(input: string, length: number): string {
  let out = '';
  for (let round = 0; out.length < length; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < input.length; i++) {
      h ^= input.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}
