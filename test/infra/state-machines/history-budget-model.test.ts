import fc from 'fast-check';
import { amiSwapHistory, reEncryptionHistory } from '../../../src/config/history-budget';
import { amiReEncryptionSection, amiSwapSection } from '../../../src/config/sections/automation';
import { amiSwapWorstCase, reEncryptionWorstCase } from '../../../src/infra/state-machines/history-budget';

/**
 * Validation counts a pipeline's worst-case history with a model of numbers (config/history-budget.ts),
 * the stacks' definitions with the graph walk on the built ASL (state-machines/history.ts). Both must
 * agree, total and every part, for any settings the schema accepts: a definition change that changes
 * its history fails here until the numbers follow.
 */

/** Polling bounds the schema accepts (maxSeconds >= initialSeconds), small and large. */
const polling = fc
  .record({
    initialSeconds: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 3600 })),
    extra: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 3599 })),
    timeoutMinutes: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 7 * 24 * 60 })),
  })
  .map(({ initialSeconds, extra, timeoutMinutes }) => ({ initialSeconds, maxSeconds: Math.min(3600, initialSeconds + extra), timeoutMinutes }));

const reDefaults = amiReEncryptionSection.parse({});
const swapDefaults = amiSwapSection.parse({ enabled: true });
type ReSettings = typeof reDefaults;
type SwapSettings = typeof swapDefaults;

/** Any re-encryption settings the history can depend on (built on the defaults: the budget check is what is compared, not applied). */
const reSettings = fc.record({ deregisterSource: fc.boolean(), copyPolling: polling }).map((o): ReSettings => ({ ...reDefaults, ...o }));
const swapSettings = fc
  .record({ refresh: fc.boolean(), instancePolling: polling, sysprepPolling: polling, imagePolling: polling })
  .map(({ refresh, ...o }): SwapSettings => ({ ...swapDefaults, ...o, instanceRefresh: { ...swapDefaults.instanceRefresh, enabled: refresh } }));

/** The property: the model gives the ASL model's total and parts. */
const agrees = <S>(settings: fc.Arbitrary<S>, model: (s: S) => unknown, asl: (s: S) => unknown) =>
  fc.property(settings, (s) => {
    expect(model(s)).toEqual(asl(s));
  });

test('the re-encryption: the config model gives the ASL model\'s total and parts for any settings', () => {
  fc.assert(agrees(reSettings, reEncryptionHistory, reEncryptionWorstCase), { numRuns: 200 });
});

test('the AMI swap: the config model gives the ASL model\'s total and parts for any settings', () => {
  fc.assert(agrees(swapSettings, amiSwapHistory, amiSwapWorstCase), { numRuns: 200 });
});

test('the defaults and the smallest bounds (one poll, nothing repeated) agree too', () => {
  const one = { initialSeconds: 60, maxSeconds: 60, timeoutMinutes: 1 };
  for (const deregisterSource of [false, true]) {
    const s = { ...reDefaults, deregisterSource };
    expect(reEncryptionHistory(s)).toEqual(reEncryptionWorstCase(s));
    const once = { ...s, copyPolling: one };
    expect(reEncryptionHistory(once)).toEqual(reEncryptionWorstCase(once));
    expect(reEncryptionHistory(once).parts['loop CopyPollDelay']).toBe(0);
  }
  expect(amiSwapHistory(swapDefaults)).toEqual(amiSwapWorstCase(swapDefaults));
  const once = { ...swapDefaults, instancePolling: one, sysprepPolling: one, imagePolling: one };
  expect(amiSwapHistory(once)).toEqual(amiSwapWorstCase(once));
});

test('the comparison can fail: models that ignore a setting or miscount polls are caught', () => {
  const ignoresSourceRemoval = (s: ReSettings) => reEncryptionHistory({ ...s, deregisterSource: false });
  const onePollShort = (s: ReSettings) => reEncryptionHistory({ ...s, copyPolling: { ...s.copyPolling, timeoutMinutes: Math.max(1, s.copyPolling.timeoutMinutes - 1) } });
  const swapsSysprepAndImage = (s: SwapSettings) => amiSwapHistory({ ...s, sysprepPolling: s.imagePolling, imagePolling: s.sysprepPolling });
  expect(fc.check(agrees(reSettings, ignoresSourceRemoval, reEncryptionWorstCase), { numRuns: 200 }).failed).toBe(true);
  expect(fc.check(agrees(reSettings, onePollShort, reEncryptionWorstCase), { numRuns: 200 }).failed).toBe(true);
  expect(fc.check(agrees(swapSettings, swapsSysprepAndImage, amiSwapWorstCase), { numRuns: 200 }).failed).toBe(true);
});
