import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { packageInfo } from '../core/package-info';
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, Node, Pair, YAMLMap } from 'yaml';

export interface Position { readonly line: number; readonly column: number }

/**
 * Finds where a field path sits in the YAML source. When the exact node is missing (a required field
 * left out), the nearest existing parent is reported, which is where the field has to be added.
 * Map lookups are indexed once per map, so locating every problem of a large file stays linear.
 */
export class SourceLocator {
  private readonly indexes = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(private readonly doc: Document, private readonly lines: LineCounter) {}

  /** Position of the value at `path`; with `key`, the position of that key inside the map at `path`. */
  public locate(path: ReadonlyArray<PropertyKey>, key?: string): Position {
    let node: unknown = this.doc.contents;
    let last: Position = this.pos(node) ?? { line: 1, column: 1 };
    for (const seg of path) {
      const next = this.child(node, seg);
      if (!next) return last;
      node = next.value;
      last = this.pos(next.value) ?? this.pos(next.key) ?? last;
    }
    if (key !== undefined && isMap(node)) {
      const pair = this.pairs(node).get(key);
      if (pair) return this.pos(pair.key) ?? last;
    }
    return last;
  }

  private child(node: unknown, seg: PropertyKey): { key?: unknown; value: unknown } | undefined {
    if (isMap(node)) {
      const pair = this.pairs(node).get(String(seg));
      return pair ? { key: pair.key, value: pair.value ?? pair.key } : undefined;
    }
    if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      return item ? { value: item } : undefined;
    }
    return undefined;
  }

  /** The pairs of a map by key as the estate reads them (the first of duplicates, which the loader refuses). */
  private pairs(map: YAMLMap): Map<string, Pair> {
    let index = this.indexes.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p as Pair);
      this.indexes.set(map, index);
    }
    return index;
  }

  private pos(node: unknown): Position | undefined {
    const range = (node as Node | undefined)?.range;
    if (!range) return undefined;
    const { line, col } = this.lines.linePos(range[0]);
    return { line, column: col };
  }
}

/**
 * factory.yaml in the working directory when present, else the example estate shipped with the
 * package (examples/factory.yaml of this repository, or of the installed package), shown relative
 * to the working directory.
 */
export function defaultConfigPath(): string {
  if (existsSync('factory.yaml')) return 'factory.yaml';
  let root: string;
  try {
    root = packageInfo().root;
  } catch {
    return 'factory.yaml'; // a bundle outside the package (an action): the missing factory.yaml is the error to report
  }
  const example = join(root, 'examples', 'factory.yaml');
  const shown = relative(process.cwd(), example);
  return shown.startsWith('..') || isAbsolute(shown) ? example : shown;
}
