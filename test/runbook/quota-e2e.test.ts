import { type MotoServer, startMoto } from '../support/moto';
import { makespanLowerBoundMinutes } from '../../src/runbook/batching';
import { runWave } from '../../src/runbook/run-wave';
import type { Simulation } from '../../src/runbook/simulate';
import { generatedEstate } from './estate';
import { memoryLogger, runtimeOf, simulate } from './sim';

let moto: MotoServer;
let sim: Simulation;
beforeAll(async () => {
  moto = await startMoto({ accountId: '111111111111' });
  sim = await simulate(generatedEstate(500, { postLaunch: false }), moto.url, { waves: ['big'] });
}, 120_000);
afterAll(async () => {
  await sim?.stop();
  await moto?.stop();
});

it('launches a 500-server wave without ever breaking an MGN quota, queueing what does not fit', async () => {
  const log = memoryLogger();
  const start = sim.clock.now().getTime();
  const report = await runWave(runtimeOf(sim, log), { wave: 'big', mode: 'test' });
  expect(report.servers.filter((s) => s.outcome !== 'succeeded')).toEqual([]);
  // The fake audits every job it accepted; it also refuses (ServiceQuotaExceeded) anything beyond.
  expect(sim.fake.peaks).toEqual({ serversInActiveJobs: 200, activeJobs: 1, serversPerJob: 200 });
  expect(log.lines.filter((l) => /started mgnjob-\S+ with \d+ servers/.test(l)).map((l) => Number(/with (\d+)/.exec(l)![1]))).toEqual([200, 200, 100]);
  expect(log.lines.some((l) => /queued 300/.test(l))).toBe(true);
  for (const s of report.servers) expect(sim.fake.launches(s.sourceServerID!, 'START_TEST')).toBe(1);
  // Three rounds of 20-minute jobs: within one poll round and the verification of the last batch.
  const makespan = (sim.clock.now().getTime() - start) / 60_000;
  expect(makespan).toBeGreaterThanOrEqual(makespanLowerBoundMinutes(500, 20));
  expect(makespan).toBeLessThanOrEqual(makespanLowerBoundMinutes(500, 20) + 10);
});
