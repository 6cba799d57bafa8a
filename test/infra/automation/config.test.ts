import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/errors';
import { parseFactory } from '../../../src/config/load';
import { amiReEncryptionSection, amiSwapSection } from '../../../src/config/sections/automation';
import { HISTORY_EVENT_LIMIT } from '../../../src/infra/state-machines/history';
import { HISTORY_EVENT_BUDGET, amiSwapWorstCase, reEncryptionWorstCase } from '../../../src/infra/state-machines/history-budget';
import { ROOT } from '../../support/tools';

const example = readFileSync(join(ROOT, 'examples', 'factory.yaml'), 'utf8');

function problemsOf(text: string) {
  try {
    parseFactory(text, 'factory.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return { exitCode: e.exitCode, problems: e.problems };
    throw e;
  }
  throw new Error('expected the estate to be refused');
}

test('polling that could exceed the history budget is refused where it is set, with the worst case and what to change', () => {
  const line = example.split('\n').findIndex((l) => l.includes('copyPolling:')) + 1;
  expect(line).toBeGreaterThan(0);
  const text = example.replace(/copyPolling: \{[^}]*\}/, 'copyPolling: { initialSeconds: 60, maxSeconds: 60, timeoutMinutes: 10080 }');
  const { exitCode, problems } = problemsOf(text);
  expect(exitCode).toBe(2);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatchObject({ file: 'factory.yaml', line, path: 'automation.amiReEncryption.copyPolling' });
  expect(problems[0].message).toMatch(/worst case of 339,\d{3} Step Functions history events \(copyPolling alone adds 33\d,\d{3}\); at most 20,000/);
  expect(problems[0].message).toContain('raise copyPolling.maxSeconds or lower copyPolling.timeoutMinutes');
  expect(problems[0].message).toContain('got "initialSeconds 60, maxSeconds 60, timeoutMinutes 10080"');
});

/** The example estate with the swap's three polling settings. */
function swapPolling(instance: string, sysprep: string, image: string): string {
  const text = example.replace(/(\n  amiSwap:\n    enabled: true\n)/, `$1    instancePolling: ${instance}\n    sysprepPolling: ${sysprep}\n    imagePolling: ${image}\n`);
  expect(text).not.toBe(example);
  return text;
}

test('a swap that could poll each loop almost to its bound and then succeed pays for all three loops: refused', () => {
  // Each loop alone stays far below the budget, and so does each loop's timeout path; a run that
  // polls the instance, Sysprep and the image almost to their bounds and then succeeds (or fails
  // after the image) passes all three: 3,887 fixed events + 239, 179 and 239 repeated polls.
  const settings = { instance: { initialSeconds: 1, maxSeconds: 1, timeoutMinutes: 4 }, sysprep: { initialSeconds: 1, maxSeconds: 1, timeoutMinutes: 3 }, image: { initialSeconds: 1, maxSeconds: 1, timeoutMinutes: 4 } };
  const flow = (p: { initialSeconds: number; maxSeconds: number; timeoutMinutes: number }) => `{ initialSeconds: ${p.initialSeconds}, maxSeconds: ${p.maxSeconds}, timeoutMinutes: ${p.timeoutMinutes} }`;
  const text = swapPolling(flow(settings.instance), flow(settings.sysprep), flow(settings.image));
  const { exitCode, problems } = problemsOf(text);
  expect(exitCode).toBe(2);
  expect(problems).toHaveLength(1);
  const line = text.split('\n').findIndex((l) => l.includes('sysprepPolling:')) + 1;
  expect(problems[0]).toMatchObject({ file: 'factory.yaml', line, path: 'automation.amiSwap.sysprepPolling' });
  expect(problems[0].message).toContain('worst case of 27,476 Step Functions history events (sysprepPolling alone adds 8,771)');
  // the count on the built definition agrees, and a run could reach Step Functions' limit
  const swap = amiSwapSection.parse({ enabled: true });
  const total = amiSwapWorstCase({ ...swap, instancePolling: settings.instance, sysprepPolling: settings.sysprep, imagePolling: settings.image }).total;
  expect(total).toBe(27_476);
  expect(total).toBeGreaterThan(HISTORY_EVENT_LIMIT);
});

test('honest fast polling of all three swap loops stays within the budget and is accepted', () => {
  const two = '{ initialSeconds: 1, maxSeconds: 1, timeoutMinutes: 2 }';
  const estate = parseFactory(swapPolling(two, two, two), 'factory.yaml');
  const swap = estate.automation.amiSwap;
  expect(swap.sysprepPolling).toEqual({ initialSeconds: 1, maxSeconds: 1, timeoutMinutes: 2 });
  expect(amiSwapWorstCase(swap).total).toBeLessThanOrEqual(HISTORY_EVENT_BUDGET);
});

test('the swap names the poll that adds most; the defaults and the longest bounds with sane waits pass', () => {
  const r = amiSwapSection.safeParse({ enabled: true, imagePolling: { initialSeconds: 5, maxSeconds: 30, timeoutMinutes: 24 * 60 } });
  expect(r.success).toBe(false);
  expect(r.error!.issues[0]).toMatchObject({ path: ['imagePolling'], message: expect.stringContaining('imagePolling alone adds') });
  expect(reEncryptionWorstCase(amiReEncryptionSection.parse({})).total).toBeLessThan(HISTORY_EVENT_BUDGET / 2);
  expect(amiSwapWorstCase(amiSwapSection.parse({})).total).toBeLessThan(HISTORY_EVENT_BUDGET / 2);
  // a week-long copy bound is fine with waits that grow to an hour
  expect(amiReEncryptionSection.safeParse({ copyPolling: { initialSeconds: 60, maxSeconds: 3600, timeoutMinutes: 7 * 24 * 60 } }).success).toBe(true);
});

test('a pipeline that is off is not held to the history budget (it deploys no state machine)', () => {
  const tight = { initialSeconds: 5, maxSeconds: 30, timeoutMinutes: 24 * 60 };
  expect(amiSwapSection.safeParse({ enabled: false, imagePolling: tight }).success).toBe(true);
  expect(amiSwapSection.safeParse({ enabled: true, imagePolling: tight }).success).toBe(false);
});
