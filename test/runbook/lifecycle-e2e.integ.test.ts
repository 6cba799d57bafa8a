import { DescribeJobsCommand } from '@aws-sdk/client-mgn';
import type { WaveReport } from '../../src/runbook/report';
import { runWave } from '../../src/runbook/wave/run';
import type { Simulation } from '../../src/simulation/simulate';
import { type MotoServer, startMoto } from '../support/moto';
import { generatedEstate } from './estate';
import { memoryLogger, runtimeOf, simulate } from './sim';

let moto: MotoServer;
let sim: Simulation;
beforeAll(async () => {
  moto = await startMoto({ accountId: '111111111111' });
});
afterAll(async () => {
  await sim?.stop();
  await moto?.stop();
});

/** Simulated seconds during which at least one server was in `phase`. */
function phaseSeconds(report: WaveReport, phase: string, servers: string[]): number {
  const spans = report.servers
    .filter((s) => servers.includes(s.server))
    .flatMap((s) => s.phases.filter((p) => p.phase === phase))
    .map((p) => [Date.parse(p.start), Date.parse(p.end!)] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let open: [number, number] | undefined;
  for (const [start, end] of spans) {
    if (open && start <= open[1]) open[1] = Math.max(open[1], end);
    else {
      if (open) total += open[1] - open[0];
      open = [start, end];
    }
  }
  return (total + (open ? open[1] - open[0] : 0)) / 1000;
}

it('marks servers ready concurrently, off the poll loop: a slow MGN holds up neither them nor the verification of others', async () => {
  // 30 servers fit in the active-jobs quota: srv031 launches in a second job once the first completes.
  const quotas = { serversPerJob: 200, serversInActiveJobs: 30, concurrentJobs: 20 };
  sim = await simulate(generatedEstate(31), moto.url, { waves: ['big'], quotas });
  // Every ChangeServerLifeCycleState takes a simulated minute: 30 of them one after the other
  // would stop the loop for half an hour, while srv031's job completes.
  sim.fake.faults = { latencyMs: { ChangeServerLifeCycleState: 60_000 } };
  let inFlight = 0;
  let peak = 0;
  sim.clients.mgn.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'ChangeServerLifeCycleStateCommand') return next(args);
      peak = Math.max(peak, ++inFlight);
      try {
        return await next(args);
      } finally {
        inFlight--;
      }
    },
    { step: 'initialize', name: 'countInFlight' },
  );
  const config = { ...sim.config, runbook: { ...sim.config.runbook, quotas } };
  const log = memoryLogger();
  const report = await runWave(runtimeOf(sim, log, config), { wave: 'big', mode: 'test' });
  expect(report.servers.filter((s) => s.outcome !== 'succeeded').map((s) => `${s.server}: ${s.reason}`)).toEqual([]);

  const first = report.servers.slice(0, 30).map((s) => s.server);
  // Concurrent under the limit (8 to begin with): far less than the 30 minutes one at a time.
  expect(peak).toBeGreaterThanOrEqual(8);
  expect(peak).toBeLessThanOrEqual(32);
  expect(phaseSeconds(report, 'lifecycle', first)).toBeLessThanOrEqual(8 * 60);

  // srv031's job completed while the first servers were being marked ready: the loop saw it at its next poll.
  const last = report.servers.find((s) => s.server === 'srv031')!;
  const job = (await sim.clients.mgn.send(new DescribeJobsCommand({ filters: { jobIDs: [last.jobID!] } }))).items![0];
  const launchEnd = Date.parse(last.phases.find((p) => p.phase === 'launch')!.end!);
  const lifecycleStart = Math.min(...report.servers.slice(0, 30).map((s) => Date.parse(s.phases.find((p) => p.phase === 'lifecycle')!.start)));
  expect(Date.parse(job.endDateTime!)).toBeLessThan(lifecycleStart + 30 * 60_000);
  expect(launchEnd - Date.parse(job.endDateTime!)).toBeLessThanOrEqual(sim.config.runbook.pollIntervalSeconds * 1000);
}, 300_000);
