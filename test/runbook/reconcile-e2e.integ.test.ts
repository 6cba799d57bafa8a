import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeJobsCommand, DescribeSourceServersCommand, GetLaunchConfigurationCommand, type Job } from '@aws-sdk/client-mgn';
import type { Mode } from '../../src/runbook/lifecycle';
import { reportOf } from '../../src/runbook/outcome';
import type { WaveReport } from '../../src/runbook/report';
import { runWave } from '../../src/runbook/wave/run';
import type { Simulation } from '../../src/simulation/simulate';
import { startLossyProxy } from '../support/lossy-proxy';
import { type MotoServer, startMoto } from '../support/moto';
import { generatedEstate } from './estate';
import { MUTATING, memoryLogger, runtimeOf, simulate } from './sim';

let moto: MotoServer;
const sims: Simulation[] = [];
beforeAll(async () => {
  moto = await startMoto({ accountId: '111111111111' });
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  await moto?.stop();
});

async function sim(servers: number, props: Parameters<typeof simulate>[2] = {}) {
  const s = await simulate(generatedEstate(servers), moto.url, { waves: ['big'], ...props });
  sims.push(s);
  return s;
}

/** Lifecycle state of every source server ("CUTOVER archived" for an archived one). */
async function states(s: Simulation): Promise<string[]> {
  const r = await unfaulted(s, () => s.clients.mgn.send(new DescribeSourceServersCommand({ filters: {} })));
  return [...new Set((r.items ?? []).map((x) => `${x.lifeCycle?.state}${x.isArchived ? ' archived' : ''}`))];
}

async function jobs(s: Simulation): Promise<Job[]> {
  return (await unfaulted(s, () => s.clients.mgn.send(new DescribeJobsCommand({ filters: {}, maxResults: 1000 })))).items ?? [];
}

/** A read of the test's own, with the faults lifted for it (the runbook's requests alone meet them). */
async function unfaulted<T>(s: Simulation, read: () => Promise<T>): Promise<T> {
  const faults = s.fake.faults;
  s.fake.faults = { seed: faults.seed };
  try {
    return await read();
  } finally {
    s.fake.faults = faults;
  }
}

const failures = (r: WaveReport) => r.servers.filter((x) => x.outcome !== 'succeeded').map((x) => `${x.server}: ${x.outcome}: ${x.reason}`);

/** Every mode in the order a wave goes through them, with the state every server ends in. */
const LIFECYCLE: Array<[Mode, string]> = [
  ['test', 'READY_FOR_CUTOVER'],
  ['revert', 'READY_FOR_TEST'],
  ['test', 'READY_FOR_CUTOVER'],
  ['cutover', 'CUTTING_OVER'],
  ['finalize', 'CUTOVER'],
  ['archive', 'CUTOVER archived'],
];

describe('lost answers: a call MGN carried out is adopted, never reported failed nor sent twice', () => {
  it('every mode ends right when the first answer of every mutating MGN call is lost', async () => {
    const s = await sim(12);
    const log = memoryLogger();
    const rt = runtimeOf(s, log);
    const loseFirst = Object.fromEntries(MUTATING.map((op) => [op, 1]));
    const lostIn: Record<string, string[]> = {};
    for (const [mode, state] of LIFECYCLE) {
      const before = new Map(MUTATING.map((op) => [op, s.fake.lostAnswers(op)]));
      // Setting the faults restarts the count: the first answer of each call in this mode is lost.
      s.fake.faults = { loseAnswers: loseFirst };
      const report = await runWave(rt, { wave: 'big', mode });
      expect([mode, failures(report)]).toEqual([mode, []]);
      expect([mode, await states(s)]).toEqual([mode, [state]]);
      lostIn[mode] = [...(lostIn[mode] ?? []), ...MUTATING.filter((op) => s.fake.lostAnswers(op) > before.get(op)!)];
    }
    // Each mode met a lost answer on each mutating call it makes.
    expect(lostIn).toEqual({
      test: ['CreateWave', 'CreateApplication', 'AssociateApplications', 'AssociateSourceServers', 'StartTest', 'ChangeServerLifeCycleState', 'StartTest', 'ChangeServerLifeCycleState'],
      revert: ['ChangeServerLifeCycleState', 'TerminateTargetInstances'],
      cutover: ['StartCutover'],
      finalize: ['FinalizeCutover'],
      archive: ['MarkAsArchived'],
    });
    // Adopted, not sent again: one call per job and per server, as without faults.
    expect(['StartTest', 'StartCutover', 'TerminateTargetInstances', 'FinalizeCutover', 'MarkAsArchived', 'CreateWave'].map((op) => s.fake.calls(op))).toEqual([2, 1, 1, 12, 12, 1]);
    const ids = (await s.clients.mgn.send(new DescribeSourceServersCommand({ filters: {} }))).items!.map((x) => x.sourceServerID!);
    for (const id of ids) expect([s.fake.launches(id, 'START_TEST'), s.fake.launches(id, 'START_CUTOVER')]).toEqual([2, 1]);
    expect(log.lines.filter((l) => /^WARN mgn:FinalizeCutover on srv\d+ \(s-\w+\): \w+, but a read shows it took effect; going on as if it had answered$/.test(l))).toHaveLength(1);
    expect(log.lines.some((l) => /^WARN mgn:TerminateTargetInstances on 12 servers \(srv001, srv002, srv003, …\): \w+, but a read shows it took effect/.test(l))).toBe(true);
  }, 300_000);

  it('reports a server finalized and archived when the answer to FinalizeCutover or MarkAsArchived is lost', async () => {
    const s = await sim(2);
    const rt = runtimeOf(s);
    for (const mode of ['test', 'cutover'] as Mode[]) expect(failures(await runWave(rt, { wave: 'big', mode }))).toEqual([]);
    for (const [mode, op, state] of [
      ['finalize', 'FinalizeCutover', 'CUTOVER'],
      ['archive', 'MarkAsArchived', 'CUTOVER archived'],
    ] as const) {
      s.fake.faults = { loseAnswers: { [op]: 2 } };
      const report = await runWave(rt, { wave: 'big', mode });
      expect([mode, failures(report), s.fake.lostAnswers(op), s.fake.calls(op), await states(s)]).toEqual([mode, [], 2, 2, [state]]);
    }
  }, 120_000);

  it('every mode ends right when a fifth of all mutating answers are lost, under throttling', async () => {
    const s = await sim(20);
    const rt = runtimeOf(s);
    for (const [mode, state] of LIFECYCLE) {
      s.fake.faults = { loseAnswerRate: 0.2, throttleRate: 0.1, seed: 23 };
      const report = await runWave(rt, { wave: 'big', mode });
      expect([mode, failures(report)]).toEqual([mode, []]);
      expect([mode, await states(s)]).toEqual([mode, [state]]);
    }
    expect(s.fake.lostAnswers()).toBeGreaterThan(10);
    for (const id of (await unfaulted(s, () => s.clients.mgn.send(new DescribeSourceServersCommand({ filters: {} })))).items!.map((x) => x.sourceServerID!)) {
      expect([s.fake.launches(id, 'START_TEST'), s.fake.launches(id, 'START_CUTOVER')]).toEqual([2, 1]);
    }
    // One TERMINATE job for the revert: a lost TerminateTargetInstances is followed, not repeated.
    expect((await jobs(s)).filter((j) => j.type === 'TERMINATE')).toHaveLength(1);
  }, 300_000);

  it('writes one launch template version per server when EC2 answers get lost (a proxy in front of moto)', async () => {
    const s = await sim(4);
    // The proxy lets moto act on the first CreateLaunchTemplateVersion and ModifyLaunchTemplate,
    // then drops the connection: the same failure as the fake's, for EC2.
    const proxy = await startLossyProxy(s.motoUrl, { CreateLaunchTemplateVersion: 1, ModifyLaunchTemplate: 1 });
    const ec2 = new EC2Client({ endpoint: proxy.url, region: s.config.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    // Versions per server's template (moto is shared by this file's simulations, which reuse source server IDs).
    const versions = async (id: string) => {
      const lt = await s.clients.mgn.send(new GetLaunchConfigurationCommand({ sourceServerID: id }));
      const r = await s.clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: lt.ec2LaunchTemplateID }));
      return (r.LaunchTemplateVersions ?? []).map((v) => [v.VersionNumber!, !!v.DefaultVersion] as const).sort((a, b) => a[0] - b[0]);
    };
    try {
      const ids = (await s.clients.mgn.send(new DescribeSourceServersCommand({ filters: {} }))).items!.map((x) => x.sourceServerID!);
      const before = new Map(await Promise.all(ids.map(async (id) => [id, (await versions(id)).length] as const)));
      const rt = { ...runtimeOf(s), clients: { ...s.clients, ec2 } };
      const report = await runWave(rt, { wave: 'big', mode: 'test' });
      expect(failures(report)).toEqual([]);
      expect(Object.fromEntries(proxy.lost)).toEqual({ CreateLaunchTemplateVersion: 1, ModifyLaunchTemplate: 1 });
      for (const id of ids) {
        // One version written per server (the one whose answer was lost adopted), and it is the default.
        const after = await versions(id);
        expect([id, after.length - before.get(id)!, after.at(-1)]).toEqual([id, 1, [after.length, true]]);
      }
    } finally {
      ec2.destroy();
      await proxy.stop();
    }
  }, 120_000);

  it('fails a call that never goes through after its retries, naming the server and the call, and reads before each retry', async () => {
    const s = await sim(2);
    const rt = runtimeOf(s);
    for (const mode of ['test', 'cutover'] as Mode[]) expect(failures(await runWave(rt, { wave: 'big', mode }))).toEqual([]);
    s.fake.faults = { failOperations: ['FinalizeCutover'] };
    const reads = s.fake.calls('DescribeSourceServers');
    const report = await runWave(rt, { wave: 'big', mode: 'finalize' });
    expect(report.servers.map((x) => [x.outcome, x.reason])).toEqual(
      ['srv001', 'srv002'].map((n) => ['failed', expect.stringMatching(new RegExp(`^mgn:FinalizeCutover on ${n} \\(s-\\w+\\) failed after 10 attempts: An internal error occurred`))]),
    );
    expect(s.fake.calls('FinalizeCutover')).toBe(20);
    // The run's one listing, then per server a read before each of the 9 retries and one before failing.
    expect(s.fake.calls('DescribeSourceServers') - reads).toBe(1 + 2 * 10);
    expect(await states(s)).toEqual(['CUTTING_OVER']);
  }, 120_000);
});

describe('a run that stops still reports every server', () => {
  it('carries the report on the error when MGN stops answering mid-run: launched servers failed with where they stopped', async () => {
    const s = await sim(3);
    const log = memoryLogger();
    // Once the launch job is started, every MGN request fails: the run gives up on DescribeJobs.
    s.clients.mgn.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === 'StartTestCommand') s.fake.faults = { serverErrorRate: 1 };
        return out;
      },
      { step: 'initialize', name: 'breakAfterLaunch' },
    );
    const error = await runWave(runtimeOf(s, log), { wave: 'big', mode: 'test' }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^mgn:DescribeJobs: gave up after 10 attempts/);
    const report = reportOf(error);
    expect(report?.error).toMatch(/^stopped: mgn:DescribeJobs: gave up after 10 attempts/);
    expect(report?.servers.map((x) => [x.server, x.outcome, x.reason])).toEqual(
      ['srv001', 'srv002', 'srv003'].map((n) => [n, 'failed', expect.stringMatching(/^stopped while launching: mgn:DescribeJobs: gave up after 10 attempts: .*; a re-run resumes from MGN's state$/)]),
    );
    expect(report?.servers[0].phases.map((p) => [p.phase, p.outcome])).toEqual([
      ['launch-template', 'ok'],
      ['launch', 'failed'],
    ]);
  }, 120_000);
});

describe('MGN behaviours the runbook does not rely on', () => {
  it('finalizes a server whose cutover job still runs only after the job completed and the launch was verified', async () => {
    const s = await sim(3);
    const rt = runtimeOf(s);
    expect(failures(await runWave(rt, { wave: 'big', mode: 'test' }))).toEqual([]);
    // As the plan job does: start the cutover launches and return while the job runs.
    const started = await runWave(rt, { wave: 'big', mode: 'cutover', until: 'launched' });
    expect(started.servers.map((x) => x.outcome)).toEqual(['planned', 'planned', 'planned']);
    const [job] = (await jobs(s)).filter((j) => j.initiatedBy === 'START_CUTOVER');
    expect(job.status).not.toBe('COMPLETED');
    const report = await runWave(rt, { wave: 'big', mode: 'finalize' });
    expect(failures(report)).toEqual([]);
    expect(await states(s)).toEqual(['CUTOVER']);
    // One FinalizeCutover per server, none refused, each after the job's end and the verification.
    expect([s.fake.calls('FinalizeCutover'), s.fake.errors(undefined, 'FinalizeCutover')]).toEqual([3, 0]);
    const ended = Date.parse((await jobs(s)).find((j) => j.jobID === job.jobID)!.endDateTime!);
    for (const r of report.servers) {
      expect(r.phases.map((p) => p.phase)).toEqual(['launch', 'status-checks', 'post-launch', 'finalize']);
      expect(Date.parse(r.phases.at(-1)!.start)).toBeGreaterThan(ended);
    }
  }, 120_000);
});
