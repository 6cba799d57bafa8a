import type {
  Application,
  DataReplicationState,
  Job,
  JobLog,
  JobPostLaunchActionsLaunchStatus,
  LaunchConfiguration,
  LaunchedInstance,
  LifeCycleLastCutover,
  LifeCycleLastTest,
  LifeCycleState,
  ParticipatingServer,
  SourceServer,
  SourceServerActionDocument,
  Wave,
} from '@aws-sdk/client-mgn';
import type { VirtualClock } from './clock';
import { notFound } from './errors';
import type { IdGenerator } from './random';
import type { FaultOptions } from './types';

/** A source server as the fake keeps it; `renderServer` turns it into MGN's SourceServer shape. */
export interface ServerRecord {
  readonly id: string;
  readonly arn: string;
  readonly hostname: string;
  readonly fqdn?: string;
  readonly ipAddress?: string;
  readonly os: 'linux' | 'windows';
  readonly withHints: boolean;
  readonly addedAt: string;
  state: LifeCycleState;
  replicationState: DataReplicationState;
  lagDuration: string | null;
  /** Virtual ms at which a RetryDataReplication rescan turns CONTINUOUS again. */
  rescanUntil?: number;
  isArchived: boolean;
  applicationID?: string;
  lastTest?: LifeCycleLastTest;
  lastCutover?: LifeCycleLastCutover;
  launchedInstance?: LaunchedInstance;
  launchConfiguration: LaunchConfiguration;
  /** The EC2 launch template, created at seed time (in the background when EC2 is an endpoint). */
  launchTemplate: Promise<string>;
  readonly actions: Map<string, SourceServerActionDocument>;
  /** The job this server takes part in while it is PENDING or STARTED (MGN allows one). */
  activeJobID?: string;
}

/** A participating server, always naming its source server. */
export type Participant = ParticipatingServer & { sourceServerID: string };

/** A job and the fake's bookkeeping for its progression. */
export interface JobRecord {
  readonly job: Omit<Job, 'participatingServers'> & { jobID: string; arn: string; participatingServers: Participant[] };
  readonly createdMs: number;
  readonly log: JobLog[];
  /** Index of the next phase of the job's timeline to run. */
  nextPhase: number;
  /** Lifecycle states before the launch, restored for servers whose launch FAILED. */
  readonly priorState: Map<string, LifeCycleState>;
  /** Post-launch actions of each LAUNCHED server, listed in the job once MGN discovers the SSM agent. */
  readonly postLaunch: Map<string, PostLaunchTimeline>;
}

/** When MGN lists and finishes a launched server's post-launch actions (virtual ms). */
export interface PostLaunchTimeline {
  readonly actions: JobPostLaunchActionsLaunchStatus[];
  /** The SSM agent is discovered: ssmAgentDiscoveryDatetime is set and the actions are listed. */
  readonly discoveredMs: number;
  /** A late agent lists only the first action at discovery and the rest from this time on. */
  readonly completeListMs: number;
  /** The actions end SUCCESS (or FAILED, injected). */
  readonly doneMs: number;
  done: boolean;
}

export interface WaveRecord extends Wave {
  waveID: string;
  arn: string;
}

export interface ApplicationRecord extends Application {
  applicationID: string;
  arn: string;
}

export interface MgnQuotas {
  /** @default 200 */
  readonly serversPerJob: number;
  /** @default 200 */
  readonly serversInActiveJobs: number;
  /** @default 20 */
  readonly concurrentJobs: number;
  /** @default 200 */
  readonly serversPerApplication: number;
  /** @default 1000 */
  readonly applicationsPerWave: number;
  /** @default 200 */
  readonly activeWaves: number;
}

export const DEFAULT_QUOTAS: MgnQuotas = {
  serversPerJob: 200,
  serversInActiveJobs: 200,
  concurrentJobs: 20,
  serversPerApplication: 200,
  applicationsPerWave: 1000,
  activeWaves: 200,
};

/** Everything one fake MGN account/Region holds, and the helpers every operation shares. */
export class MgnState {
  readonly servers = new Map<string, ServerRecord>();
  readonly jobs = new Map<string, JobRecord>();
  readonly waves = new Map<string, WaveRecord>();
  readonly applications = new Map<string, ApplicationRecord>();
  /** Tags of waves, applications and jobs by ARN (servers keep theirs in `serverTags`). */
  readonly tags = new Map<string, Record<string, string>>();
  readonly peaks = { serversInActiveJobs: 0, activeJobs: 0, serversPerJob: 0 };
  initialized: boolean;

  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly clock: VirtualClock,
    readonly ids: IdGenerator,
    readonly quotas: MgnQuotas,
    readonly faults: () => FaultOptions,
    initialized: boolean,
  ) {
    this.initialized = initialized;
  }

  arn(kind: string, id: string): string {
    return `arn:aws:mgn:${this.region}:${this.accountId}:${kind}/${id}`;
  }

  /** ISO-8601 timestamp of the virtual clock (or of `ms`). */
  iso(ms = this.clock.nowMs()): string {
    return new Date(ms).toISOString();
  }

  server(id: string): ServerRecord {
    const record = this.servers.get(id);
    if (!record) throw notFound('SOURCE_SERVER', id);
    return record;
  }

  wave(id: string): WaveRecord {
    const record = this.waves.get(id);
    if (!record) throw notFound('WAVE', id);
    return record;
  }

  application(id: string): ApplicationRecord {
    const record = this.applications.get(id);
    if (!record) throw notFound('APPLICATION', id);
    return record;
  }

  activeJobs(): JobRecord[] {
    return [...this.jobs.values()].filter((j) => j.job.status !== 'COMPLETED');
  }

  /** True when `list` names the server by ID or hostname (how faults are addressed). */
  named(list: string[] | undefined, server: ServerRecord): boolean {
    return !!list && (list.includes(server.id) || list.includes(server.hostname));
  }

  isStalled(server: ServerRecord): boolean {
    return server.replicationState === 'STALLED' || this.named(this.faults().stallReplicationFor, server);
  }

  renderServer(s: ServerRecord): SourceServer {
    const stalled = this.isStalled(s);
    const replicating = !['DISCONNECTED', 'STOPPED'].includes(s.replicationState);
    return {
      sourceServerID: s.id,
      arn: s.arn,
      isArchived: s.isArchived,
      tags: { ...(this.tags.get(s.arn) ?? {}) },
      ...(s.launchedInstance ? { launchedInstance: { ...s.launchedInstance } } : {}),
      dataReplicationInfo: {
        dataReplicationState: (stalled ? 'STALLED' : s.replicationState) as DataReplicationState,
        ...(s.lagDuration !== null ? { lagDuration: s.lagDuration } : {}),
        ...(replicating ? { lastSnapshotDateTime: this.iso(), replicatedDisks: [{ deviceName: s.os === 'windows' ? 'disk0' : '/dev/sda', totalStorageBytes: 42949672960, replicatedStorageBytes: 42949672960, backloggedStorageBytes: 0, rescannedStorageBytes: 0 }] } : {}),
        ...(stalled ? { dataReplicationError: { error: 'UNSTABLE_NETWORK', rawError: `Replication of ${s.hostname} stalled: the replication server has not received data from the agent` } } : {}),
      },
      lifeCycle: {
        state: s.state,
        addedToServiceDateTime: s.addedAt,
        firstByteDateTime: s.addedAt,
        lastSeenByServiceDateTime: this.iso(),
        ...(s.lastTest ? { lastTest: structuredClone(s.lastTest) } : {}),
        ...(s.lastCutover ? { lastCutover: structuredClone(s.lastCutover) } : {}),
      },
      sourceProperties: {
        lastUpdatedDateTime: s.addedAt,
        recommendedInstanceType: 't3.medium',
        ...(s.withHints ? { identificationHints: { hostname: s.hostname, ...(s.fqdn ? { fqdn: s.fqdn } : {}) } } : {}),
        ...(s.ipAddress ? { networkInterfaces: [{ macAddress: macFor(s.id), ips: [s.ipAddress], isPrimary: true }] } : {}),
        os: { fullString: s.os === 'windows' ? 'Microsoft Windows Server 2019 Datacenter' : 'Red Hat Enterprise Linux 8.9' },
        cpus: [{ cores: 2, modelName: 'Intel(R) Xeon(R) CPU' }],
        ramBytes: 8589934592,
        disks: [{ deviceName: s.os === 'windows' ? 'disk0' : '/dev/sda', bytes: 42949672960 }],
      },
      replicationType: 'AGENT_BASED',
      ...(s.applicationID ? { applicationID: s.applicationID } : {}),
      fqdnForActionFramework: s.fqdn ?? s.hostname,
    };
  }
}

function macFor(id: string): string {
  const h = id.slice(2, 14).padEnd(12, '0');
  return h.match(/.{2}/g)!.join(':').toLowerCase();
}
