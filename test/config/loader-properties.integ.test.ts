import fc from 'fast-check';
import { arbitraryYaml, load, mutatedEstate, valueMutatedEstate } from './estate-mutations';

/**
 * Properties of the estate loader, on random and mutated estates: it never crashes (it returns an
 * estate or throws a ConfigError, nothing else). Its growth with size is measured in bench/estate-parse. Fast
 * and without external tools; the accepted estates' synthesis is checked in accepted-estates.test.ts.
 */
const counts = { runs: 0, accepted: 0, refused: 0, ms: 0 };

function tally(text: string): void {
  const started = Date.now();
  const r = load(text); // a crash fails the property with the input that caused it
  counts.ms += Date.now() - started;
  counts.runs++;
  if (r.accepted) counts.accepted++;
  else counts.refused++;
}

afterAll(() => {
  // Printed so that each run shows how much of the input space it covered.
  console.info(`loader properties: ${counts.runs} estates, ${counts.accepted} accepted, ${counts.refused} refused, ${counts.ms} ms in the loader`);
});

describe('the loader never crashes', () => {
  it('on mutated examples and fixtures (deleted keys, wrong types, long and unicode strings, huge numbers, aliases, duplicated keys and lines, garbage)', () => {
    fc.assert(fc.property(mutatedEstate, ({ text }) => tally(text)), { numRuns: 250 });
  });

  it('on estates whose names, tags and descriptions are random', () => {
    fc.assert(fc.property(valueMutatedEstate, ({ text }) => tally(text)), { numRuns: 100 });
  });

  it('on arbitrary YAML values', () => {
    fc.assert(fc.property(arbitraryYaml, (text) => tally(text)), { numRuns: 300 });
  });
});
