import { type MotoServer, startMoto } from '../support/moto';
import { makespanLowerBoundMinutes } from '../../src/runbook/batching';
import { runWave } from '../../src/runbook/wave/run';
import type { Simulation } from '../../src/simulation/simulate';
import { generatedEstate } from './estate';
import { memoryLogger, runtimeOf, simulate } from './sim';

let moto: MotoServer;
const sims: Simulation[] = [];
beforeAll(async () => {
  moto = await startMoto({ accountId: '111111111111' });
}, 120_000);
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  await moto?.stop();
});

/** Launch jobs the runbook started, by size, from its progress log. */
const startedSizes = (lines: string[]) => lines.filter((l) => /started mgnjob-\S+ with \d+ servers?/.test(l)).map((l) => Number(/with (\d+)/.exec(l)![1]));

/**
 * The fake refuses any call beyond a quota, so its peaks alone could never show a breach: the
 * tests also count its refusals. A runbook that tried an over-quota call would be answered
 * ServiceQuotaExceededException (or ConflictException for a server already in a job), and counted.
 */
function expectNoRefusals(sim: Simulation): void {
  expect({ quota: sim.fake.errors('ServiceQuotaExceededException'), conflict: sim.fake.errors('ConflictException'), validation: sim.fake.errors('ValidationException') }).toEqual({ quota: 0, conflict: 0, validation: 0 });
}

it('launches a 500-server wave in the fewest jobs MGN allows, never attempting an over-quota call', async () => {
  const sim = await simulate(generatedEstate(500, { postLaunch: false }), moto.url, { waves: ['big'] });
  sims.push(sim);
  const log = memoryLogger();
  const start = sim.clock.now().getTime();
  const report = await runWave(runtimeOf(sim, log), { wave: 'big', mode: 'test' });
  expect(report.servers.filter((s) => s.outcome !== 'succeeded')).toEqual([]);
  expectNoRefusals(sim);
  expect(sim.fake.peaks).toEqual({ serversInActiveJobs: 200, activeJobs: 1, serversPerJob: 200 });
  // 200 servers across active jobs: ceil(500 / 200) = 3 StartTest calls is the optimum.
  expect(sim.fake.calls('StartTest')).toBe(3);
  expect(startedSizes(log.lines)).toEqual([200, 200, 100]);
  expect(log.lines.some((l) => /queued 300/.test(l))).toBe(true);
  for (const s of report.servers) expect(sim.fake.launches(s.sourceServerID!, 'START_TEST')).toBe(1);
  // Three rounds of 20-minute jobs: within one poll round and the verification of the last batch.
  const makespan = (sim.clock.now().getTime() - start) / 60_000;
  expect(makespan).toBeGreaterThanOrEqual(makespanLowerBoundMinutes(500, 20));
  expect(makespan).toBeLessThanOrEqual(makespanLowerBoundMinutes(500, 20) + 10);
}, 300_000);

it('with small quotas (2 concurrent jobs, 5 servers per job) reaches the concurrent-jobs limit and never breaks it', async () => {
  const quotas = { serversPerJob: 5, serversInActiveJobs: 200, concurrentJobs: 2 };
  const sim = await simulate(generatedEstate(30, { postLaunch: false }), moto.url, { waves: ['big'], quotas });
  sims.push(sim);
  const log = memoryLogger();
  const config = { ...sim.config, runbook: { ...sim.config.runbook, quotas } };
  const start = sim.clock.now().getTime();
  const report = await runWave(runtimeOf(sim, log, config), { wave: 'big', mode: 'test' });
  expect(report.servers.filter((s) => s.outcome !== 'succeeded')).toEqual([]);
  expectNoRefusals(sim);
  expect(sim.fake.peaks).toEqual({ serversInActiveJobs: 10, activeJobs: 2, serversPerJob: 5 });
  expect(sim.fake.calls('StartTest')).toBe(6);
  expect(startedSizes(log.lines)).toEqual([5, 5, 5, 5, 5, 5]);
  for (const s of report.servers) expect(sim.fake.launches(s.sourceServerID!, 'START_TEST')).toBe(1);
  // 10 servers in flight at a time: three rounds of 20-minute jobs.
  const makespan = (sim.clock.now().getTime() - start) / 60_000;
  expect(makespan).toBeGreaterThanOrEqual(makespanLowerBoundMinutes(30, 20, quotas));
  expect(makespan).toBeLessThanOrEqual(makespanLowerBoundMinutes(30, 20, quotas) + 10);
}, 120_000);

it('refills a batch MGN refused servers of: 230 servers, 6 refused, launched in the 2 jobs the quota needs', async () => {
  const sim = await simulate(generatedEstate(230, { postLaunch: false }), moto.url, { waves: ['big'] });
  sims.push(sim);
  // Between preflight (which passes) and the first StartTest, six servers of the first batch stall.
  const stalled = ['srv010', 'srv050', 'srv090', 'srv130', 'srv170', 'srv190'];
  let first = true;
  sim.clients.mgn.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'StartTestCommand' && first) {
        first = false;
        sim.fake.faults = { stallReplicationFor: stalled };
      }
      return next(args);
    },
    { step: 'initialize', name: 'stallBeforeFirstBatch' },
  );
  const log = memoryLogger();
  const report = await runWave(runtimeOf(sim, log), { wave: 'big', mode: 'test' });
  const byOutcome = (o: string) => report.servers.filter((s) => s.outcome === o).map((s) => s.server);
  expect(byOutcome('failed')).toEqual(stalled);
  expect(byOutcome('succeeded')).toHaveLength(224);
  // The refused call, then a full batch of 200 (194 + 6 from the queue), then the last 24.
  expect(startedSizes(log.lines)).toEqual([200, 24]);
  expect(sim.fake.calls('StartTest')).toBe(3);
  expect(log.lines.some((l) => /StartTest refused 6 servers; sending 200 again \(6 taken from the queue in their place\)/.test(l))).toBe(true);
  expect({ quota: sim.fake.errors('ServiceQuotaExceededException'), peak: sim.fake.peaks.serversInActiveJobs }).toEqual({ quota: 0, peak: 200 });
  for (const s of report.servers) expect(sim.fake.launches(s.sourceServerID!, 'START_TEST')).toBe(stalled.includes(s.server) ? 0 : 1);
}, 300_000);
