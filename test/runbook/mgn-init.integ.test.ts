import { MgnClient } from '@aws-sdk/client-mgn';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import { initializeMgn } from '../../src/runbook/mgn-init';
import { MgnFake, startMgnFake } from '../../src/simulation/mgn-fake';
import { MOTO_CREDENTIALS } from '../support/moto';
import { ROOT } from '../support/tools';

const REGION = 'eu-west-1';
const client = (url: string, maxAttempts = 2) => new MgnClient({ region: REGION, endpoint: url, credentials: MOTO_CREDENTIALS, maxAttempts });
const noSleep = () => Promise.resolve();

describe('mgn init (InitializeService once)', () => {
  let fake: MgnFake;
  beforeEach(async () => {
    fake = await startMgnFake({ region: REGION, uninitialized: true });
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('initializes an uninitialized account, verifies it by reading back, and does nothing the second time', async () => {
    const lines: string[] = [];
    await expect(initializeMgn(client(fake.url), { log: (l) => lines.push(l), sleep: noSleep })).resolves.toBe('initialized');
    expect(fake.calls('InitializeService')).toBe(1);
    expect(fake.calls('DescribeSourceServers')).toBe(2);
    await expect(initializeMgn(client(fake.url), { sleep: noSleep })).resolves.toBe('already-initialized');
    expect(fake.calls('InitializeService')).toBe(1);
    expect(lines).toEqual(['MGN is not initialized: calling InitializeService', 'MGN answers as initialized']);
  });

  it('adopts an InitializeService whose answer was lost once MGN answers as initialized, without calling it again', async () => {
    fake.faults = { loseAnswers: { InitializeService: 1 } };
    // No SDK retries: the one retry rule is initializeMgn's (read, then send again only if needed).
    await expect(initializeMgn(client(fake.url, 1), { sleep: noSleep })).resolves.toBe('initialized');
    expect([fake.lostAnswers('InitializeService'), fake.calls('InitializeService')]).toEqual([1, 1]);
  });

  it('gives up after a bounded number of reads when MGN never answers as initialized', async () => {
    // No emulator can make InitializeService succeed while the account stays uninitialized, so this
    // client drops the InitializeService request before it is sent (the fake never sees it).
    const c = client(fake.url);
    c.middlewareStack.add((next, context) => async (args) => (context.commandName === 'InitializeServiceCommand' ? { output: { $metadata: {} }, response: {} } : next(args)), { step: 'initialize', name: 'dropInitializeService' });
    await expect(initializeMgn(c, { maxChecks: 3, sleep: noSleep })).rejects.toThrow(/still answered UninitializedAccountException after 3 checks/);
    expect(fake.calls('DescribeSourceServers')).toBe(4);
  });

  it('runs from the CLI with the estate Region and AWS_ENDPOINT_URL_MGN, and refuses other subcommands', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL_MGN: fake.url, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
    try {
      const out: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
      expect(await runCli(['mgn', 'init', '--config', join(ROOT, 'examples', 'factory.yaml')], io)).toBe(0);
      expect(out[0]).toMatch(/^MGN in account 111111111111, Region eu-west-1/);
      expect(out[out.length - 1]).toBe('initialized');
      expect(await runCli(['mgn', 'init', '--config', join(ROOT, 'examples', 'factory.yaml')], io)).toBe(0);
      expect(out[out.length - 1]).toBe('already initialized');
      expect(fake.calls('InitializeService')).toBe(1);
      expect(await runCli(['mgn', 'start'], io)).toBe(2);
      expect(out[out.length - 1]).toMatch(/expected "mgn init"/);
    } finally {
      process.env = saved;
    }
  });
});
