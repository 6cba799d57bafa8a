import { CidrRange } from './primitives';

/**
 * CIDR blocks in the order they were added, answering "which earlier block overlaps this one" in
 * constant time: two CIDR blocks overlap only when one contains the other, so a block's overlaps are
 * its (at most 32) enclosing blocks, itself, or blocks inside it, all found by key. Keeps the
 * overlap rules linear however many subnets an estate lists.
 */
export class CidrIndex<T> {
  private readonly exact = new Map<string, { order: number; value: T }>();
  private readonly inside = new Map<string, { order: number; value: T }>();
  private count = 0;

  public add(r: CidrRange, value: T): void {
    const entry = { order: this.count++, value };
    setFirst(this.exact, key(r.first, r.prefix), entry);
    for (let p = 0; p < r.prefix; p++) setFirst(this.inside, key(mask(r.first, p), p), entry);
  }

  /** The earliest added block that overlaps `r`, if any. */
  public firstOverlap(r: CidrRange): T | undefined {
    let best: { order: number; value: T } | undefined;
    const consider = (e: { order: number; value: T } | undefined) => {
      if (e && (!best || e.order < best.order)) best = e;
    };
    for (let p = 0; p <= r.prefix; p++) consider(this.exact.get(key(mask(r.first, p), p)));
    consider(this.inside.get(key(r.first, r.prefix)));
    return best?.value;
  }

  /** The earliest added block that contains `r` (or equals it), if any. */
  public firstContaining(r: CidrRange): T | undefined {
    let best: { order: number; value: T } | undefined;
    for (let p = 0; p <= r.prefix; p++) {
      const e = this.exact.get(key(mask(r.first, p), p));
      if (e && (!best || e.order < best.order)) best = e;
    }
    return best?.value;
  }
}

function key(first: number, prefix: number): string {
  return `${first}/${prefix}`;
}

function mask(addr: number, prefix: number): number {
  return prefix === 0 ? 0 : (addr - (addr % 2 ** (32 - prefix)));
}

function setFirst<V>(m: Map<string, V>, k: string, v: V): void {
  if (!m.has(k)) m.set(k, v);
}
