import type { Job } from '@aws-sdk/client-mgn';

/** MGN job quotas of one account and Region (d.a.c/general/latest/gr/mgn.html). */
export interface JobQuotas {
  /** Servers in one StartTest/StartCutover/TerminateTargetInstances call. @default 200 */
  readonly serversPerJob: number;
  /** Servers across all active (PENDING/STARTED) jobs. @default 200 */
  readonly serversInActiveJobs: number;
  /** Active jobs at once. @default 20 */
  readonly concurrentJobs: number;
}

export const DEFAULT_QUOTAS: JobQuotas = { serversPerJob: 200, serversInActiveJobs: 200, concurrentJobs: 20 };

/** What the account's active jobs already take (ours and anybody else's). */
export interface ActiveLoad {
  readonly jobs: number;
  readonly servers: number;
  /** Servers that are in an active job (quota: one job per server). */
  readonly busy: ReadonlySet<string>;
}

export function isActive(job: Job): boolean {
  return job.status !== 'COMPLETED';
}

/** The load of the active jobs among `jobs` (e.g. one DescribeJobs listing). */
export function activeLoad(jobs: readonly Job[]): ActiveLoad {
  const active = jobs.filter(isActive);
  const busy = new Set(active.flatMap((j) => (j.participatingServers ?? []).map((p) => p.sourceServerID!)));
  return { jobs: active.length, servers: active.reduce((n, j) => n + (j.participatingServers?.length ?? 0), 0), busy };
}

/**
 * The next jobs to start from `queue` (in order, so an application's servers go together) without
 * breaking any quota given what is already active. Servers that do not fit stay queued for the next
 * round: the caller starts these jobs, waits for some to complete, and asks again.
 */
export function nextBatches(queue: readonly string[], load: ActiveLoad, quotas: JobQuotas = DEFAULT_QUOTAS): string[][] {
  let capacity = quotas.serversInActiveJobs - load.servers;
  let slots = quotas.concurrentJobs - load.jobs;
  const ready = queue.filter((id) => !load.busy.has(id));
  const batches: string[][] = [];
  let i = 0;
  while (slots > 0 && capacity > 0 && i < ready.length) {
    const size = Math.min(quotas.serversPerJob, capacity, ready.length - i);
    batches.push(ready.slice(i, i + size));
    i += size;
    capacity -= size;
    slots -= 1;
  }
  return batches;
}

/** Splits a list into chunks of at most `size` (e.g. 50 servers per AssociateSourceServers call). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError(`chunk size must be >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Lower bound of a wave's launch makespan under the quotas: every job takes at least
 * `jobMinutes`, and at most min(serversInActiveJobs, concurrentJobs × serversPerJob) servers can be
 * in flight, so N servers need ceil(N / that) rounds.
 */
export function makespanLowerBoundMinutes(servers: number, jobMinutes: number, quotas: JobQuotas = DEFAULT_QUOTAS): number {
  const inFlight = Math.min(quotas.serversInActiveJobs, quotas.concurrentJobs * quotas.serversPerJob);
  return Math.ceil(servers / inFlight) * jobMinutes;
}
