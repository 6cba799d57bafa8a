import { DescribeJobsCommand, DescribeSourceServersCommand, InternalServerException, StartTestCommand, ThrottlingException } from '@aws-sdk/client-mgn';
import { type FaultOptions, type MgnFake, startMgnFake } from '../../src/mgn-fake';
import { mgnClient } from './client';

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
});
