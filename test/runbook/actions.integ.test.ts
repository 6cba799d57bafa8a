import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFactoryFile } from '../../src/config/load';
import type { WaveReport } from '../../src/runbook/report';
import { DescribeSourceServersCommand } from '@aws-sdk/client-mgn';
import { VirtualClock } from '../../src/simulation/mgn-fake';
import type { Simulation } from '../../src/simulation/simulate';
import { type MotoServer, startMoto } from '../support/moto';
import { ROOT } from '../support/tools';
import { generatedEstate } from './estate';
import { mutatingCalls, simulate } from './sim';

let moto: MotoServer;
let sim: Simulation;
let dir: string;
let configFile: string;
beforeAll(async () => {
  moto = await startMoto({ accountId: '111111111111' });
  // The actions run on the wall clock: MGN's virtual time starts now, so "jobs of the last day"
  // (DescribeJobs fromDate) means the same to both.
  sim = await simulate(generatedEstate(6), moto.url, { waves: ['big'], clock: new VirtualClock(Date.now()) });
  dir = mkdtempSync(join(tmpdir(), 'rehost-actions-'));
  // The simulated estate (IDs of moto's subnets and groups), as the repository's factory.yaml.
  configFile = join(dir, 'factory.yaml');
  writeFileSync(configFile, JSON.stringify(sim.config, null, 2));
  expect(loadFactoryFile(configFile).config.waves[0].name).toBe('big');
});
afterAll(async () => {
  await sim?.stop();
  await moto?.stop();
});

interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses GITHUB_OUTPUT (name<<delimiter ... delimiter) as the runner does. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value: string[] = [];
    while (lines[++i] !== m[2]) value.push(lines[i]);
    out[m[1]] = value.join('\n');
  }
  return out;
}

let runs = 0;
/** Runs actions/<name>/dist/index.js as the runner would: INPUT_* variables, output and summary files. */
function runAction(name: string, inputs: Record<string, string>, target: Simulation = sim, interruptWhen?: (stdout: string) => boolean): Promise<ActionRun> {
  const id = `${name}-${++runs}`;
  const outputFile = join(dir, `${id}.out`);
  const summaryFile = join(dir, `${id}.md`);
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    // The standard endpoint variables: moto for EC2/IAM/KMS/SSM, the fake for MGN.
    AWS_ENDPOINT_URL: target.motoUrl,
    AWS_ENDPOINT_URL_MGN: target.fake.url,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return new Promise<ActionRun>((resolve, reject) => {
    // Asynchronous: the MGN fake answers from this process while the action runs.
    const child = spawn(process.execPath, [join(ROOT, 'actions', name, 'dist', 'index.js')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let interrupted = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // As a cancelled workflow does: SIGINT to the action's process.
      if (!interrupted && interruptWhen?.(stdout)) interrupted = child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, outputs: parseOutputs(readFileSync(outputFile, 'utf8')), summary: readFileSync(summaryFile, 'utf8') }));
  });
}

/** Moves MGN's virtual time on while server jobs poll in real time (once `ready()`, when given). */
function advanceWhile<T>(work: Promise<T>, ready: () => boolean = () => true): Promise<T> {
  const timer = setInterval(() => ready() && sim.clock.advance(60_000), 50);
  return work.finally(() => clearInterval(timer));
}

/** The plan job, then one server job per matrix entry, then the report: as cutover.yml runs them. */
async function dispatch(mode: string, servers: string[], dirName: string, ready?: () => boolean): Promise<{ plan: ActionRun; jobs: ActionRun[]; report: ActionRun }> {
  const plan = await runAction('wave-plan', { config: configFile, wave: 'big', mode, servers: servers.join(','), 'report-dir': dirName });
  expect({ code: plan.code, log: plan.code ? plan.stdout : '' }).toEqual({ code: 0, log: '' });
  expect(JSON.parse(plan.outputs['matrix-1'])).toEqual(servers);
  const jobs = await advanceWhile(Promise.all(servers.map((server) => runAction('server-cutover', { config: configFile, wave: 'big', mode, server, 'report-dir': dirName, 'poll-interval-seconds': '1' }))), ready);
  const report = await runAction('wave-report', { 'reports-dir': dirName, 'report-file': `${dirName}.json` });
  return { plan, jobs, report };
}

async function lifecycleStates(names: string[]): Promise<string[]> {
  const r = await sim.clients.mgn.send(new DescribeSourceServersCommand({ filters: {} }));
  const byName = new Map((r.items ?? []).map((x) => [x.sourceProperties?.identificationHints?.hostname?.toLowerCase() ?? x.sourceProperties?.identificationHints?.fqdn?.split('.')[0], x.lifeCycle?.state]));
  return names.map((n) => byName.get(n) ?? 'unknown');
}

it('refuses bad inputs before any AWS change', async () => {
  const badMode = await runAction('wave-plan', { config: configFile, wave: 'big', mode: 'launch' });
  expect(badMode.code).toBe(1);
  expect(badMode.stdout).toContain('::error::input "mode" must be one of test, cutover, finalize, revert, archive, got "launch"');
  const badWave = await runAction('wave-plan', { config: configFile, wave: 'wave-9', mode: 'test' });
  expect(badWave.stdout).toContain('::error::unknown wave "wave-9": factory.yaml has "big", "other"');
  // The bundle finds the shipped SSM documents from actions/<name>/dist and checks their parameters as `validate` does.
  const badAgents = join(dir, 'bad-agents.json');
  writeFileSync(badAgents, JSON.stringify({ ...sim.config, bootstrap: { ...sim.config.bootstrap, legacyAgents: ['nagios', 'x;reboot'] } }, null, 2));
  const badBootstrap = await runAction('wave-plan', { config: badAgents, wave: 'big', mode: 'test' });
  expect(badBootstrap.code).toBe(1);
  expect(badBootstrap.stdout).toMatch(/bootstrap\.legacyAgents: .*remove-legacy-agents parameter "AgentNames" = "nagios,x;reboot" does not match/);
  const notInWave = await runAction('wave-plan', { config: configFile, wave: 'big', mode: 'test', servers: 'srv001,lone01' });
  expect(notInWave.stdout).toContain('::error::server "lone01" (it is in wave "other") not in wave "big"');
  const wrongState = await runAction('wave-plan', { config: configFile, wave: 'big', mode: 'finalize', 'report-dir': 'refused' });
  expect(wrongState.stdout).toMatch(/::error::preflight refused 6 servers; nothing was changed.*%0A  srv001 \(s-\w+\): is READY_FOR_TEST/);
  // The stopped run leaves its report part, so the always-running report job shows the refusals.
  const refusedReport = await runAction('wave-report', { 'reports-dir': 'refused', 'report-file': 'refused.json' });
  expect(refusedReport.code).toBe(1);
  expect(refusedReport.summary).toMatch(/\| srv001 \| app000 \| s-\w+ \| ⛔ excluded \| — \| — \| — \| — \| preflight: is READY_FOR_TEST/);
  expect(refusedReport.outputs.failed).toBe('6');
  // A server job refused by preflight (finalize before any cutover) or by resolution (a
  // sourceServerId MGN does not know) leaves its part too, so the report says why.
  const refusedServer = await runAction('server-cutover', { config: configFile, wave: 'big', mode: 'finalize', server: 'srv002', 'report-dir': 'refused-server' });
  expect(refusedServer.code).toBe(1);
  expect(refusedServer.outputs).toMatchObject({ outcome: 'excluded', 'report-file': 'refused-server/server-srv002.json' });
  const wrongId = join(dir, 'wrong-id.json');
  const estate = JSON.parse(readFileSync(configFile, 'utf8'));
  estate.waves[0].applications[0].servers[2].sourceServerId = 's-00000000000000000';
  writeFileSync(wrongId, JSON.stringify(estate));
  const unresolved = await runAction('server-cutover', { config: wrongId, wave: 'big', mode: 'finalize', server: 'srv003', 'report-dir': 'refused-server' });
  expect(unresolved.stdout).toContain('::error::cannot match 1 server to MGN source servers:%0A  srv003: sourceServerId s-00000000000000000 does not exist in MGN');
  const serverReport = await runAction('wave-report', { 'reports-dir': 'refused-server', 'report-file': 'refused-server.json' });
  expect(serverReport.outputs.failed).toBe('2');
  expect(serverReport.summary).toMatch(/\| srv002 \| app000 \| s-\w+ \| ⛔ excluded \| .* \| preflight: is READY_FOR_TEST \(Ready for testing\): finalize needs a cutover launch/);
  expect(serverReport.summary).toMatch(/\| srv003 \| app000 \| — \| ⛔ excluded \| .* \| resolution: sourceServerId s-00000000000000000 does not exist in MGN \|/);
  expect(serverReport.summary).not.toContain('no result from its server job');
  const missingServer = await runAction('server-cutover', { config: configFile, wave: 'big', mode: 'test' });
  expect(missingServer.stdout).toContain('::error::Input required and not supplied: server');
  expect(mutatingCalls(sim)).toBe(0);
});

it('plans, fans out one job per server and reports, as the cutover workflow runs them', async () => {
  sim.fake.faults = { failLaunchFor: ['srv003'] };
  const plan = await runAction('wave-plan', { config: configFile, wave: 'big', mode: 'test', 'report-dir': 'parts' });
  expect({ code: plan.code, log: plan.code ? plan.stdout : '' }).toEqual({ code: 0, log: '' });
  const servers = JSON.parse(plan.outputs['matrix-1']) as string[];
  expect(servers).toEqual(['srv001', 'srv002', 'srv003', 'srv004', 'srv005', 'srv006']);
  expect(plan.outputs).toMatchObject({ 'matrix-2': '[]', 'matrix-3': '[]', 'matrix-4': '[]', 'matrix-count': '1', 'server-count': '6', 'report-file': 'parts/plan.json' });
  expect(JSON.parse(plan.outputs.plan).servers.map((s: { step: { kind: string } }) => s.step.kind)).toEqual(Array(6).fill('launch'));
  expect(plan.summary).toContain('| srv001 | app000 |');
  expect(plan.stdout).toMatch(/started mgnjob-\S+ with 6 servers/);

  const jobs = await advanceWhile(Promise.all(servers.map((server) => runAction('server-cutover', { config: configFile, wave: 'big', mode: 'test', server, 'report-dir': 'parts', 'poll-interval-seconds': '1' }))));
  expect(jobs.map((j) => j.outputs.outcome)).toEqual(['succeeded', 'succeeded', 'failed', 'succeeded', 'succeeded', 'succeeded']);
  expect(jobs[2].code).toBe(1);
  expect(jobs[2].stdout).toMatch(/::error::srv003: launch failed in job mgnjob-\S+: LAUNCH_FAILED: .*InsufficientInstanceCapacity/);
  expect(jobs[0].outputs['instance-id']).toMatch(/^i-/);

  // The server jobs verify; only the plan launched (a failed launch is not retried behind its back).
  for (const id of (JSON.parse(plan.outputs.plan).servers as Array<{ sourceServerID: string }>).map((s) => s.sourceServerID)) expect(sim.fake.launches(id, 'START_TEST')).toBe(1);

  const report = await runAction('wave-report', { 'reports-dir': 'parts', 'report-file': 'wave-report.json' });
  expect(report.code).toBe(1);
  expect(report.stdout).toMatch(/::error::1 of 6 servers did not make it: srv003 \(launch failed in job/);
  expect(report.outputs).toMatchObject({ failed: '1', succeeded: '5', 'report-file': 'wave-report.json' });
  expect(report.summary).toContain('## Wave `big` — test');
  expect(report.summary).toContain('```mermaid\ngantt');
  const merged = JSON.parse(readFileSync(join(dir, 'wave-report.json'), 'utf8')) as WaveReport;
  expect(merged.servers.map((s) => [s.server, s.outcome, !!s.jobID, s.phases.map((p) => p.phase).join(',')])).toEqual([
    ['srv001', 'succeeded', true, 'launch,status-checks,post-launch,lifecycle'],
    ['srv002', 'succeeded', true, 'launch,status-checks,post-launch,lifecycle'],
    ['srv003', 'failed', true, 'launch'],
    ['srv004', 'succeeded', true, 'launch,status-checks,post-launch,lifecycle'],
    ['srv005', 'succeeded', true, 'launch,status-checks,post-launch,lifecycle'],
    ['srv006', 'succeeded', true, 'launch,status-checks,post-launch,lifecycle'],
  ]);
  const empty = await runAction('wave-report', { 'reports-dir': join(dir, 'nowhere') });
  expect(empty.stdout).toContain('::error::input "reports-dir"');
});

it('cutover, finalize and revert through the actions: the plan starts, server jobs verify and finish', async () => {
  sim.fake.faults = {};
  // After the test above: srv001, srv002, srv004, srv005 are READY_FOR_CUTOVER.
  const cutover = await dispatch('cutover', ['srv001', 'srv002'], 'cut');
  expect(cutover.jobs.map((j) => j.outputs.outcome)).toEqual(['succeeded', 'succeeded']);
  expect(cutover.report.outputs).toMatchObject({ succeeded: '2', failed: '0' });
  expect(await lifecycleStates(['srv001', 'srv002'])).toEqual(['CUTTING_OVER', 'CUTTING_OVER']);

  const finalize = await dispatch('finalize', ['srv001', 'srv002'], 'fin');
  expect(finalize.plan.stdout).not.toMatch(/FinalizeCutover/);
  expect(finalize.jobs.map((j) => [j.outputs.outcome, j.outputs['instance-id'] === cutover.jobs[finalize.jobs.indexOf(j)].outputs['instance-id']])).toEqual([
    ['succeeded', true],
    ['succeeded', true],
  ]);
  expect(finalize.report.code).toBe(0);
  expect(await lifecycleStates(['srv001', 'srv002'])).toEqual(['CUTOVER', 'CUTOVER']);
  // One server per FinalizeCutover call, from the server jobs.
  expect(sim.fake.calls('FinalizeCutover')).toBe(2);

  // Revert: the plan returns the servers to READY_FOR_TEST and starts the TERMINATE job; each server
  // job follows that job (time moves only once both jobs read their server, so they see it running).
  const reads = sim.fake.calls('DescribeSourceServers');
  const revert = await dispatch('revert', ['srv004', 'srv005'], 'rev', () => sim.fake.calls('DescribeSourceServers') >= reads + 3);
  const planPart = JSON.parse(readFileSync(join(dir, 'rev', 'plan.json'), 'utf8')) as WaveReport;
  expect(planPart.servers.map((x) => x.reason)).toEqual(Array(2).fill(expect.stringMatching(/^terminating in job mgnjob-\S+; the server job verifies it$/)));
  expect(revert.jobs.map((j) => [j.code, j.outputs.outcome])).toEqual([
    [0, 'succeeded'],
    [0, 'succeeded'],
  ]);
  expect(sim.fake.calls('TerminateTargetInstances')).toBe(1);
  expect(await lifecycleStates(['srv004', 'srv005'])).toEqual(['READY_FOR_TEST', 'READY_FOR_TEST']);
  const merged = JSON.parse(readFileSync(join(dir, 'rev.json'), 'utf8')) as WaveReport;
  expect(merged.servers.map((x) => [x.server, x.outcome, x.reason])).toEqual([
    ['srv004', 'succeeded', 'reverted to READY_FOR_TEST; test instance terminated'],
    ['srv005', 'succeeded', 'reverted to READY_FOR_TEST; test instance terminated'],
  ]);
});

it('splits a 300-server wave over matrix outputs of 256 and validates matrix-chunks before any AWS call', async () => {
  // 300 servers already tested (READY_FOR_CUTOVER): a test run has nothing to launch, so the
  // matrix is all this costs; every server still gets its matrix job.
  const big = await simulate(generatedEstate(300), moto.url, { waves: ['big'], seed: () => ({ lifeCycleState: 'READY_FOR_CUTOVER' }) });
  try {
    const bigFile = join(dir, 'big.json');
    writeFileSync(bigFile, JSON.stringify(big.config));
    const before = big.fake.calls();
    const notANumber = await runAction('wave-plan', { config: bigFile, wave: 'big', mode: 'test', 'matrix-chunks': 'four' }, big);
    expect(notANumber.stdout).toContain('::error::input "matrix-chunks" must be a whole number ≥ 1, got "four"');
    const tooFew = await runAction('wave-plan', { config: bigFile, wave: 'big', mode: 'test', 'matrix-chunks': '1' }, big);
    expect(tooFew.stdout).toContain('::error::wave big has 300 servers: more than the 1 × 256 server jobs the cutover workflow fans out to');
    expect(big.fake.calls()).toBe(before);

    const plan = await runAction('wave-plan', { config: bigFile, wave: 'big', mode: 'test', 'report-dir': 'big-plan' }, big);
    expect({ code: plan.code, log: plan.code ? plan.stdout : '' }).toEqual({ code: 0, log: '' });
    const names = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `srv${String(from + i).padStart(3, '0')}`);
    expect(JSON.parse(plan.outputs['matrix-1'])).toEqual(names(1, 256));
    expect(JSON.parse(plan.outputs['matrix-2'])).toEqual(names(257, 300));
    expect(plan.outputs).toMatchObject({ 'matrix-3': '[]', 'matrix-4': '[]', 'matrix-count': '2', 'server-count': '300' });
  } finally {
    await big.stop();
  }
});

it('leaves the report part of a server job that is cancelled mid-run (SIGINT), with where it stopped', async () => {
  const small = await simulate(generatedEstate(2), moto.url, { waves: ['big'], clock: new VirtualClock(Date.now()) });
  try {
    const file = join(dir, 'small.json');
    writeFileSync(file, JSON.stringify(small.config, null, 2));
    const plan = await runAction('wave-plan', { config: file, wave: 'big', mode: 'test', 'report-dir': 'cancelled' }, small);
    expect({ code: plan.code, log: plan.code ? plan.stdout : '' }).toEqual({ code: 0, log: '' });
    // Virtual time stands still: the job stays running while the server job polls it, until cancelled.
    const job = await runAction('server-cutover', { config: file, wave: 'big', mode: 'test', server: 'srv001', 'report-dir': 'cancelled', 'poll-interval-seconds': '1' }, small, (out) => /\[big\/test\] 1 server/.test(out));
    expect(job.code).toBe(1);
    expect(job.outputs).toMatchObject({ outcome: 'failed', 'report-file': 'cancelled/server-srv001.json' });
    const part = JSON.parse(readFileSync(join(dir, 'cancelled', 'server-srv001.json'), 'utf8')) as WaveReport;
    expect(part.error).toBe('interrupted: interrupted by SIGINT');
    expect(part.servers.map((x) => [x.server, x.outcome, x.reason])).toEqual([['srv001', 'failed', "interrupted while launching: interrupted by SIGINT; a re-run resumes from MGN's state"]]);
    // The report job fails on it and says why.
    const report = await runAction('wave-report', { 'reports-dir': 'cancelled', 'report-file': 'cancelled.json' });
    expect(report.code).toBe(1);
    expect(report.summary).toContain('**The run stopped:** interrupted: interrupted by SIGINT');
  } finally {
    await small.stop();
  }
});
