/**
 * Benchmark: waves through the runbook core against the MGN fake (virtual time) and moto.
 *
 *   npx ts-node --swc bench/wave/run.ts [servers] [scenario ...]      (needs moto: python3 -m pip install 'moto[server]==5.2.1')
 *
 * Scenarios (all when none is named):
 * - plain: an N-server wave (default 500) through test → cutover → finalize, no faults
 * - throttled: the same wave through test → revert → test → cutover → finalize → archive with 20 %
 *   of MGN requests answered ThrottlingException
 * - rate-limited: the same modes against an MGN that allows 10 requests a second (bursts of 20) and
 *   takes 200 ms to answer each
 * - refusals: a 230-server test launch in which 6 servers' replication stalls between preflight
 *   and the first StartTest, so MGN refuses them from the first batch
 *
 * Per mode it prints: simulated makespan (against the quota-bound lower bound for launches), the
 * MGN jobs started, MGN requests per server (throttled answers included), by operation, the time
 * of the mode's final step (the union of its per-server phases, in virtual seconds) and wall time.
 *
 * Simulated time does not pass while a runbook request is in flight (see `timeRequests`), so
 * simulated times are MGN's jobs, the waits the runbook chose (polls, backoffs after throttling) and
 * the modelled latency, not how fast this machine answers.
 */
import { DescribeJobsCommand, type Job } from '@aws-sdk/client-mgn';
import { parseFactory } from '../../src/config/load';
import { makespanLowerBoundMinutes } from '../../src/runbook/batching';
import type { Mode } from '../../src/runbook/lifecycle';
import type { Phase, WaveReport } from '../../src/runbook/report';
import { runWave } from '../../src/runbook/wave/run';
import { type Simulation, startSimulation } from '../../src/simulation/simulate';

const args = process.argv.slice(2);
const SERVERS = Number(args.find((a) => /^\d+$/.test(a)) ?? 500);
const SCENARIOS = args.filter((a) => !/^\d+$/.test(a));
const JOB_MINUTES = 20;
const THROTTLE_RATE = 0.2;
/** A request rate limit and latency for MGN (assumed: MGN publishes neither). */
const RATE_LIMIT = { perSecond: 10, burst: 20 };
const LATENCY_MS = 200;
const REFUSAL_SERVERS = 230;
const REFUSED = ['srv0010', 'srv0050', 'srv0090', 'srv0130', 'srv0170', 'srv0190'];

/** The phase that is each mode's last step (none for cutover: the launch's verification is). */
const FINAL_PHASE: Partial<Record<Mode, Phase>> = { test: 'lifecycle', revert: 'revert', finalize: 'finalize', archive: 'archive' };

const OPS = [
  'DescribeSourceServers',
  'GetLaunchConfiguration',
  'DescribeJobs',
  'DescribeJobLogItems',
  'StartTest',
  'StartCutover',
  'TerminateTargetInstances',
  'ChangeServerLifeCycleState',
  'FinalizeCutover',
  'MarkAsArchived',
  'ListWaves',
  'ListApplications',
  'CreateWave',
  'CreateApplication',
  'AssociateApplications',
  'AssociateSourceServers',
];

function estate(n: number): string {
  const apps: string[] = [];
  for (let a = 0; a * 10 < n; a++) {
    apps.push(`      - name: app${String(a).padStart(3, '0')}`, '        servers:');
    for (let i = a * 10; i < Math.min(n, a * 10 + 10); i++) {
      const s = `srv${String(i + 1).padStart(4, '0')}`;
      apps.push(
        `          - { name: ${s}, fqdn: ${s}.corp.example.com, os: linux, test: { subnet: test-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium }, cutover: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: m6i.large } }`,
      );
    }
  }
  return `version: 1
name: bench
region: eu-west-1
accounts: { staging: "111111111111", targets: [{ name: prod, accountId: "222222222222" }] }
network:
  vpc: { create: { cidr: 10.90.0.0/22 } }
  stagingSubnets: [{ name: a, availabilityZone: eu-west-1a, cidr: 10.90.0.0/24 }, { name: b, availabilityZone: eu-west-1b, cidr: 10.90.1.0/24 }]
  targetSubnets:
    - { name: app-a, subnetId: subnet-0a1b2c3d4e5f60001, availabilityZone: eu-west-1a, cidr: 10.100.0.0/20 }
    - { name: test-a, subnetId: subnet-0a1b2c3d4e5f60003, availabilityZone: eu-west-1a, cidr: 10.100.16.0/20 }
  onPremises: { sourceCidrs: [192.168.0.0/16], dnsServers: [192.168.10.53] }
bootstrap:
  postLaunch: [{ document: validate-server }]
waves:
  - name: bench
    applications:
${apps.join('\n')}
`;
}

/** Every job the fake holds, read with faults lifted for the one call (so the count is exact). */
async function allJobs(sim: Simulation): Promise<Job[]> {
  const faults = sim.fake.faults;
  sim.fake.faults = { seed: faults.seed };
  try {
    const jobs: Job[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sim.clients.mgn.send(new DescribeJobsCommand({ filters: {}, maxResults: 1000, nextToken }));
      jobs.push(...(page.items ?? []));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return jobs;
  } finally {
    sim.fake.faults = faults;
  }
}

/** Virtual seconds during which at least one server was in `phase` (the union of their intervals), and how many servers went through it. */
function phaseTime(report: WaveReport, phase: Phase): { seconds: number; servers: number } {
  const spans = report.servers
    .flatMap((s) => s.phases.filter((p) => p.phase === phase && p.end))
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
  if (open) total += open[1] - open[0];
  return { seconds: total / 1000, servers: spans.length };
}

/**
 * Requests take no simulated time unless `latencyMs` is given: simulated time is held while any
 * runbook request is in flight (the VirtualClock would otherwise move to the next sleeper as soon
 * as the event loop is free, also while a request of another task is on its way, and concurrent
 * work would see polls and backoffs pass during it). With `latencyMs`, each request first waits
 * that long in simulated time, as a request to MGN takes time.
 */
function timeRequests(sim: Simulation, latencyMs = 0): void {
  for (const client of Object.values(sim.clients)) {
    (client as { middlewareStack: { add(m: unknown, o: unknown): void } }).middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
        if (latencyMs) await sim.clock.sleep(latencyMs);
        const release = sim.clock.hold();
        try {
          return await next(args);
        } finally {
          release();
        }
      },
      { step: 'initialize', name: 'timeRequests', priority: 'high' },
    );
  }
}

interface Row {
  readonly mode: Mode;
  readonly makespanMin: number;
  readonly boundMin?: number;
  readonly jobs: string;
  readonly callsPerServer: number;
  readonly byOperation: string;
  readonly finalStep: string;
  readonly outcomes: string;
  readonly wallS: number;
}

async function runMode(sim: Simulation, mode: Mode, servers: number): Promise<{ row: Row; report: WaveReport }> {
  const jobs0 = new Set((await allJobs(sim)).map((j) => j.jobID));
  // Counted after the benchmark's own listing, and before the next one: the runbook's requests only.
  const before = Object.fromEntries(OPS.map((o) => [o, sim.fake.calls(o)]));
  const calls0 = sim.fake.calls();
  const t0 = sim.clock.nowMs();
  const w0 = Date.now();
  const report = await runWave({ config: sim.config, clients: sim.clients, clock: sim.clock, logger: { info: () => undefined, warn: () => undefined } }, { wave: 'bench', mode });
  const wallS = (Date.now() - w0) / 1000;
  const makespanMin = (sim.clock.nowMs() - t0) / 60_000;
  const runbookCalls = sim.fake.calls() - calls0;
  const perOp = OPS.map((o) => [o, sim.fake.calls(o) - before[o]] as const).filter(([, v]) => v > 0);
  const started = (await allJobs(sim)).filter((j) => !jobs0.has(j.jobID));
  const kinds = new Map<string, number>();
  for (const j of started) kinds.set(j.type === 'TERMINATE' ? 'terminate' : 'launch', (kinds.get(j.type === 'TERMINATE' ? 'terminate' : 'launch') ?? 0) + 1);
  const phase = FINAL_PHASE[mode];
  const final = phase ? phaseTime(report, phase) : undefined;
  const outcomes = new Map<string, number>();
  for (const s of report.servers) outcomes.set(s.outcome, (outcomes.get(s.outcome) ?? 0) + 1);
  return {
    report,
    row: {
      mode,
      makespanMin,
      boundMin: mode === 'test' || mode === 'cutover' ? makespanLowerBoundMinutes(report.servers.filter((s) => s.phases.some((p) => p.phase === 'launch')).length, JOB_MINUTES) : undefined,
      jobs: [...kinds].map(([k, v]) => `${v} ${k}`).join(', ') || '0',
      callsPerServer: runbookCalls / servers,
      byOperation: perOp.map(([o, v]) => `${o} ${v} (${(v / servers).toFixed(2)})`).join(', '),
      finalStep: final ? `${phase} ×${final.servers}: ${final.seconds.toFixed(1)} s` : '— (no MGN call)',
      outcomes: [...outcomes].map(([k, v]) => `${v} ${k}`).join(', '),
      wallS,
    },
  };
}

function print(title: string, rows: Row[]): void {
  console.log(`\n### ${title}\n`);
  console.log('| mode | simulated makespan | lower bound | jobs started | MGN calls / server | final step (virtual time) | outcomes | wall time |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.mode} | ${r.makespanMin.toFixed(1)} min | ${r.boundMin === undefined ? '—' : `${r.boundMin} min`} | ${r.jobs} | ${r.callsPerServer.toFixed(2)} | ${r.finalStep} | ${r.outcomes} | ${r.wallS.toFixed(1)} s |`);
  }
  console.log('\nMGN calls by operation (per server):\n');
  for (const r of rows) console.log(`- ${r.mode}: ${r.byOperation}`);
}

async function scenario(title: string, servers: number, modes: Mode[], setup: (sim: Simulation) => void = () => undefined, latencyMs = 0): Promise<void> {
  const wall0 = Date.now();
  const sim = await startSimulation({ config: parseFactory(estate(servers), 'bench.yaml'), jobDurationMinutes: JOB_MINUTES });
  const setupS = (Date.now() - wall0) / 1000;
  const rows: Row[] = [];
  try {
    setup(sim);
    timeRequests(sim, latencyMs);
    for (const mode of modes) {
      const { row, report } = await runMode(sim, mode, servers);
      rows.push(row);
      const failed = report.servers.filter((s) => s.outcome === 'failed' || s.outcome === 'excluded');
      if (failed.length && title !== 'refusals') throw new Error(`${title}/${mode}: ${failed.length} servers failed, e.g. ${failed[0].server}: ${failed[0].reason}`);
    }
  } finally {
    await sim.stop();
  }
  print(`${title}: ${servers} servers${latencyMs ? `, ${latencyMs} ms per request` : ''}, setup ${setupS.toFixed(1)} s`, rows);
}

async function main(): Promise<void> {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const wanted = (name: string) => !SCENARIOS.length || SCENARIOS.includes(name);
  console.log(`${JOB_MINUTES}-minute jobs, MGN's quotas (200 per job, 200 across active jobs, 20 jobs); poll every 30 s (virtual); node ${process.version}`);
  try {
    if (wanted('plain')) await scenario('plain', SERVERS, ['test', 'cutover', 'finalize']);
    if (wanted('throttled')) {
      await scenario('throttled', SERVERS, ['test', 'revert', 'test', 'cutover', 'finalize', 'archive'], (sim) => {
        sim.fake.faults = { throttleRate: THROTTLE_RATE, seed: 11 };
      });
    }
    if (wanted('rate-limited')) {
      await scenario(
        'rate-limited',
        SERVERS,
        ['test', 'revert', 'test', 'cutover', 'finalize', 'archive'],
        (sim) => {
          sim.fake.faults = { requestRate: RATE_LIMIT };
        },
        LATENCY_MS,
      );
    }
    if (wanted('refusals')) {
      await scenario('refusals', REFUSAL_SERVERS, ['test'], (sim) => {
        // Between preflight (which passes) and the first StartTest, six servers' replication stalls.
        let stalled = false;
        sim.clients.mgn.middlewareStack.add(
          (next, context) => async (a) => {
            if (context.commandName === 'StartTestCommand' && !stalled) {
              stalled = true;
              sim.fake.faults = { ...sim.fake.faults, stallReplicationFor: REFUSED };
            }
            return next(a);
          },
          { step: 'initialize', name: 'stallBeforeFirstBatch' },
        );
      });
    }
  } finally {
    clearInterval(sample);
  }
  console.log(`\npeak memory of the runbook process (includes the in-process MGN fake): RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
