import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { synthesizeEstate } from '../../src/infra/app';
import { validateModules } from '../support/terraform';
import { estateName, load, mutatedEstate, SEEDS, valueMutatedEstate } from './estate-mutations';

/**
 * Whatever validate accepts synthesizes and passes `terraform validate` with the real AWS provider
 * (whose own checks cover name lengths and formats of many resources): for a bounded number of
 * accepted random and mutated estates, since each synthesis and the provider's schema cost seconds.
 * The estates that stretch names most are among them: the longest estate name every seed accepts.
 */
const SAMPLES = 4;

describe('estates validate accepts', () => {
  const accepted: Array<{ label: string; text: string }> = [];
  let tried = 0;

  beforeAll(() => {
    // Longest names first: the seed with every resource switched on, under its longest accepted name.
    const longest = SEEDS.map((s) => {
      for (let n = 63; n > 0; n--) {
        const text = s.text.replace(/^name: .*$/m, `name: ${'n'.repeat(n)}`);
        if (load(text).accepted) return { label: `${s.name} with a ${n}-character name`, text };
      }
      throw new Error(`${s.name}: no estate name accepted`);
    });
    accepted.push(...longest.slice(0, 2));
    // Then random ones, from a fixed seed so that a failure reproduces.
    const seen = new Set(accepted.map((a) => a.text));
    const candidates = fc.sample(fc.oneof(valueMutatedEstate, mutatedEstate, estateName.map((n) => ({ seed: 'examples/existing-vpc.yaml', text: SEEDS[1].text.replace(/^name: .*$/m, `name: ${n}`) }))), { numRuns: 400, seed: 20240611 });
    for (const c of candidates) {
      if (accepted.length >= SAMPLES) break;
      tried++;
      if (seen.has(c.text) || !load(c.text).accepted) continue;
      seen.add(c.text);
      accepted.push({ label: `a mutation of ${c.seed}`, text: c.text });
    }
  });

  it(`${SAMPLES} of them (the longest name, then random ones) synthesize and pass terraform validate`, async () => {
    expect(accepted).toHaveLength(SAMPLES);
    const stackDirs: Record<string, string> = {};
    accepted.forEach((a, i) => {
      const r = load(a.text);
      if (!r.accepted) throw new Error('accepted before, refused now');
      const out = mkdtempSync(join(tmpdir(), `rehost-accepted-${i}-`));
      synthesizeEstate(r.config, out); // a construct refusing what validate accepted throws here
      for (const stack of readdirSync(join(out, 'stacks'))) stackDirs[`sample-${i}/${stack}`] = join(out, 'stacks', stack);
    });
    const errors = await validateModules(stackDirs);
    const failed = Object.entries(errors).filter(([, e]) => e.length).map(([stack, e]) => ({ stack, estate: accepted[Number(/sample-(\d+)/.exec(stack)?.[1])]?.label, errors: e.map((d) => d.summary) }));
    console.info(`accepted estates: ${SAMPLES} synthesized (${Object.keys(stackDirs).length} stacks) from ${tried} random candidates: ${accepted.map((a) => a.label).join('; ')}`);
    expect(failed).toEqual([]);
  });
});
