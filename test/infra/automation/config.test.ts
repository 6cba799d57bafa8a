import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/errors';
import { parseFactory } from '../../../src/config/load';
import { amiReEncryptionSection, amiSwapSection } from '../../../src/config/sections/automation';
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
  expect(problems[0].message).toMatch(/worst case of 315,\d{3} Step Functions history events \(copyPolling alone adds 3\d\d,\d{3}\); at most 20,000/);
  expect(problems[0].message).toContain('raise copyPolling.maxSeconds or lower copyPolling.timeoutMinutes');
  expect(problems[0].message).toContain('got "initialSeconds 60, maxSeconds 60, timeoutMinutes 10080"');
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
