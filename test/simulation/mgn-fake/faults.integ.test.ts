import { ConflictException, DescribeJobsCommand, DescribeSourceServersCommand, FinalizeCutoverCommand, InternalServerException, StartTestCommand, ThrottlingException, UpdateLaunchConfigurationCommand } from '@aws-sdk/client-mgn';
import { type FaultOptions, type MgnFake, startMgnFake } from '../../../src/simulation/mgn-fake';
import { mgnClient, rejection } from './client';

/** Sends `n` sequential DescribeSourceServers and returns each outcome: ok, throttled or 5xx. */
async function outcomes(fake: MgnFake, n: number): Promise<string[]> {
  const mgn = mgnClient(fake);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      await mgn.send(new DescribeSourceServersCommand({}));
      out.push('ok');
    } catch (err) {
      if (err instanceof ThrottlingException) {
        expect(err.$metadata.httpStatusCode).toBe(429);
        expect(err.retryAfterSeconds).toMatch(/^[1-3]$/);
        out.push(`throttled:${err.retryAfterSeconds}`);
      } else if (err instanceof InternalServerException) {
        expect(err.$metadata.httpStatusCode).toBe(500);
        out.push('5xx');
      } else {
        throw err;
      }
    }
  }
  return out;
}

describe('MGN fake fault injection', () => {
  const faults: FaultOptions = { throttleRate: 0.3, serverErrorRate: 0.05, seed: 7 };

  test('throttling and 5xx at the configured rates, identical for the same seed', async () => {
    const [a, b, c] = await Promise.all([startMgnFake({ faults }), startMgnFake({ faults }), startMgnFake({ faults: { ...faults, seed: 8 } })]);
    try {
      const [ra, rb, rc] = await Promise.all([outcomes(a, 300), outcomes(b, 300), outcomes(c, 300)]);
      const throttled = ra.filter((o) => o.startsWith('throttled')).length;
      const errors = ra.filter((o) => o === '5xx').length;
      expect(throttled / 300).toBeGreaterThan(0.24);
      expect(throttled / 300).toBeLessThan(0.36);
      expect(errors / 300).toBeGreaterThan(0.02);
      expect(errors / 300).toBeLessThan(0.09);
      expect(rb).toEqual(ra);
      expect(rc).not.toEqual(ra);
      expect(a.calls('DescribeSourceServers')).toBe(300);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  test('a throttled call changes nothing; faults can be changed while the fake runs', async () => {
    const fake = await startMgnFake({ faults: { throttleRate: 1 } });
    try {
      const [{ sourceServerID }] = fake.seedServers([{ hostname: 'web1' }]);
      const mgn = mgnClient(fake);
      await expect(mgn.send(new StartTestCommand({ sourceServerIDs: [sourceServerID] }))).rejects.toBeInstanceOf(ThrottlingException);
      expect(fake.calls('StartTest')).toBe(1);
      expect([fake.errors('ThrottlingException', 'StartTest'), fake.errors('ThrottlingException', 'DescribeJobs'), fake.errors('ConflictException'), fake.errors()]).toEqual([1, 0, 0, 1]);
      expect(fake.launches(sourceServerID)).toBe(0);
      fake.faults.throttleRate = 0;
      expect((await mgn.send(new DescribeJobsCommand({}))).items).toEqual([]);
      fake.faults = { serverErrorRate: 1 };
      await expect(mgn.send(new DescribeJobsCommand({}))).rejects.toBeInstanceOf(InternalServerException);
      fake.faults = {};
      // The SDK's own retries see a healthy fake again.
      expect((await mgnClient(fake, 3).send(new StartTestCommand({ sourceServerIDs: [sourceServerID] }))).job?.status).toBe('PENDING');
      expect(fake.launches(sourceServerID)).toBe(1);
    } finally {
      await fake.stop();
    }
  });

  test('a lost answer: the call takes effect, the connection closes before the response; reads are never lost', async () => {
    const fake = await startMgnFake({ faults: { loseAnswers: { StartTest: 1, '*': 0 } } });
    try {
      const [{ sourceServerID }] = fake.seedServers([{ hostname: 'web1' }]);
      const mgn = mgnClient(fake);
      const lost = await rejection(mgn.send(new StartTestCommand({ sourceServerIDs: [sourceServerID] })));
      expect(lost.message).toMatch(/socket hang up/);
      // It happened: the job exists and the server is in it; sending it again is refused.
      expect([fake.launches(sourceServerID), fake.lostAnswers('StartTest'), fake.lostAnswers()]).toEqual([1, 1, 1]);
      expect((await mgn.send(new DescribeJobsCommand({}))).items?.map((j) => j.participatingServers?.[0]?.sourceServerID)).toEqual([sourceServerID]);
      expect(await rejection(mgn.send(new StartTestCommand({ sourceServerIDs: [sourceServerID] })))).toBeInstanceOf(ConflictException);
      // '*' loses the next answers of every mutating operation, never a read's.
      fake.faults = { loseAnswers: { '*': 2 } };
      await mgn.send(new DescribeSourceServersCommand({}));
      expect(fake.lostAnswers()).toBe(1);
      // By rate, sampled with the seed: a fifth of 100 answers to a call that succeeds, identical for the same seed.
      const rates = async (seed: number) => {
        // Another seed first: the sampler restarts when the seed changes.
        fake.faults = { seed: seed + 1 };
        fake.faults = { loseAnswerRate: 0.2, seed };
        const before = fake.lostAnswers();
        for (let i = 0; i < 100; i++) await mgn.send(new UpdateLaunchConfigurationCommand({ sourceServerID, name: `web1-${i}` })).catch(() => undefined);
        return fake.lostAnswers() - before;
      };
      const [a, b] = [await rates(3), await rates(3)];
      expect(a).toBe(b);
      expect(a).toBeGreaterThan(10);
      expect(a).toBeLessThan(30);
    } finally {
      await fake.stop();
    }
  });

  test('an operation that always fails without effect, and answers that take simulated time', async () => {
    const fake = await startMgnFake({ faults: { failOperations: ['FinalizeCutover'] } });
    try {
      const [{ sourceServerID }] = fake.seedServers([{ hostname: 'web1', lifeCycleState: 'CUTTING_OVER' }]);
      const mgn = mgnClient(fake);
      expect(await rejection(mgn.send(new FinalizeCutoverCommand({ sourceServerID })))).toBeInstanceOf(InternalServerException);
      expect((await mgn.send(new DescribeSourceServersCommand({}))).items?.[0].lifeCycle?.state).toBe('CUTTING_OVER');
      // Each request takes 10 simulated seconds; other operations none.
      fake.faults = { latencyMs: { DescribeSourceServers: 10_000 } };
      const t0 = fake.clock.nowMs();
      await mgn.send(new DescribeSourceServersCommand({}));
      await mgn.send(new DescribeJobsCommand({}));
      expect(fake.clock.nowMs() - t0).toBe(10_000);
    } finally {
      await fake.stop();
    }
  });
});
