/**
 * How long reading and validating an estate takes as the file grows, for real estates and for files
 * that are not estates at all (prose, CSV, log lines: the last makes one YAML map with a key per line).
 * The estate size cap (MAX_ESTATE_BYTES in src/config/load.ts) is chosen from these numbers.
 *
 *   npx ts-node --swc bench/estate-parse/run.ts [kind ...]      kinds: estate prose csv log
 *
 * Each size is parsed three times; the best time is printed (least disturbed by other work on the machine).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFactory } from '../../src/config/load';

const BASE = readFileSync(join(__dirname, '..', '..', 'examples', 'factory.yaml'), 'utf8');

/** The example estate with `servers` servers in waves of 500, written as the example writes them (block style, tags). */
function estate(servers: number): string {
  const head = BASE.slice(0, BASE.indexOf('\nwaves:\n') + 1);
  const waves: string[] = ['waves:'];
  for (let i = 0; i < servers; i++) {
    if (i % 500 === 0) waves.push(`  - name: wave-${i / 500 + 1}`, '    applications:');
    if (i % 10 === 0) waves.push(`      - name: app-${i / 10}`, '        servers:');
    waves.push(
      `          - name: srv${i}`,
      `            hostname: srv${i}`,
      `            fqdn: srv${i}.corp.example.com`,
      '            os: linux',
      '            test: { subnet: test-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium }',
      `            cutover: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: m6i.large }`,
      `            tags: { Owner: team-${i % 40}, CostCenter: "${4700 + (i % 50)}" }`,
    );
  }
  // tcpChecks name servers of the example's waves, which this estate replaces.
  return head.replace(/\n  tcpChecks:\n(    .*\n)+/, '\n  tcpChecks: []\n') + waves.join('\n') + '\n';
}

const KINDS: Record<string, (bytes: number) => string> = {
  estate: (bytes) => estate(Math.max(1, Math.round(bytes / 420))),
  prose: (bytes) => Array.from({ length: Math.ceil(bytes / 60) }, (_, i) => `line ${i} of some text that is not yaml at all, just words`).join('\n'),
  csv: (bytes) => Array.from({ length: Math.ceil(bytes / 40) }, (_, i) => `web${i},10.0.${i % 250}.${i % 200},linux,prod`).join('\n'),
  log: (bytes) => Array.from({ length: Math.ceil(bytes / 70) }, (_, i) => `2024-01-01T00:00:${i % 60}Z INFO [main] request ${i}: ok - took 12ms`).join('\n'),
};

const MIB = 1024 * 1024;
const sizes = [0.5, 1, 2, 4, 8].map((m) => m * MIB);
for (const kind of process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(KINDS)) {
  for (const size of sizes) {
    const text = KINDS[kind](size);
    let best = Infinity;
    let outcome = '';
    for (let run = 0; run < 3; run++) {
      const started = process.hrtime.bigint();
      try {
        const c = parseFactory(text, `${kind}.yaml`, { maxBytes: Infinity });
        outcome = `valid, ${c.waves.reduce((n, w) => n + w.applications.reduce((m, a) => m + a.servers.length, 0), 0)} servers`;
      } catch (e) {
        outcome = (e as Error).message.split('\n').slice(0, process.env.PROBLEMS ? 5 : 1).join(' | ');
      }
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
    }
    console.log(`${kind.padEnd(7)} ${(Buffer.byteLength(text) / MIB).toFixed(2).padStart(5)} MiB  ${best.toFixed(0).padStart(6)} ms  ${outcome}`);
  }
}
