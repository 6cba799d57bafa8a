import type { VirtualClock } from './clock';
import type { MgnQuotas } from './state';

/** Faults the fake injects; mutable while it runs. */
export interface FaultOptions {
  /** Fraction of requests answered 429 ThrottlingException with retryAfterSeconds. @default 0 */
  throttleRate?: number;
  /** Fraction of requests answered 500 InternalServerException. @default 0 */
  serverErrorRate?: number;
  /**
   * MGN's request rate limit for the account: a token bucket refilled at `perSecond` on the
   * virtual clock, holding at most `burst` (default `perSecond`); a request that finds it empty is
   * answered ThrottlingException with the seconds until a token is back. @default no limit
   */
  requestRate?: { perSecond: number; burst?: number };
  /** Operations answered 500 InternalServerException every time, without effect (a call that never goes through). @default none */
  failOperations?: string[];
  /** Source server IDs or hostnames whose launch ends FAILED (with a job log rawError). @default none */
  failLaunchFor?: string[];
  /** Source server IDs or hostnames whose replication is STALLED. @default none */
  stallReplicationFor?: string[];
  /** Source server IDs or hostnames whose post-launch actions end FAILED with a failureReason. @default none */
  failPostLaunchFor?: string[];
  /**
   * Source server IDs or hostnames whose SSM agent MGN discovers late: their job lists no
   * post-launch action (an empty list, no ssmAgentDiscoveryDatetime) until `postLaunchListDelayMinutes`
   * after the job completed, then only the first action for an eighth of the job duration (a partial
   * list), then all of them. @default none
   */
  delayPostLaunchListFor?: string[];
  /** Minutes after job completion at which a late SSM agent is discovered. @default 30 */
  postLaunchListDelayMinutes?: number;
  /**
   * Fraction of requests to mutating operations (every operation but Describe*, List* and Get*)
   * whose answer is lost: the call takes effect, then the connection is closed before any response,
   * so the client sees a reset socket ("socket hang up"). Sampled with `seed`. @default 0
   */
  loseAnswerRate?: number;
  /**
   * Mutating operations whose next answers are lost, by name: `{ FinalizeCutover: 2 }` loses the
   * first two FinalizeCutover answers after these faults were set (each call takes effect), `'*'`
   * counts for every mutating operation. @default none
   */
  loseAnswers?: Record<string, number>;
  /**
   * Simulated milliseconds each request of an operation takes before MGN handles it, by name
   * (`'*'` for every operation): a slow MGN. Each request waits on the virtual clock, so requests
   * that arrive together wait together. @default none
   */
  latencyMs?: Record<string, number>;
  /** Seed of the fault sampler, so a run with faults replays identically. @default 1 */
  seed?: number;
}

export interface MgnFakeOptions {
  /** EC2 endpoint (moto) where launched instances are created with RunInstances; when absent, instance IDs are synthesized. */
  readonly ec2Endpoint?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '111111111111' */
  readonly accountId?: string;
  /** @default a new VirtualClock() */
  readonly clock?: VirtualClock;
  /** Simulated minutes from PENDING to COMPLETED. @default 20 */
  readonly jobDurationMinutes?: number;
  /** @default no faults */
  readonly faults?: FaultOptions;
  /** Answer UninitializedAccountException to every call until InitializeService is called. @default false */
  readonly uninitialized?: boolean;
  /** MGN's quotas, lowered in tests to reach them with few servers. @default MGN's published values (DEFAULT_QUOTAS) */
  readonly quotas?: Partial<MgnQuotas>;
}

export interface SeedServer {
  hostname: string;
  fqdn?: string;
  ipAddress?: string;
  /** @default generated s-<17 hex> */
  sourceServerId?: string;
  /** @default 'linux' */
  os?: 'linux' | 'windows';
  /** @default 'CONTINUOUS' */
  replicationState?: string;
  /** ISO-8601 duration or null (replication never measured). @default 'PT1M' */
  lagDuration?: string | null;
  /** @default 'READY_FOR_TEST' */
  lifeCycleState?: string;
  /** false: an imported server without identificationHints. @default true */
  withHints?: boolean;
}

export interface MgnFake {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly clock: VirtualClock;
  seedServers(servers: SeedServer[]): Array<{ sourceServerID: string; hostname: string }>;
  /** Mutable at run time. */
  faults: FaultOptions;
  /** Requests answered per operation (all operations when omitted), faults included. */
  calls(operation?: string): number;
  /**
   * Requests answered with an error of `type` (e.g. 'ServiceQuotaExceededException'; every error
   * when omitted), for `operation` only when given. Injected faults count too.
   */
  errors(type?: string, operation?: string): number;
  /** Answers lost on purpose (loseAnswerRate, loseAnswers), for `operation` only when given. */
  lostAnswers(operation?: string): number;
  /** Number of LAUNCH jobs that included the server (optionally only those started by StartTest or StartCutover). */
  launches(sourceServerID: string, initiatedBy?: 'START_TEST' | 'START_CUTOVER'): number;
  /** Max number of servers across active jobs, max concurrent jobs and max servers in one job ever observed (quota audit). */
  readonly peaks: { serversInActiveJobs: number; activeJobs: number; serversPerJob: number };
  stop(): Promise<void>;
}
