import { type DescribeInstanceStatusCommandOutput, DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeSourceServersCommand,
  GetLaunchConfigurationCommand,
  ListApplicationsCommand,
  ListWavesCommand,
  MgnClient,
  PutSourceServerActionCommand,
  StartTestCommand,
  UpdateLaunchConfigurationCommand,
  type UpdateLaunchConfigurationCommandInput,
} from '@aws-sdk/client-mgn';
import { type MotoServer, startMoto } from '../support/moto';
import { PREFLIGHT_CONCURRENCY, PreflightError } from '../../src/runbook/preflight';
import { runWave } from '../../src/runbook/wave/run';
import type { Simulation } from '../../src/simulation/simulate';
import { generatedEstate } from './estate';
import { memoryLogger, mutatingCalls, runtimeOf, simulate } from './sim';

let moto: MotoServer;
const sims: Simulation[] = [];
beforeAll(async () => {
  moto = await startMoto({ accountId: '111111111111' });
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  await moto?.stop();
});

async function sim(servers: number, props: Parameters<typeof simulate>[2] = {}, estate: Parameters<typeof generatedEstate>[1] = {}) {
  const s = await simulate(generatedEstate(servers, estate), moto.url, { waves: ['big'], ...props });
  sims.push(s);
  return s;
}

/** "subnet type profile" of the default launch template version of each server. */
async function defaultPlacements(s: Simulation, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const id of ids) {
    const lt = await s.clients.mgn.send(new GetLaunchConfigurationCommand({ sourceServerID: id }));
    const v = await s.clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: lt.ec2LaunchTemplateID, Versions: ['$Default'] }));
    const d = v.LaunchTemplateVersions![0].LaunchTemplateData!;
    out.add(`${d.NetworkInterfaces?.[0]?.SubnetId} ${d.InstanceType} ${d.IamInstanceProfile?.Name}`);
  }
  return out;
}

/** Source server ID per server name (srv001...), from the hints the fake seeded. */
async function idsByName(s: Simulation): Promise<Map<string | undefined, string>> {
  const r = await s.clients.mgn.send(new DescribeSourceServersCommand({ filters: {} }));
  return new Map((r.items ?? []).map((x) => [x.sourceProperties?.identificationHints?.hostname?.toLowerCase() ?? x.sourceProperties?.identificationHints?.fqdn?.split('.')[0], x.sourceServerID!]));
}

async function states(s: Simulation): Promise<Map<string, string>> {
  const r = await s.clients.mgn.send(new DescribeSourceServersCommand({ filters: {} }));
  return new Map((r.items ?? []).map((x) => [x.sourceProperties?.identificationHints?.hostname ?? x.sourceServerID!, x.lifeCycle!.state!]));
}

describe('a 30-server wave against the MGN fake and moto', () => {
  it('test → cutover → finalize: every server verified, launched once per mode, placed as configured', async () => {
    const s = await sim(30);
    const log = memoryLogger();
    const rt = runtimeOf(s, log);
    const test = await runWave(rt, { wave: 'big', mode: 'test' });
    expect(test.servers.filter((x) => x.outcome !== 'succeeded')).toEqual([]);
    expect(new Set((await states(s)).values())).toEqual(new Set(['READY_FOR_CUTOVER']));
    // Every server went through the verification chain: a COMPLETED job alone is not success.
    for (const r of test.servers) {
      expect(r.phases.map((p) => p.phase)).toEqual(['launch-template', 'launch', 'status-checks', 'post-launch', 'lifecycle']);
      expect(r.postLaunchActions.map((a) => [a.document, a.status])).toEqual([
        ['e2e-cloudwatch-agent', 'SUCCESS'],
        ['e2e-validate-server', 'SUCCESS'],
      ]);
      expect(r.ec2InstanceID).toMatch(/^i-/);
    }
    const testSubnet = s.config.network.targetSubnets.find((x) => x.name === 'test-a')!.subnetId;
    const ec2 = await s.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: test.servers.map((x) => x.ec2InstanceID!) }));
    const instances = (ec2.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    expect(instances).toHaveLength(30);
    expect(new Set(instances.map((i) => i.InstanceType))).toEqual(new Set(['t3.medium']));
    // moto's RunInstances ignores a template's network interfaces, so the placement is checked on
    // the default version MGN launches from (MGN launches from the default version and ignores any other).
    expect(await defaultPlacements(s, test.servers.map((x) => x.sourceServerID!))).toEqual(new Set([`${testSubnet} t3.medium rehost-linux`]));
    expect(log.lines.some((l) => /started mgnjob-\S+ with 30 servers/.test(l))).toBe(true);

    const cutover = await runWave(rt, { wave: 'big', mode: 'cutover' });
    expect(cutover.servers.filter((x) => x.outcome !== 'succeeded')).toEqual([]);
    const appSubnet = s.config.network.targetSubnets.find((x) => x.name === 'app-a')!.subnetId;
    const cut = await s.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: cutover.servers.map((x) => x.ec2InstanceID!) }));
    expect(new Set((cut.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceType))).toEqual(new Set(['m6i.large']));
    expect(await defaultPlacements(s, cutover.servers.map((x) => x.sourceServerID!))).toEqual(new Set([`${appSubnet} m6i.large rehost-linux`]));

    const finalize = await runWave(rt, { wave: 'big', mode: 'finalize' });
    expect(finalize.servers.filter((x) => x.outcome !== 'succeeded')).toEqual([]);
    expect(new Set((await states(s)).values())).toEqual(new Set(['CUTOVER']));
    // FinalizeCutover takes one server per call.
    expect(s.fake.calls('FinalizeCutover')).toBe(30);
    for (const r of test.servers) {
      expect([s.fake.launches(r.sourceServerID!, 'START_TEST'), s.fake.launches(r.sourceServerID!, 'START_CUTOVER')]).toEqual([1, 1]);
    }
    // MGN's own plan mirrors factory.yaml; a re-run is a no-op that reports every server unchanged.
    expect((await s.clients.mgn.send(new ListWavesCommand({}))).items?.map((w) => w.name)).toEqual(['big']);
    expect((await s.clients.mgn.send(new ListApplicationsCommand({}))).items?.map((a) => a.name).sort()).toEqual(['app000', 'app001', 'app002']);
    const before = mutatingCalls(s);
    const again = await runWave(rt, { wave: 'big', mode: 'finalize' });
    expect(new Set(again.servers.map((x) => x.outcome))).toEqual(new Set(['unchanged']));
    expect(mutatingCalls(s)).toBe(before);
  });

  it('finishes under 30 % throttling and 5 % server errors without launching anything twice', async () => {
    const s = await sim(30, { faults: { throttleRate: 0.3, serverErrorRate: 0.05, seed: 7 } });
    const log = memoryLogger();
    const report = await runWave(runtimeOf(s, log), { wave: 'big', mode: 'test' });
    expect(report.servers.filter((x) => x.outcome !== 'succeeded').map((x) => `${x.server}: ${x.reason}`)).toEqual([]);
    expect(log.lines.filter((l) => /ThrottlingException, retrying/.test(l)).length).toBeGreaterThan(10);
    expect(log.lines.some((l) => /InternalServerException, retrying/.test(l))).toBe(true);
    for (const r of report.servers) expect(s.fake.launches(r.sourceServerID!, 'START_TEST')).toBe(1);
  });

  it('reports a FAILED launch and a STALLED server with reasons while the others finish', async () => {
    const s = await sim(30, { faults: { failLaunchFor: ['srv004'], stallReplicationFor: ['srv007'], failPostLaunchFor: ['srv012'] } });
    // Without the option, preflight stops the run before any mutating call, naming the server.
    const stopped = runWave(runtimeOf(s), { wave: 'big', mode: 'test' });
    await expect(stopped).rejects.toThrow(PreflightError);
    await expect(stopped).rejects.toThrow(/srv007 \(s-\w+\): replication is STALLED/);
    expect(mutatingCalls(s)).toBe(0);

    const report = await runWave(runtimeOf(s), { wave: 'big', mode: 'test', continueWithoutFailing: true });
    const byName = new Map(report.servers.map((x) => [x.server, x]));
    expect(byName.get('srv007')).toMatchObject({ outcome: 'excluded', reason: expect.stringMatching(/^preflight: replication is STALLED/) });
    expect(byName.get('srv004')).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/launch failed in job mgnjob-\S+: LAUNCH_FAILED: .*InsufficientInstanceCapacity/) });
    expect(byName.get('srv012')).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^post-launch action failed: e2e-cloudwatch-agent \(Step 'runScript' of e2e-cloudwatch-agent failed/) });
    expect(byName.get('srv012')!.postLaunchActions.map((a) => a.status)).toEqual(['FAILED', 'SUCCESS']);
    expect(report.servers.filter((x) => x.outcome === 'succeeded')).toHaveLength(27);
    expect(s.fake.launches(byName.get('srv007')!.sourceServerID!)).toBe(0);
  });

  it('fails only the servers MGN refuses in a batch: one stalled and one taken by another job after preflight', async () => {
    const s = await sim(12);
    const ids = await idsByName(s);
    const other = new MgnClient({ endpoint: s.fake.url, region: s.config.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    // Between preflight (which passed) and the wave's StartTest: srv007's replication stalls and
    // someone else's StartTest takes srv011. A middleware does both just before the first StartTest.
    let foreignJob: string | undefined;
    s.clients.mgn.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'StartTestCommand' && !foreignJob) {
          s.fake.faults = { stallReplicationFor: ['srv007'] };
          foreignJob = (await other.send(new StartTestCommand({ sourceServerIDs: [ids.get('srv011')!] }))).job!.jobID!;
        }
        return next(args);
      },
      { step: 'initialize', name: 'changeBeforeBatch' },
    );
    const log = memoryLogger();
    const report = await runWave(runtimeOf(s, log), { wave: 'big', mode: 'test' });
    other.destroy();
    const byName = new Map(report.servers.map((x) => [x.server, x]));
    expect(byName.get('srv007')).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^StartTest refused this server: s-\w+ \(srv007\): data replication is STALLED, not CONTINUOUS \(REPLICATION_NOT_HEALTHY\)$/) });
    // The server another job launched is followed in that job, never sent a second time.
    expect(byName.get('srv011')).toMatchObject({ outcome: 'succeeded', jobID: foreignJob });
    expect(s.fake.launches(ids.get('srv011')!)).toBe(1);
    expect(report.servers.filter((x) => x.outcome === 'succeeded').map((x) => x.server)).toHaveLength(11);
    // One refused call naming both, one call with the other ten (plus the foreign one).
    expect(s.fake.calls('StartTest')).toBe(3);
    expect(log.lines.filter((l) => /started mgnjob-\S+ with/.test(l)).map((l) => /with (\d+)/.exec(l)![1])).toEqual(['10']);
    expect(s.fake.launches(ids.get('srv007')!)).toBe(0);
  });

  it('waits for post-launch actions MGN has not listed yet (SSM agent found late), bounded by postLaunchTimeoutMinutes', async () => {
    // srv002 and srv005: MGN discovers the SSM agent 30 min after the job completed; until then the
    // job lists no action, then only the first for a while.
    const s = await sim(6, { faults: { delayPostLaunchListFor: ['srv002', 'srv005'], postLaunchListDelayMinutes: 30 } });
    const minutes = (r: { phases: Array<{ phase: string; start: string; end?: string }> }) => {
      const p = r.phases.find((x) => x.phase === 'post-launch')!;
      return (Date.parse(p.end!) - Date.parse(p.start)) / 60_000;
    };
    const waited = await runWave(runtimeOf(s), { wave: 'big', mode: 'test', servers: ['srv001', 'srv002', 'srv003'] });
    expect(waited.servers.map((x) => [x.server, x.outcome])).toEqual([
      ['srv001', 'succeeded'],
      ['srv002', 'succeeded'],
      ['srv003', 'succeeded'],
    ]);
    expect(waited.servers[1].postLaunchActions.map((a) => [a.document, a.status])).toEqual([
      ['e2e-cloudwatch-agent', 'SUCCESS'],
      ['e2e-validate-server', 'SUCCESS'],
    ]);
    expect(minutes(waited.servers[0])).toBeLessThanOrEqual(6);
    expect(minutes(waited.servers[1])).toBeGreaterThanOrEqual(34);

    const config = { ...s.config, runbook: { ...s.config.runbook, postLaunchTimeoutMinutes: 10 } };
    const bounded = await runWave(runtimeOf(s, memoryLogger(), config), { wave: 'big', mode: 'test', servers: ['srv004', 'srv005', 'srv006'] });
    const late = bounded.servers.find((x) => x.server === 'srv005')!;
    expect(late).toMatchObject({
      outcome: 'failed',
      reason: `timed out after 10 min waiting for post-launch actions: MGN has not discovered the SSM agent on ${late.ec2InstanceID} (no ssmAgentDiscoveryDatetime), so it lists none of e2e-cloudwatch-agent, e2e-validate-server yet`,
    });
    expect(bounded.servers.filter((x) => x.outcome === 'succeeded').map((x) => x.server)).toEqual(['srv004', 'srv006']);
  });

  it('never launches (or creates a wave) twice when a call went through but its answer was lost', async () => {
    const s = await sim(12);
    // The one error no emulator produces: MGN accepted the call, the response never arrived. A
    // middleware drops the first StartTest response after the fake has created the job.
    const dropped = new Set<string>();
    s.clients.mgn.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const name = context.commandName ?? '';
        if (['StartTestCommand', 'CreateWaveCommand'].includes(name) && !dropped.has(name)) {
          dropped.add(name);
          throw Object.assign(new Error('socket hang up'), { name: 'InternalServerException', $fault: 'server', $metadata: { httpStatusCode: 502 } });
        }
        return out;
      },
      { step: 'deserialize', name: 'dropFirstResponses' },
    );
    const report = await runWave(runtimeOf(s), { wave: 'big', mode: 'test' });
    expect([...dropped].sort()).toEqual(['CreateWaveCommand', 'StartTestCommand']);
    // The retried CreateWave met the wave the lost call made and adopted it: one wave, not two.
    expect((await s.clients.mgn.send(new ListWavesCommand({}))).items?.map((w) => w.name)).toEqual(['big']);
    expect(report.servers.filter((x) => x.outcome !== 'succeeded')).toEqual([]);
    expect(s.fake.calls('StartTest')).toBe(1);
    for (const r of report.servers) expect(s.fake.launches(r.sourceServerID!, 'START_TEST')).toBe(1);
  });

  it('counts other people\'s active jobs against the quotas and queues until they complete', async () => {
    const s = await sim(12);
    const ids = await idsByName(s);
    // Someone else's test launch of 9 servers is running when the wave starts.
    const foreign = ['srv001', 'srv002', 'srv003', 'srv004', 'srv005', 'srv006', 'srv007', 'srv008', 'srv009'].map((n) => ids.get(n)!);
    expect(foreign.every(Boolean)).toBe(true);
    await s.clients.mgn.send(new StartTestCommand({ sourceServerIDs: foreign }));
    const log = memoryLogger();
    const config = { ...s.config, runbook: { ...s.config.runbook, quotas: { serversPerJob: 200, serversInActiveJobs: 10, concurrentJobs: 20 } } };
    const report = await runWave(runtimeOf(s, log, config), { wave: 'big', mode: 'test', servers: ['srv011', 'srv012'] });
    expect(report.servers.map((x) => x.outcome)).toEqual(['succeeded', 'succeeded']);
    const started = log.lines.filter((l) => /started mgnjob-\S+ with/.test(l));
    expect(started.map((l) => /with (\d+) server/.exec(l)![1])).toEqual(['1', '1']);
    // The second had to wait for the foreign job (20 minutes) to complete.
    const launches = report.servers.map((x) => Date.parse(x.phases.find((p) => p.phase === 'launch')!.start));
    expect(Math.abs(launches[1] - launches[0])).toBeGreaterThanOrEqual(20 * 60_000);
  });

  it('ends every wait at its bound with a reason that says what it waited for', async () => {
    const s = await sim(3);
    const log = memoryLogger();
    // Jobs take 20 simulated minutes; the launch wait is bounded at 10.
    const config = { ...s.config, runbook: { ...s.config.runbook, launchTimeoutMinutes: 10 } };
    const report = await runWave(runtimeOf(s, log, config), { wave: 'big', mode: 'test' });
    expect(report.servers.map((x) => [x.outcome, x.reason])).toEqual(
      Array(3).fill(['failed', expect.stringMatching(/^timed out after 10 min waiting for launch job mgnjob-\S+ \(status STARTED, launchStatus IN_PROGRESS\)$/)]),
    );
    expect(log.lines.some((l) => /\[big\/test\] t\+PT5M: launching 3/.test(l))).toBe(true);
  });

  it('refuses, before any mutating call, a server whose MGN launch settings would not run the post-launch actions of factory.yaml', async () => {
    const s = await sim(6);
    const ids = await idsByName(s);
    const doc = (d: string) => ({ actionName: d, ssmDocumentName: `e2e-${d}` });
    const configure = (name: string, postLaunchActions: UpdateLaunchConfigurationCommandInput['postLaunchActions']) =>
      s.clients.mgn.send(new UpdateLaunchConfigurationCommand({ sourceServerID: ids.get(name)!, postLaunchActions }));
    // srv002 lacks one document; srv003's documents only run on cutover; srv004 lacks one in its
    // launch configuration but has it as a source server action (by ARN), which MGN runs too.
    await configure('srv002', { deployment: 'TEST_AND_CUTOVER', ssmDocuments: [doc('cloudwatch-agent')] });
    await configure('srv003', { deployment: 'CUTOVER_ONLY', ssmDocuments: [doc('cloudwatch-agent'), doc('validate-server')] });
    await configure('srv004', { deployment: 'TEST_AND_CUTOVER', ssmDocuments: [doc('cloudwatch-agent')] });
    await s.clients.mgn.send(
      new PutSourceServerActionCommand({ sourceServerID: ids.get('srv004')!, actionID: 'validate', actionName: 'validate', documentIdentifier: 'arn:aws:ssm:eu-west-1:111111111111:document/e2e-validate-server', order: 1001 }),
    );
    const run = runWave(runtimeOf(s), { wave: 'big', mode: 'test' });
    await expect(run).rejects.toThrow(PreflightError);
    const failures = await run.catch((e: PreflightError) => e.failures);
    expect(failures).toEqual([
      {
        server: 'srv002',
        sourceServerID: ids.get('srv002'),
        reasons: [
          "post-launch action e2e-validate-server (bootstrap.postLaunch) is not configured for a test launch in the server's MGN launch settings: a test launch runs e2e-cloudwatch-agent (launch configuration ssmDocuments with deployment TEST_AND_CUTOVER, then active source server actions); apply the mgn stack's launch configuration template or add them to the server",
        ],
      },
      { server: 'srv003', sourceServerID: ids.get('srv003'), reasons: [expect.stringMatching(/^post-launch actions e2e-cloudwatch-agent, e2e-validate-server \(bootstrap.postLaunch\) are not configured for a test launch .*: a test launch runs no action \(launch configuration ssmDocuments with deployment CUTOVER_ONLY/)] },
    ]);
    expect(mutatingCalls(s)).toBe(0);
  });

  it('ends impaired EC2 status checks and a closed TCP port in timeout reasons', async () => {
    const s = await sim(3, {}, { tcpPort: 443 });
    const ids = await idsByName(s);
    const instanceOf = async (name: string) => (await s.clients.mgn.send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: [ids.get(name)!] } }))).items?.[0]?.launchedInstance?.ec2InstanceID;
    // moto always answers status "ok": this wrapper around the EC2 client marks srv001's instance
    // check impaired in each DescribeInstanceStatus answer (the only thing changed).
    s.clients.ec2.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName !== 'DescribeInstanceStatusCommand') return out;
        const impaired = await instanceOf('srv001');
        for (const st of (out.output as DescribeInstanceStatusCommandOutput).InstanceStatuses ?? []) if (st.InstanceId === impaired) st.InstanceStatus = { ...st.InstanceStatus, Status: 'impaired' };
        return out;
      },
      { step: 'initialize', name: 'impairSrv001' },
    );
    const config = { ...s.config, runbook: { ...s.config.runbook, statusCheckTimeoutMinutes: 5, tcpCheckTimeoutMinutes: 3 } };
    // srv002's port 443 never answers.
    const closed = new Set<string>();
    const rt = {
      ...runtimeOf(s, memoryLogger(), config),
      tcpProbe: async (host: string, port: number) => {
        if (!closed.size) {
          const r = await s.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [(await instanceOf('srv002'))!] }));
          closed.add(r.Reservations![0].Instances![0].PrivateIpAddress!);
        }
        return !(closed.has(host) && port === 443);
      },
    };
    const report = await runWave(rt, { wave: 'big', mode: 'test' });
    const [one, two, three] = report.servers;
    expect(one).toMatchObject({ outcome: 'failed', reason: `timed out after 5 min waiting for status checks of ${one.ec2InstanceID} (running, system ok, instance impaired)` });
    expect(two).toMatchObject({ outcome: 'failed', reason: `timed out after 3 min waiting for TCP 443 on ${[...closed][0]}` });
    expect(two.phases.map((p) => [p.phase, p.outcome])).toEqual([
      ['launch-template', 'ok'],
      ['launch', 'ok'],
      ['status-checks', 'ok'],
      ['post-launch', 'ok'],
      ['tcp-checks', 'failed'],
    ]);
    expect(three).toMatchObject({ outcome: 'succeeded' });
    expect(three.phases.find((p) => p.phase === 'tcp-checks')).toMatchObject({ outcome: 'ok', detail: expect.stringMatching(/: 443 open$/) });
  });

  it('refuses bad inputs before any mutating call: unknown wave, a server not in the wave, a mode the state does not allow', async () => {
    const s = await sim(12);
    const rt = runtimeOf(s);
    await expect(runWave(rt, { wave: 'nope', mode: 'test' })).rejects.toThrow('unknown wave "nope": factory.yaml has "big", "other"');
    await expect(runWave(rt, { wave: 'big', mode: 'test', servers: ['srv001', 'lone01'] })).rejects.toThrow('server "lone01" (it is in wave "other") not in wave "big"');
    const wrong = runWave(rt, { wave: 'big', mode: 'finalize', servers: ['srv001', 'srv002'] });
    await expect(wrong).rejects.toThrow(/srv001 \(s-\w+\): is READY_FOR_TEST \(Ready for testing\): finalize needs a cutover launch \(CUTTING_OVER\)/);
    await expect(runWave(rt, { wave: 'big', mode: 'cutover' })).rejects.toThrow(/preflight refused 12 servers; nothing was changed/);
    expect(mutatingCalls(s)).toBe(0);
    // A dry run reads everything and says what it would do, a bounded number of servers at a time.
    let inFlight = 0;
    let peak = 0;
    s.clients.mgn.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'GetLaunchConfigurationCommand') return next(args);
        peak = Math.max(peak, ++inFlight);
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: 'initialize', name: 'countInFlight' },
    );
    const dry = await runWave(rt, { wave: 'big', mode: 'test', dryRun: true });
    expect(s.fake.calls('GetLaunchConfiguration')).toBe(12);
    expect(peak).toBe(PREFLIGHT_CONCURRENCY);
    expect(dry.servers[0]).toMatchObject({ outcome: 'planned', reason: expect.stringMatching(/^would write the test placement to the launch template and StartTest/) });
    expect(mutatingCalls(s)).toBe(0);
  });
});
