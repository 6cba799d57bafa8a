/**
 * Benchmark: an N-server wave (default 500) through test → cutover → finalize against the MGN fake
 * (virtual time) and moto. Prints, per mode: simulated makespan against the quota-bound lower
 * bound, MGN calls per server by operation, wall time; and the peak memory of this process.
 *
 *   npx ts-node --swc bench/wave/run.ts [servers]      (needs moto: python3 -m pip install 'moto[server]==5.2.1')
 */
import { parseFactory } from '../../src/config/load';
import { makespanLowerBoundMinutes } from '../../src/runbook/batching';
import type { Mode } from '../../src/runbook/lifecycle';
import { runWave } from '../../src/runbook/run-wave';
import { startSimulation } from '../../src/runbook/simulate';

const SERVERS = Number(process.argv[2] ?? 500);
const JOB_MINUTES = 20;

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

async function main(): Promise<void> {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const wall0 = Date.now();
  const sim = await startSimulation({ config: parseFactory(estate(SERVERS), 'bench.yaml'), jobDurationMinutes: JOB_MINUTES });
  const setupMs = Date.now() - wall0;
  const rows: string[] = [];
  const ops = ['DescribeSourceServers', 'GetLaunchConfiguration', 'DescribeJobs', 'DescribeJobLogItems', 'StartTest', 'StartCutover', 'ChangeServerLifeCycleState', 'FinalizeCutover', 'ListWaves', 'ListApplications', 'CreateWave', 'CreateApplication', 'AssociateApplications', 'AssociateSourceServers'];
  try {
    for (const mode of ['test', 'cutover', 'finalize'] as Mode[]) {
      const before = Object.fromEntries(ops.map((o) => [o, sim.fake.calls(o)]));
      const total0 = sim.fake.calls();
      const t0 = sim.clock.nowMs();
      const w0 = Date.now();
      const report = await runWave({ config: sim.config, clients: sim.clients, clock: sim.clock, logger: { info: () => undefined, warn: () => undefined } }, { wave: 'bench', mode });
      const failed = report.servers.filter((s) => s.outcome !== 'succeeded');
      if (failed.length) throw new Error(`${mode}: ${failed.length} servers failed, e.g. ${failed[0].server}: ${failed[0].reason}`);
      const makespan = (sim.clock.nowMs() - t0) / 60_000;
      const bound = mode === 'finalize' ? 0 : makespanLowerBoundMinutes(SERVERS, JOB_MINUTES);
      const perServer = ops.map((o) => [o, sim.fake.calls(o) - before[o]] as const).filter(([, v]) => v > 0);
      rows.push(
        `| ${mode} | ${makespan.toFixed(1)} min | ${bound} min | ${((sim.fake.calls() - total0) / SERVERS).toFixed(2)} | ${perServer.map(([o, v]) => `${o} ${v} (${(v / SERVERS).toFixed(2)})`).join(', ')} | ${((Date.now() - w0) / 1000).toFixed(1)} s |`,
      );
    }
  } finally {
    clearInterval(sample);
    await sim.stop();
  }
  console.log(`${SERVERS} servers, ${JOB_MINUTES}-minute jobs, quotas 200/job, 200 in active jobs, 20 jobs; poll every 30 s (virtual); setup ${(setupMs / 1000).toFixed(1)} s`);
  console.log('| mode | simulated makespan | quota-bound lower bound | MGN calls / server | by operation: calls (per server) | wall time |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`peak memory of the runbook process (includes the in-process MGN fake): RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
