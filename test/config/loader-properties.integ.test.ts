import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/errors';
import { parseFactory } from '../../src/config/load';
import { ROOT } from '../support/tools';
import { arbitraryYaml, load, mutatedEstate, valueMutatedEstate } from './estate-mutations';

/**
 * Properties of the estate loader, on random and mutated estates: it never crashes (it returns an
 * estate or throws a ConfigError, nothing else), and its time grows linearly with the input. Fast
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

describe('the loader takes linear time', () => {
  /**
   * Families of inputs that grow with n. Time is compared between n and 4n, each the best of three
   * runs (other work on the machine only slows a run down): a linear loader takes about 4 times as
   * long, a quadratic one 16 times. The bound of 10 leaves room for noise and still fails quadratic.
   */
  const EXAMPLE = readFileSync(join(ROOT, 'examples', 'factory.yaml'), 'utf8');
  const head = EXAMPLE.slice(0, EXAMPLE.indexOf('\nwaves:\n') + 1).replace(/\n  tcpChecks:\n(    .*\n)+/, '\n  tcpChecks: []\n');
  const server = (i: number, bad: boolean) =>
    `          - { name: s${i}, hostname: s${i}, os: ${bad ? 'solaris' : 'linux'}, test: { subnet: test-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium }, cutover: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: m6i.large }, tags: { Owner: t${i % 9} } }`;
  const servers = (n: number, bad = false) => `${head}waves:\n  - name: w\n    applications:\n      - name: a\n        servers:\n${Array.from({ length: n }, (_, i) => server(i, bad)).join('\n')}\n`;
  const FAMILIES: Record<string, (n: number) => string> = {
    'a valid estate with n servers': (n) => servers(n),
    'an estate with n invalid servers (n problems located)': (n) => servers(n, true),
    'n target subnets, all overlapping (the CIDR rules)': (n) =>
      servers(2).replace('  targetSubnets:\n', `  targetSubnets:\n${Array.from({ length: n }, (_, i) => `    - { name: t${i}, subnetId: subnet-0a1b2c3d4e5f6${String(i).padStart(4, '0')}, cidr: 10.100.0.0/16 }`).join('\n')}\n`),
    'a map with n keys (log lines saved as the estate)': (n) => Array.from({ length: n }, (_, i) => `2024-01-01T00:00:00Z INFO request ${i}: ok took 12ms`).join('\n'),
    'n lines of prose': (n) => Array.from({ length: n }, (_, i) => `line ${i} of text that is not yaml, just words`).join('\n'),
    'n duplicated keys': (n) => `${head}${Array.from({ length: n }, () => 'name: again').join('\n')}\n`,
    'a tag map with n keys': (n) => `${head.replace(/^tags:\n/m, `tags:\n${Array.from({ length: n }, (_, i) => `  k${i}: v`).join('\n')}\n`)}waves: []\n`,
  };

  const timings: string[] = [];
  afterAll(() => console.info(`loader time by size:\n${timings.join('\n')}`));

  function best(text: string): number {
    let min = Infinity;
    for (let run = 0; run < 3; run++) {
      const started = process.hrtime.bigint();
      try {
        parseFactory(text, 'scaled.yaml', { maxBytes: Infinity }); // the cap is not what is measured
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
      }
      min = Math.min(min, Number(process.hrtime.bigint() - started) / 1e6);
    }
    return min;
  }

  it.each(Object.keys(FAMILIES))('%s: 4n takes less than 10 times as long as n', (family) => {
    // n grows until a run takes 100 ms: below that, timer and scheduling noise decide the ratio.
    let n = family.includes('servers') ? 400 : 1000;
    let small = best(FAMILIES[family](n));
    while (small < 100 && n < 200_000) {
      n *= 2;
      small = best(FAMILIES[family](n));
    }
    const large = best(FAMILIES[family](4 * n));
    timings.push(`${family}: n=${n} ${small.toFixed(0)} ms, 4n ${large.toFixed(0)} ms (x${(large / small).toFixed(1)})`);
    expect(large / small).toBeLessThan(10);
  });
});
