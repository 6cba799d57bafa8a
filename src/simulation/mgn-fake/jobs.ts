import type { InitiatedBy, JobLogEvent, JobPostLaunchActionsLaunchStatus, LifeCycleState } from '@aws-sdk/client-mgn';
import { type ConflictDetail, conflict, quotaExceeded } from './errors';
import type { Ec2Backend } from './ec2';
import { hex } from './random';
import type { JobRecord, MgnState, ServerRecord } from './state';

type Mode = 'START_TEST' | 'START_CUTOVER' | 'TERMINATE';

/**
 * A phase of a job's timeline, at a fraction of the job duration after creation. Post-launch
 * actions finish after the job is COMPLETED, as in MGN: a COMPLETED job says nothing about them.
 */
interface Phase {
  readonly at: number;
  run(engine: JobEngine, record: JobRecord, atMs: number): Promise<void>;
}

const LAUNCH_PHASES: Phase[] = [
  { at: 0.05, run: async (e, r, t) => e.startJob(r, t) },
  { at: 0.3, run: async (e, r, t) => e.snapshotsTaken(r, t) },
  { at: 0.6, run: (e, r, t) => e.launch(r, t) },
  { at: 1.0, run: async (e, r, t) => e.complete(r, t) },
];

/** Post-launch actions run from SSM agent discovery (at job completion, or later) for a quarter job. */
const POST_LAUNCH_FRACTION = 0.25;

const TERMINATE_PHASES: Phase[] = [
  { at: 0.05, run: async (e, r, t) => e.startJob(r, t) },
  { at: 0.25, run: (e, r, t) => e.terminate(r, t) },
  { at: 0.3, run: async (e, r, t) => e.complete(r, t) },
];

/** Lifecycle states each launch mode starts from (MGN's console offers the action only there). */
const LAUNCHABLE_FROM: Record<'START_TEST' | 'START_CUTOVER', LifeCycleState[]> = {
  START_TEST: ['READY_FOR_TEST', 'TESTING', 'READY_FOR_CUTOVER'],
  START_CUTOVER: ['READY_FOR_CUTOVER', 'CUTTING_OVER'],
};
const NOT_TERMINABLE: LifeCycleState[] = ['TESTING', 'CUTTING_OVER', 'CUTOVER'];

/** Creates LAUNCH and TERMINATE jobs within MGN's quotas and moves them along the virtual clock. */
export class JobEngine {
  constructor(
    private readonly state: MgnState,
    private readonly ec2: Ec2Backend,
    private readonly durationMs: number,
    /** Launches per server and mode, for the duplicate-launch audit. */
    private readonly launchCounts: Map<string, number>,
  ) {}

  /** Validates a StartTest/StartCutover/TerminateTargetInstances call and creates its job. */
  create(mode: Mode, ids: string[], tags: Record<string, string>): JobRecord {
    const s = this.state;
    const servers = ids.map((id) => s.server(id));
    const problems: ConflictDetail[] = [];
    for (const server of servers) {
      const problem = this.refusal(mode, server);
      if (problem) problems.push({ message: `${server.id} (${server.hostname}): ${problem.message}`, code: problem.code, resourceId: server.id, resourceType: 'SOURCE_SERVER' });
    }
    if (problems.length > 0) throw conflict(`${problems.length} of ${servers.length} source servers cannot take part in this job: ${problems.map((p) => p.message).join('; ')}`, problems);

    const active = s.activeJobs();
    if (active.length + 1 > s.quotas.concurrentJobs) {
      throw quotaExceeded('ConcurrentJobs', s.quotas.concurrentJobs, `Concurrent jobs quota exceeded: ${active.length} jobs are active, the quota is ${s.quotas.concurrentJobs}`);
    }
    const inActive = active.reduce((n, j) => n + j.job.participatingServers.length, 0);
    if (inActive + servers.length > s.quotas.serversInActiveJobs) {
      throw quotaExceeded(
        'ServersInAllActiveJobs',
        s.quotas.serversInActiveJobs,
        `Servers in all active jobs quota exceeded: ${inActive} servers are in active jobs and this job adds ${servers.length}, the quota is ${s.quotas.serversInActiveJobs}`,
      );
    }
    if (servers.length > s.quotas.serversPerJob) {
      throw quotaExceeded('ServersPerJob', s.quotas.serversPerJob, `Servers per job quota exceeded: ${servers.length} servers, the quota is ${s.quotas.serversPerJob}`);
    }

    const jobID = s.ids.next('mgnjob');
    const now = s.clock.nowMs();
    const record: JobRecord = {
      job: {
        jobID,
        arn: s.arn('job', jobID),
        type: mode === 'TERMINATE' ? 'TERMINATE' : 'LAUNCH',
        initiatedBy: mode as InitiatedBy,
        creationDateTime: s.iso(now),
        status: 'PENDING',
        participatingServers: servers.map((server) => ({ sourceServerID: server.id, launchStatus: 'PENDING' })),
        tags,
      },
      createdMs: now,
      log: [],
      nextPhase: 0,
      priorState: new Map(servers.map((server) => [server.id, server.state])),
      postLaunch: new Map(),
    };
    s.jobs.set(jobID, record);
    if (Object.keys(tags).length > 0) s.tags.set(record.job.arn!, { ...tags });
    this.addLog(record, now, 'JOB_START');
    for (const server of servers) {
      server.activeJobID = jobID;
      if (mode === 'START_TEST') {
        server.state = 'TESTING';
        server.lastTest = { initiated: { apiCallDateTime: s.iso(now), jobID } };
      } else if (mode === 'START_CUTOVER') {
        server.state = 'CUTTING_OVER';
        server.lastCutover = { initiated: { apiCallDateTime: s.iso(now), jobID } };
      }
      if (mode !== 'TERMINATE') this.launchCounts.set(`${server.id}/${mode}`, (this.launchCounts.get(`${server.id}/${mode}`) ?? 0) + 1);
    }
    const peaks = s.peaks;
    peaks.activeJobs = Math.max(peaks.activeJobs, active.length + 1);
    peaks.serversInActiveJobs = Math.max(peaks.serversInActiveJobs, inActive + servers.length);
    peaks.serversPerJob = Math.max(peaks.serversPerJob, servers.length);
    return record;
  }

  /** Runs every phase whose time has come, job by job in creation order. */
  async catchUp(): Promise<void> {
    const now = this.state.clock.nowMs();
    for (const server of this.state.servers.values()) {
      if (server.rescanUntil !== undefined && server.rescanUntil <= now) {
        server.replicationState = 'CONTINUOUS';
        server.rescanUntil = undefined;
      }
    }
    for (const record of this.state.jobs.values()) {
      const phases = record.job.type === 'TERMINATE' ? TERMINATE_PHASES : LAUNCH_PHASES;
      while (record.nextPhase < phases.length) {
        const phase = phases[record.nextPhase];
        const atMs = record.createdMs + Math.round(phase.at * this.durationMs);
        if (atMs > now) break;
        await phase.run(this, record, atMs);
        record.nextPhase++;
      }
      this.postLaunchProgress(record, now);
    }
  }

  startJob(record: JobRecord, atMs: number): void {
    record.job.status = 'STARTED';
    for (const ps of record.job.participatingServers) {
      ps.launchStatus = 'IN_PROGRESS';
      if (record.job.type === 'LAUNCH') this.addLog(record, atMs, 'SNAPSHOT_START', ps.sourceServerID);
    }
  }

  snapshotsTaken(record: JobRecord, atMs: number): void {
    for (const ps of record.job.participatingServers) {
      this.addLog(record, atMs, 'SNAPSHOT_END', ps.sourceServerID);
      this.addLog(record, atMs, 'CONVERSION_START', ps.sourceServerID, { conversionServerID: `i-${hex(`conv/${record.job.jobID}`, 17)}` });
    }
  }

  async launch(record: JobRecord, atMs: number): Promise<void> {
    const s = this.state;
    const faults = s.faults();
    const mode = record.job.initiatedBy as 'START_TEST' | 'START_CUTOVER';
    // EC2 calls run in parallel; the job's state and log are then written in server order, so the
    // log reads the same on every run.
    const outcomes = await Promise.all(
      record.job.participatingServers.map(async (ps): Promise<{ server: ServerRecord; instanceID?: string; error?: string }> => {
        const server = s.server(ps.sourceServerID);
        if (s.named(faults.failLaunchFor, server)) {
          return { server, error: `Failed to launch ${mode === 'START_TEST' ? 'test' : 'cutover'} instance for ${server.hostname}: InsufficientInstanceCapacity (injected by the MGN fake)` };
        }
        try {
          // A new test launch replaces the previous test instance; a cutover launch deletes it.
          const previous = server.launchedInstance?.ec2InstanceID;
          if (previous) await this.ec2.terminateInstances([previous]);
          return { server, instanceID: await this.ec2.runInstance(await server.launchTemplate, server.id, hex(`${record.job.jobID}/${server.id}`, 32)) };
        } catch (err) {
          // As MGN does, an EC2 refusal fails this server's launch and lands in the job log.
          return { server, error: `Failed to launch instance for ${server.hostname}: ${(err as Error).name}: ${(err as Error).message}`.slice(0, 2000) };
        }
      }),
    );
    record.job.participatingServers.forEach((ps, index) => {
      const { server, instanceID, error } = outcomes[index];
      this.addLog(record, atMs, 'CONVERSION_END', server.id);
      if (!instanceID) {
        ps.launchStatus = 'FAILED';
        this.addLog(record, atMs, 'LAUNCH_START', server.id);
        this.addLog(record, atMs, 'LAUNCH_FAILED', server.id, { rawError: error ?? 'unknown launch failure' });
        return;
      }
      this.addLog(record, atMs, 'LAUNCH_START', server.id, { targetInstanceID: instanceID });
      ps.launchStatus = 'LAUNCHED';
      ps.launchedEc2InstanceID = instanceID;
      server.launchedInstance = { ec2InstanceID: instanceID, jobID: record.job.jobID, firstBoot: 'WAITING' };
      // MGN lists the actions only once it discovers the SSM agent on the new instance.
      ps.postLaunchActionsStatus = { postLaunchActionsLaunchStatusList: [] };
      const completedMs = record.createdMs + this.durationMs;
      const discoveredMs = completedMs + (s.named(faults.delayPostLaunchListFor, server) ? (faults.postLaunchListDelayMinutes ?? 30) * 60_000 : 0);
      const late = discoveredMs > completedMs;
      record.postLaunch.set(server.id, {
        actions: this.postLaunchActions(server, mode, record.job.jobID),
        discoveredMs,
        completeListMs: late ? discoveredMs + Math.round(this.durationMs / 8) : discoveredMs,
        doneMs: discoveredMs + Math.round(this.durationMs * POST_LAUNCH_FRACTION),
        done: false,
      });
    });
  }

  complete(record: JobRecord, atMs: number): void {
    const s = this.state;
    record.job.status = 'COMPLETED';
    record.job.endDateTime = s.iso(atMs);
    for (const ps of record.job.participatingServers) {
      const server = s.server(ps.sourceServerID);
      if (server.activeJobID === record.job.jobID) server.activeJobID = undefined;
      if (ps.launchStatus === 'FAILED') {
        // A failed launch leaves the server in the state it was launched from, ready to try again.
        server.state = record.priorState.get(server.id) ?? server.state;
      } else if (ps.launchStatus === 'LAUNCHED') {
        const launched = server.launchedInstance;
        if (launched?.jobID === record.job.jobID) launched.firstBoot = 'SUCCEEDED';
      }
    }
    this.addLog(record, atMs, 'JOB_END');
  }

  /** Lists each launched server's actions once its agent is discovered, and ends them on time. */
  postLaunchProgress(record: JobRecord, now: number): void {
    const s = this.state;
    for (const ps of record.job.participatingServers) {
      const timeline = record.postLaunch.get(ps.sourceServerID);
      if (!timeline || timeline.done || now < timeline.discoveredMs || !ps.postLaunchActionsStatus) continue;
      const status = ps.postLaunchActionsStatus;
      status.ssmAgentDiscoveryDatetime = s.iso(timeline.discoveredMs);
      status.postLaunchActionsLaunchStatusList = now < timeline.completeListMs ? timeline.actions.slice(0, 1) : timeline.actions;
      if (now < timeline.doneMs) continue;
      timeline.done = true;
      const failing = s.named(s.faults().failPostLaunchFor, s.server(ps.sourceServerID));
      timeline.actions.forEach((action, index) => {
        if (failing && index === 0) {
          action.executionStatus = 'FAILED';
          action.failureReason = `Step 'runScript' of ${action.ssmDocument?.ssmDocumentName} failed at ${s.iso(timeline.doneMs)}: exit code 1 (injected by the MGN fake)`;
        } else {
          action.executionStatus = 'SUCCESS';
        }
      });
    }
  }

  async terminate(record: JobRecord, atMs: number): Promise<void> {
    const s = this.state;
    const targets = record.job.participatingServers.map((ps) => ({ ps, server: s.server(ps.sourceServerID) }));
    const instances = targets.map((t) => t.server.launchedInstance?.ec2InstanceID).filter((id): id is string => !!id);
    let error: string | undefined;
    try {
      await this.ec2.terminateInstances(instances);
    } catch (err) {
      error = `Failed to terminate ${instances.join(', ')}: ${(err as Error).name}: ${(err as Error).message}`.slice(0, 2000);
    }
    for (const { ps, server } of targets) {
      const instanceID = server.launchedInstance?.ec2InstanceID;
      this.addLog(record, atMs, 'CLEANUP_START', server.id);
      if (instanceID) ps.launchedEc2InstanceID = instanceID;
      if (error && instanceID) {
        ps.launchStatus = 'FAILED';
        this.addLog(record, atMs, 'CLEANUP_FAIL', server.id, { targetInstanceID: instanceID, rawError: error });
        continue;
      }
      server.launchedInstance = undefined;
      ps.launchStatus = 'TERMINATED';
      this.addLog(record, atMs, 'CLEANUP_END', server.id, instanceID ? { targetInstanceID: instanceID } : {});
    }
  }

  private refusal(mode: Mode, server: ServerRecord): { message: string; code: string } | undefined {
    if (server.isArchived) return { message: 'source server is archived', code: 'SOURCE_SERVER_ARCHIVED' };
    if (server.activeJobID) return { message: `source server is already in active job ${server.activeJobID} (one job per server)`, code: 'SOURCE_SERVER_IN_ACTIVE_JOB' };
    if (mode === 'TERMINATE') {
      if (NOT_TERMINABLE.includes(server.state)) return { message: `cannot terminate target instances in lifecycle state ${server.state}`, code: 'INVALID_LIFECYCLE_STATE' };
      return undefined;
    }
    if (!LAUNCHABLE_FROM[mode].includes(server.state)) {
      return { message: `lifecycle state ${server.state} does not allow ${mode === 'START_TEST' ? 'a test' : 'a cutover'} launch (allowed: ${LAUNCHABLE_FROM[mode].join(', ')})`, code: 'INVALID_LIFECYCLE_STATE' };
    }
    const replication = this.state.isStalled(server) ? 'STALLED' : server.replicationState;
    if (replication !== 'CONTINUOUS') return { message: `data replication is ${replication}, not CONTINUOUS`, code: 'REPLICATION_NOT_HEALTHY' };
    return undefined;
  }

  /** The SSM actions that run on this launch: legacy launch-configuration documents, then source server actions by order. */
  private postLaunchActions(server: ServerRecord, mode: 'START_TEST' | 'START_CUTOVER', jobID: string): JobPostLaunchActionsLaunchStatus[] {
    const legacy = server.launchConfiguration.postLaunchActions;
    const deployment = legacy?.deployment ?? 'TEST_AND_CUTOVER';
    const legacyApplies = deployment === 'TEST_AND_CUTOVER' || (deployment === 'TEST_ONLY') === (mode === 'START_TEST');
    const documents = [
      ...(legacyApplies ? (legacy?.ssmDocuments ?? []) : []),
      ...[...server.actions.values()]
        .filter((a) => a.active !== false)
        .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
        .map((a) => ({ actionName: a.actionName!, ssmDocumentName: a.documentIdentifier!, timeoutSeconds: a.timeoutSeconds, mustSucceedForCutover: a.mustSucceedForCutover, parameters: a.parameters })),
    ];
    return documents.map((doc, index) => ({
      ssmDocument: doc,
      ssmDocumentType: 'COMMAND',
      executionID: uuid(`${jobID}/${server.id}/${index}`),
      executionStatus: 'IN_PROGRESS',
    }));
  }

  private addLog(record: JobRecord, atMs: number, event: JobLogEvent, sourceServerID?: string, data: Record<string, string> = {}): void {
    record.log.push({
      logDateTime: this.state.iso(atMs),
      event,
      ...(sourceServerID || Object.keys(data).length > 0 ? { eventData: { ...(sourceServerID ? { sourceServerID } : {}), ...data } } : {}),
    });
  }
}

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
