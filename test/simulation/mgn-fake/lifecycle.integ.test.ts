import {
  ChangeServerLifeCycleStateCommand,
  ConflictException,
  DescribeJobLogItemsCommand,
  DescribeJobsCommand,
  DescribeSourceServersCommand,
  DisconnectFromServiceCommand,
  FinalizeCutoverCommand,
  type Job,
  MarkAsArchivedCommand,
  type MgnClient,
  PutSourceServerActionCommand,
  ResourceNotFoundException,
  RetryDataReplicationCommand,
  ServiceQuotaExceededException,
  type SourceServer,
  StartCutoverCommand,
  StartTestCommand,
  TerminateTargetInstancesCommand,
  UpdateLaunchConfigurationCommand,
  ValidationException,
  paginateDescribeJobLogItems,
  paginateDescribeJobs,
} from '@aws-sdk/client-mgn';
import { type MgnFake, type SeedServer, startMgnFake } from '../../../src/simulation/mgn-fake';
import { mgnClient, rejection } from './client';

const MINUTE = 60_000;

async function withFake(seeds: SeedServer[], run: (fake: MgnFake, mgn: MgnClient, ids: string[]) => Promise<void>, faults = {}): Promise<void> {
  const fake = await startMgnFake({ faults });
  try {
    await run(fake, mgnClient(fake), fake.seedServers(seeds).map((s) => s.sourceServerID));
  } finally {
    await fake.stop();
  }
}

async function job(mgn: MgnClient, jobID: string): Promise<Job> {
  return (await mgn.send(new DescribeJobsCommand({ filters: { jobIDs: [jobID] } }))).items![0];
}

async function server(mgn: MgnClient, id: string): Promise<SourceServer> {
  return (await mgn.send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: [id] } }))).items![0];
}

function conflictCodes(err: unknown): Array<string | undefined> {
  expect(err).toBeInstanceOf(ConflictException);
  return ((err as ConflictException).errors ?? []).map((e) => e.code);
}

const servers = (n: number, prefix = 'srv'): SeedServer[] => Array.from({ length: n }, (_, i) => ({ hostname: `${prefix}${i}` }));

describe('MGN fake lifecycle and jobs', () => {
  test('a test launch progresses on the virtual clock: PENDING -> STARTED -> LAUNCHED -> COMPLETED, then post-launch actions', () =>
    withFake([{ hostname: 'web1' }], async (fake, mgn, [id]) => {
      await mgn.send(new PutSourceServerActionCommand({ sourceServerID: id, actionID: 'health', actionName: 'health', documentIdentifier: 'Rehost-Health', order: 1001 }));
      const started = await mgn.send(new StartTestCommand({ sourceServerIDs: [id], tags: { wave: '1' } }));
      expect(started.$metadata.httpStatusCode).toBe(202);
      const jobID = started.job!.jobID!;
      expect(started.job).toMatchObject({ type: 'LAUNCH', initiatedBy: 'START_TEST', status: 'PENDING', participatingServers: [{ sourceServerID: id, launchStatus: 'PENDING' }], tags: { wave: '1' } });
      expect((await server(mgn, id)).lifeCycle).toMatchObject({ state: 'TESTING', lastTest: { initiated: { jobID } } });

      await fake.clock.sleep(2 * MINUTE);
      expect(await job(mgn, jobID)).toMatchObject({ status: 'STARTED', participatingServers: [{ launchStatus: 'IN_PROGRESS' }] });
      await fake.clock.sleep(11 * MINUTE);
      const launching = await job(mgn, jobID);
      const instanceID = launching.participatingServers![0].launchedEc2InstanceID;
      expect(instanceID).toMatch(/^i-[0-9a-f]{17}$/);
      expect(launching).toMatchObject({ status: 'STARTED', participatingServers: [{ launchStatus: 'LAUNCHED' }] });
      await fake.clock.sleep(7 * MINUTE);
      const done = await job(mgn, jobID);
      expect(done).toMatchObject({ status: 'COMPLETED', endDateTime: '2026-01-01T00:20:00.000Z' });
      // COMPLETED while the post-launch action still runs: the job status alone says nothing.
      expect(done.participatingServers![0].postLaunchActionsStatus?.postLaunchActionsLaunchStatusList).toEqual([
        expect.objectContaining({ ssmDocument: expect.objectContaining({ ssmDocumentName: 'Rehost-Health' }), ssmDocumentType: 'COMMAND', executionStatus: 'IN_PROGRESS' }),
      ]);
      await fake.clock.sleep(5 * MINUTE);
      expect((await job(mgn, jobID)).participatingServers![0].postLaunchActionsStatus?.postLaunchActionsLaunchStatusList?.[0].executionStatus).toBe('SUCCESS');
      // The server stays TESTING until the runbook marks it ready for cutover.
      expect((await server(mgn, id)).lifeCycle?.state).toBe('TESTING');
      expect((await server(mgn, id)).launchedInstance).toEqual({ ec2InstanceID: instanceID, jobID, firstBoot: 'SUCCEEDED' });

      const events: string[] = [];
      for await (const page of paginateDescribeJobLogItems({ client: mgn, pageSize: 2 }, { jobID })) events.push(...page.items!.map((i) => i.event!));
      expect(events).toEqual(['JOB_START', 'SNAPSHOT_START', 'SNAPSHOT_END', 'CONVERSION_START', 'CONVERSION_END', 'LAUNCH_START', 'JOB_END']);
      expect((await mgn.send(new DescribeJobsCommand({ filters: { fromDate: '2026-01-01T00:01:00Z' } }))).items).toEqual([]);
      expect((await mgn.send(new DescribeJobsCommand({ filters: { fromDate: '2026-01-01T00:00:00Z', toDate: '2026-01-02T00:00:00Z' } }))).items).toHaveLength(1);
      expect(await rejection(mgn.send(new DescribeJobLogItemsCommand({ jobID: 'mgnjob-00000000000000000' })))).toBeInstanceOf(ResourceNotFoundException);
      expect(fake.launches(id)).toBe(1);
      expect(fake.launches(id, 'START_CUTOVER')).toBe(0);
    }));

  test('a COMPLETED job can hold a FAILED server (rawError in the job log) and a FAILED post-launch action', () =>
    withFake(
      [{ hostname: 'ok1' }, { hostname: 'bad1' }, { hostname: 'pla1' }],
      async (fake, mgn, ids) => {
        await mgn.send(
          new UpdateLaunchConfigurationCommand({ sourceServerID: ids[2], postLaunchActions: { deployment: 'TEST_AND_CUTOVER', ssmDocuments: [{ actionName: 'smoke', ssmDocumentName: 'Rehost-Smoke', mustSucceedForCutover: true }] } }),
        );
        const { job: started } = await mgn.send(new StartTestCommand({ sourceServerIDs: ids }));
        await fake.clock.sleep(30 * MINUTE);
        const done = await job(mgn, started!.jobID!);
        expect(done.status).toBe('COMPLETED');
        const [ok, bad, pla] = done.participatingServers!;
        expect(ok.launchStatus).toBe('LAUNCHED');
        expect(bad).toEqual({ sourceServerID: ids[1], launchStatus: 'FAILED' });
        expect(pla.launchStatus).toBe('LAUNCHED');
        expect(pla.postLaunchActionsStatus?.postLaunchActionsLaunchStatusList?.[0]).toMatchObject({ executionStatus: 'FAILED', failureReason: expect.stringContaining('Rehost-Smoke') });
        const log = (await mgn.send(new DescribeJobLogItemsCommand({ jobID: started!.jobID }))).items!;
        expect(log.find((i) => i.event === 'LAUNCH_FAILED')?.eventData).toMatchObject({ sourceServerID: ids[1], rawError: expect.stringContaining('bad1') });
        // A failed launch leaves the server ready to be launched again.
        expect((await server(mgn, ids[1])).lifeCycle?.state).toBe('READY_FOR_TEST');
        expect((await server(mgn, ids[1])).launchedInstance).toBeUndefined();
      },
      { failLaunchFor: ['bad1'], failPostLaunchFor: ['pla1'] },
    ));

  test('post-launch actions are listed once MGN discovers the SSM agent: empty, then partial, then all (delayPostLaunchListFor)', () =>
    withFake(
      [{ hostname: 'late1' }, { hostname: 'prompt1' }],
      async (fake, mgn, ids) => {
        const documents = [
          { actionName: 'a', ssmDocumentName: 'Doc-a' },
          { actionName: 'b', ssmDocumentName: 'Doc-b' },
        ];
        for (const id of ids) await mgn.send(new UpdateLaunchConfigurationCommand({ sourceServerID: id, postLaunchActions: { deployment: 'TEST_AND_CUTOVER', ssmDocuments: documents } }));
        const { job: started } = await mgn.send(new StartTestCommand({ sourceServerIDs: ids }));
        const at = async (minutes: number) => {
          fake.clock.advance(Date.UTC(2026, 0, 1) + minutes * MINUTE - fake.clock.nowMs());
          return (await job(mgn, started!.jobID!)).participatingServers!.map((p) => ({
            discovered: p.postLaunchActionsStatus?.ssmAgentDiscoveryDatetime,
            actions: (p.postLaunchActionsStatus?.postLaunchActionsLaunchStatusList ?? []).map((a) => `${a.ssmDocument?.ssmDocumentName}:${a.executionStatus}`),
          }));
        };
        // Launched at 12 min: nothing is listed before the agent is discovered.
        expect(await at(13)).toEqual([
          { discovered: undefined, actions: [] },
          { discovered: undefined, actions: [] },
        ]);
        expect(await at(20)).toEqual([
          { discovered: undefined, actions: [] },
          { discovered: '2026-01-01T00:20:00.000Z', actions: ['Doc-a:IN_PROGRESS', 'Doc-b:IN_PROGRESS'] },
        ]);
        expect((await at(49))[0]).toEqual({ discovered: undefined, actions: [] });
        expect((await at(50))[0]).toEqual({ discovered: '2026-01-01T00:50:00.000Z', actions: ['Doc-a:IN_PROGRESS'] });
        expect((await at(52.5))[0].actions).toEqual(['Doc-a:IN_PROGRESS', 'Doc-b:IN_PROGRESS']);
        expect((await at(55))[0].actions).toEqual(['Doc-a:SUCCESS', 'Doc-b:SUCCESS']);
      },
      { delayPostLaunchListFor: ['late1'], postLaunchListDelayMinutes: 30 },
    ));

  test('post-launch failure is injected by hostname and blocks cutover when the action must succeed', () =>
    withFake(
      [{ hostname: 'pla2' }],
      async (fake, mgn, [id]) => {
        await mgn.send(new PutSourceServerActionCommand({ sourceServerID: id, actionID: 'a1', actionName: 'a1', documentIdentifier: 'Doc-a1', order: 1001 }));
        const { job: started } = await mgn.send(new StartTestCommand({ sourceServerIDs: [id] }));
        await fake.clock.sleep(30 * MINUTE);
        const status = (await job(mgn, started!.jobID!)).participatingServers![0].postLaunchActionsStatus!;
        expect(status.ssmAgentDiscoveryDatetime).toBeDefined();
        expect(status.postLaunchActionsLaunchStatusList![0]).toMatchObject({ executionStatus: 'FAILED', executionID: expect.stringMatching(/^[0-9a-f-]{36}$/) });
        // Source server actions default to mustSucceedForCutover: the failure blocks cutover.
        const blocked = await rejection(mgn.send(new ChangeServerLifeCycleStateCommand({ sourceServerID: id, lifeCycle: { state: 'READY_FOR_CUTOVER' } })));
        expect(conflictCodes(blocked)).toEqual(['POST_LAUNCH_ACTION_FAILED']);
        expect(blocked.message).toContain('a1');
      },
      { failPostLaunchFor: ['pla2'] },
    ));

  test('stalled replication: launches refused, RetryDataReplication only when STALLED, seeded stalls recover, injected ones persist', () =>
    withFake(
      [{ hostname: 'stuck', replicationState: 'STALLED' }, { hostname: 'flaky' }, { hostname: 'fine' }],
      async (fake, mgn, [stuck, flaky, fine]) => {
        const refused = await rejection(mgn.send(new StartTestCommand({ sourceServerIDs: [stuck, flaky, fine] })));
        expect(conflictCodes(refused)).toEqual(['REPLICATION_NOT_HEALTHY', 'REPLICATION_NOT_HEALTHY']);
        expect((refused as unknown as ConflictException).errors!.map((e) => e.resourceId)).toEqual([stuck, flaky]);
        expect(fake.launches(fine)).toBe(0);
        expect((await server(mgn, flaky)).dataReplicationInfo).toMatchObject({ dataReplicationState: 'STALLED', dataReplicationError: { error: 'UNSTABLE_NETWORK' } });

        expect(conflictCodes(await rejection(mgn.send(new RetryDataReplicationCommand({ sourceServerID: fine }))))).toEqual(['REPLICATION_NOT_STALLED']);
        expect((await mgn.send(new RetryDataReplicationCommand({ sourceServerID: stuck }))).dataReplicationInfo?.dataReplicationState).toBe('RESCAN');
        await mgn.send(new RetryDataReplicationCommand({ sourceServerID: flaky }));
        await fake.clock.sleep(11 * MINUTE);
        expect((await server(mgn, stuck)).dataReplicationInfo?.dataReplicationState).toBe('CONTINUOUS');
        expect((await server(mgn, flaky)).dataReplicationInfo?.dataReplicationState).toBe('STALLED');
        fake.faults = { ...fake.faults, stallReplicationFor: [] };
        expect((await server(mgn, flaky)).dataReplicationInfo?.dataReplicationState).toBe('CONTINUOUS');
      },
      { stallReplicationFor: ['flaky'] },
    ));

  test('ChangeServerLifeCycleState: refused without lagDuration, from a wrong state, or during a job', () =>
    withFake([{ hostname: 'new1', lagDuration: null }, { hostname: 'web1' }], async (fake, mgn, [fresh, web]) => {
      const change = (sourceServerID: string, state: 'READY_FOR_TEST' | 'READY_FOR_CUTOVER' | 'CUTOVER') => mgn.send(new ChangeServerLifeCycleStateCommand({ sourceServerID, lifeCycle: { state } }));
      expect(conflictCodes(await rejection(change(fresh, 'READY_FOR_CUTOVER')))).toEqual(['LAG_DURATION_NOT_SET']);
      expect((await server(mgn, fresh)).dataReplicationInfo?.lagDuration).toBeUndefined();
      expect(conflictCodes(await rejection(change(web, 'READY_FOR_CUTOVER')))).toEqual(['INVALID_LIFECYCLE_STATE']);
      await mgn.send(new StartTestCommand({ sourceServerIDs: [web] }));
      expect(conflictCodes(await rejection(change(web, 'READY_FOR_CUTOVER')))).toEqual(['SOURCE_SERVER_IN_ACTIVE_JOB']);
      await fake.clock.sleep(20 * MINUTE);
      const marked = await change(web, 'READY_FOR_CUTOVER');
      expect(marked.lifeCycle).toMatchObject({ state: 'READY_FOR_CUTOVER', lastTest: { finalized: { apiCallDateTime: expect.any(String) } } });
      expect(await rejection(mgn.send(new ChangeServerLifeCycleStateCommand({ sourceServerID: web, lifeCycle: { state: 'TESTING' as never } })))).toBeInstanceOf(ValidationException);
    }));

  test('quotas: <= 200 ids per call, <= 200 servers across active jobs, <= 20 concurrent jobs, one job per server', () =>
    withFake(servers(420), async (fake, mgn, ids) => {
      const perCall = await rejection(mgn.send(new StartTestCommand({ sourceServerIDs: ids.slice(0, 201) })));
      expect(perCall).toBeInstanceOf(ValidationException);
      expect(perCall).toMatchObject({ reason: 'fieldValidationFailed', fieldList: [{ name: 'sourceServerIDs' }] });

      await mgn.send(new StartTestCommand({ sourceServerIDs: ids.slice(0, 150) }));
      const across = await rejection(mgn.send(new StartTestCommand({ sourceServerIDs: ids.slice(150, 201) })));
      expect(across).toBeInstanceOf(ServiceQuotaExceededException);
      expect(across).toMatchObject({ quotaCode: 'ServersInAllActiveJobs', quotaValue: 200, serviceCode: 'mgn', $metadata: { httpStatusCode: 402 } });
      expect(fake.launches(ids[150])).toBe(0);
      const busy = await rejection(mgn.send(new StartTestCommand({ sourceServerIDs: [ids[0], ids[300]] })));
      expect(conflictCodes(busy)).toEqual(['SOURCE_SERVER_IN_ACTIVE_JOB']);
      for (let i = 0; i < 19; i++) await mgn.send(new StartTestCommand({ sourceServerIDs: [ids[200 + i]] }));
      const jobs = await rejection(mgn.send(new StartTestCommand({ sourceServerIDs: [ids[250]] })));
      expect(jobs).toBeInstanceOf(ServiceQuotaExceededException);
      expect(jobs).toMatchObject({ quotaCode: 'ConcurrentJobs', quotaValue: 20 });
      expect(fake.peaks).toEqual({ serversInActiveJobs: 169, activeJobs: 20, serversPerJob: 150 });

      // Capacity returns when jobs complete.
      await fake.clock.sleep(20 * MINUTE);
      await mgn.send(new StartTestCommand({ sourceServerIDs: ids.slice(220, 420) }));
      expect(fake.peaks).toEqual({ serversInActiveJobs: 200, activeJobs: 20, serversPerJob: 200 });
      expect(fake.calls('StartTest')).toBe(25);
      // DescribeJobs pages in creation order, so every job is seen once.
      const seen: string[] = [];
      for await (const page of paginateDescribeJobs({ client: mgn, pageSize: 6 }, {})) seen.push(...page.items!.map((j) => j.participatingServers![0].sourceServerID!));
      expect(seen).toEqual([ids[0], ...ids.slice(200, 219), ids[220]]);
    }));

  test('cutover and finalize: CUTTING_OVER, test instance replaced, FinalizeCutover one server -> CUTOVER + DISCONNECTED, archive', () =>
    withFake([{ hostname: 'app1' }, { hostname: 'app2' }], async (fake, mgn, [a, b]) => {
      expect(conflictCodes(await rejection(mgn.send(new StartCutoverCommand({ sourceServerIDs: [a] }))))).toEqual(['INVALID_LIFECYCLE_STATE']);
      const { job: test } = await mgn.send(new StartTestCommand({ sourceServerIDs: [a, b] }));
      await fake.clock.sleep(20 * MINUTE);
      const testInstance = (await job(mgn, test!.jobID!)).participatingServers![0].launchedEc2InstanceID;
      for (const id of [a, b]) await mgn.send(new ChangeServerLifeCycleStateCommand({ sourceServerID: id, lifeCycle: { state: 'READY_FOR_CUTOVER' } }));
      expect(conflictCodes(await rejection(mgn.send(new FinalizeCutoverCommand({ sourceServerID: a }))))).toEqual(['INVALID_LIFECYCLE_STATE']);

      const { job: cut } = await mgn.send(new StartCutoverCommand({ sourceServerIDs: [a, b] }));
      expect(cut).toMatchObject({ initiatedBy: 'START_CUTOVER', type: 'LAUNCH' });
      expect((await server(mgn, a)).lifeCycle?.state).toBe('CUTTING_OVER');
      expect(conflictCodes(await rejection(mgn.send(new FinalizeCutoverCommand({ sourceServerID: a }))))).toEqual(['SOURCE_SERVER_IN_ACTIVE_JOB']);
      await fake.clock.sleep(20 * MINUTE);
      const cutInstance = (await job(mgn, cut!.jobID!)).participatingServers![0].launchedEc2InstanceID;
      expect(cutInstance).not.toBe(testInstance);

      const finalized = await mgn.send(new FinalizeCutoverCommand({ sourceServerID: a }));
      expect(finalized).toMatchObject({ lifeCycle: { state: 'CUTOVER', lastCutover: { finalized: {} } }, dataReplicationInfo: { dataReplicationState: 'DISCONNECTED' }, launchedInstance: { ec2InstanceID: cutInstance } });
      expect(conflictCodes(await rejection(mgn.send(new FinalizeCutoverCommand({ sourceServerID: a }))))).toEqual(['INVALID_LIFECYCLE_STATE']);
      expect((await server(mgn, b)).lifeCycle?.state).toBe('CUTTING_OVER');
      expect(conflictCodes(await rejection(mgn.send(new TerminateTargetInstancesCommand({ sourceServerIDs: [a] }))))).toEqual(['INVALID_LIFECYCLE_STATE']);

      expect(conflictCodes(await rejection(mgn.send(new MarkAsArchivedCommand({ sourceServerID: b }))))).toEqual(['INVALID_LIFECYCLE_STATE']);
      expect((await mgn.send(new MarkAsArchivedCommand({ sourceServerID: a }))).isArchived).toBe(true);
      expect((await mgn.send(new DescribeSourceServersCommand({ filters: { isArchived: true } }))).items!.map((s) => s.sourceServerID)).toEqual([a]);
      expect(fake.launches(a)).toBe(2);
      expect(fake.launches(a, 'START_CUTOVER')).toBe(1);
    }));

  test('revert a test: TerminateTargetInstances refused while TESTING, TERMINATE job after READY_FOR_TEST', () =>
    withFake([{ hostname: 'rv1' }], async (fake, mgn, [id]) => {
      await mgn.send(new StartTestCommand({ sourceServerIDs: [id] }));
      await fake.clock.sleep(20 * MINUTE);
      const instance = (await server(mgn, id)).launchedInstance?.ec2InstanceID;
      expect(conflictCodes(await rejection(mgn.send(new TerminateTargetInstancesCommand({ sourceServerIDs: [id] }))))).toEqual(['INVALID_LIFECYCLE_STATE']);
      const reverted = await mgn.send(new ChangeServerLifeCycleStateCommand({ sourceServerID: id, lifeCycle: { state: 'READY_FOR_TEST' } }));
      expect(reverted.lifeCycle).toMatchObject({ state: 'READY_FOR_TEST', lastTest: { reverted: {} } });
      const { job: term } = await mgn.send(new TerminateTargetInstancesCommand({ sourceServerIDs: [id] }));
      expect(term).toMatchObject({ type: 'TERMINATE', initiatedBy: 'TERMINATE', status: 'PENDING' });
      await fake.clock.sleep(10 * MINUTE);
      expect(await job(mgn, term!.jobID!)).toMatchObject({ status: 'COMPLETED', participatingServers: [{ launchStatus: 'TERMINATED', launchedEc2InstanceID: instance }] });
      expect((await server(mgn, id)).launchedInstance).toBeUndefined();
      expect(fake.launches(id)).toBe(1);
    }));

  test('DisconnectFromService, then archive; a cutover launch that fails returns to READY_FOR_CUTOVER', () =>
    withFake(
      [{ hostname: 'dc1' }, { hostname: 'cf1', lifeCycleState: 'READY_FOR_CUTOVER' }],
      async (fake, mgn, [dc, cf]) => {
        expect((await mgn.send(new DisconnectFromServiceCommand({ sourceServerID: dc }))).lifeCycle?.state).toBe('DISCONNECTED');
        expect((await mgn.send(new MarkAsArchivedCommand({ sourceServerID: dc }))).isArchived).toBe(true);
        expect(conflictCodes(await rejection(mgn.send(new StartTestCommand({ sourceServerIDs: [dc] }))))).toEqual(['SOURCE_SERVER_ARCHIVED']);
        await mgn.send(new StartCutoverCommand({ sourceServerIDs: [cf] }));
        await fake.clock.sleep(20 * MINUTE);
        expect((await server(mgn, cf)).lifeCycle?.state).toBe('READY_FOR_CUTOVER');
      },
      { failLaunchFor: ['cf1'] },
    ));
});
