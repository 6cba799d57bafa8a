import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { ConfigError } from '../../src/config/errors';
import { parseFactory } from '../../src/config/load';
import type { FactoryConfig } from '../../src/config/schema';
import { ROOT } from '../support/tools';

/**
 * Estate files for the loader's property tests: the examples and the test fixture, mutated the way
 * people and tools break YAML (keys deleted, wrong types, long and non-Latin strings, huge numbers,
 * aliases, duplicated keys and lines, pasted garbage), and arbitrary YAML values.
 */

export const SEEDS: ReadonlyArray<{ name: string; text: string }> = [
  ...['factory.yaml', 'existing-vpc.yaml'].map((f) => ({ name: `examples/${f}`, text: readFileSync(join(ROOT, 'examples', f), 'utf8') })),
  { name: 'test/config/fixtures/base.yaml', text: readFileSync(join(ROOT, 'test', 'config', 'fixtures', 'base.yaml'), 'utf8') },
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = Array<string | number>;

/** Every path in a value, parents before children. */
function paths(v: Json, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function get(v: Json, p: Path): Json {
  return p.reduce<Json>((x, k) => (x as Record<string, Json>)[k as string], v);
}

/** A valid estate name (used in resource names): exercises every derived-name check. */
export const estateName = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);

const DELETE = Symbol('delete');

/** What a mutation puts in place of a value (DELETE: the key or item goes). */
const replacement: fc.Arbitrary<Json | typeof DELETE | { shared: true }> = fc.oneof(
  fc.constant(DELETE),
  fc.integer().map((n): Json => n),
  fc.constantFrom<Json>(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324, 0, -1),
  fc.boolean().map((b): Json => b),
  fc.constant<Json>(null),
  fc.string({ maxLength: 20 }).map((s): Json => s),
  fc.string({ minLength: 200, maxLength: 3000 }).map((s): Json => s),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((s): Json => s),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s): Json => s),
  estateName.map((s): Json => s),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }).map((a): Json => a),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }).map((d): Json => d),
  fc.constant({ shared: true as const }),
);

/** One change to the data: at the `pick`-th path (modulo), put `value` (or delete it, or alias a sibling). */
const dataMutation = fc.record({ pick: fc.nat(), value: replacement, newKey: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }) });

/** One change to the text: duplicate or delete a line, insert a string, truncate. */
const textMutation = fc.oneof(
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom(': ', '- ', '&a ', '*a', '---\n', '\t', '"', "'", '{', '[', '#')) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function applyData(seed: string, muts: Array<{ pick: number; value: Json | typeof DELETE | { shared: true }; newKey: string | undefined }>): string {
  const data = parse(seed) as Json;
  for (const m of muts) {
    const all = paths(data).filter((p) => p.length > 0);
    if (!all.length) break;
    const p = all[m.pick % all.length];
    const parent = get(data, p.slice(0, -1)) as Record<string, Json> | Json[];
    const key = p[p.length - 1];
    if (m.newKey !== undefined && !Array.isArray(parent) && parent && typeof parent === 'object') {
      (parent as Record<string, Json>)[m.newKey] = get(data, p); // a key added (unknown, or a duplicate of a value)
      continue;
    }
    if (m.value === DELETE) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, Json>)[key as string];
    } else if (typeof m.value === 'object' && m.value !== null && 'shared' in m.value) {
      // The same object twice: stringify writes an anchor and an alias.
      if (Array.isArray(parent)) parent.push(parent[key as number]);
      else (parent as Record<string, Json>)[`${String(key)}-copy`] = (parent as Record<string, Json>)[key as string];
    } else {
      (parent as Record<string, Json>)[key as string] = m.value as Json;
    }
  }
  return stringify(data, { aliasDuplicateObjects: true, lineWidth: 0 });
}

function applyText(text: string, muts: Array<{ kind: string; at: number; text?: string }>): string {
  let t = text;
  for (const m of muts) {
    const lines = t.split('\n');
    const i = m.at % Math.max(1, lines.length);
    if (m.kind === 'duplicate-line') lines.splice(i, 0, lines[i] ?? '');
    else if (m.kind === 'delete-line') lines.splice(i, 1);
    if (m.kind === 'insert') t = t.slice(0, m.at % (t.length + 1)) + m.text + t.slice(m.at % (t.length + 1));
    else if (m.kind === 'truncate') t = t.slice(0, m.at % (t.length + 1));
    else t = lines.join('\n');
  }
  return t;
}

/** A seed changed at the data level (re-serialized), then possibly at the text level. */
export const mutatedEstate: fc.Arbitrary<{ seed: string; text: string }> = fc
  .record({
    seed: fc.constantFrom(...SEEDS),
    data: fc.array(dataMutation, { minLength: 0, maxLength: 3 }),
    text: fc.array(textMutation, { minLength: 0, maxLength: 2 }),
  })
  .filter((r) => r.data.length + r.text.length > 0)
  .map((r) => ({ seed: r.seed.name, text: applyText(r.data.length ? applyData(r.seed.text, r.data) : r.seed.text, r.text) }));

/** Arbitrary YAML: any value fast-check makes, written as YAML. */
export const arbitraryYaml: fc.Arbitrary<string> = fc.anything({ maxDepth: 4 }).map((v) => {
  try {
    return stringify(v, { lineWidth: 0 }) ?? ''; // undefined has no YAML: an empty file
  } catch {
    return String(v);
  }
});

/** Text of the characters AWS accepts in tags on every service, non-Latin letters included. */
function tagText(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...'aZk09 _.:/=+-@éüßЖ日本'.split('')), minLength, maxLength }).filter((t) => !/^aws:/i.test(t));
}

/** Estates that keep their structure but change values validate must judge: names, tags, lengths. */
export const valueMutatedEstate: fc.Arbitrary<{ seed: string; text: string }> = fc
  .record({
    seed: fc.constantFrom(...SEEDS),
    name: fc.option(estateName, { nil: undefined }),
    // Mostly tags AWS accepts (letters of any script, digits, the common symbols), some it refuses.
    tags: fc.dictionary(fc.oneof({ weight: 4, arbitrary: tagText(1, 40) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) }), fc.oneof({ weight: 4, arbitrary: tagText(0, 60) }, { weight: 1, arbitrary: fc.string({ maxLength: 300 }) }), { maxKeys: 20 }),
    description: fc.option(fc.string({ unit: 'grapheme', maxLength: 700 }), { nil: undefined }),
  })
  .map((r) => {
    const data = parse(r.seed.text) as Record<string, Json>;
    if (r.name !== undefined) data.name = r.name;
    data.tags = { ...((data.tags as Record<string, Json>) ?? {}), ...r.tags };
    if (r.description !== undefined) (data.waves as Array<Record<string, Json>>)[0].description = r.description;
    return { seed: r.seed.name, text: stringify(data, { lineWidth: 0 }) };
  });

export type Outcome = { accepted: true; config: FactoryConfig } | { accepted: false; problems: number };

/** The loader's answer; anything but a config or a ConfigError is rethrown (a crash). */
export function load(text: string): Outcome {
  try {
    return { accepted: true, config: parseFactory(text, 'mutated.yaml') };
  } catch (e) {
    if (e instanceof ConfigError) return { accepted: false, problems: e.problems.length };
    throw e;
  }
}
