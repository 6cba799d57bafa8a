import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeJobLogItemsCommand, DescribeJobsCommand, type Job, type JobLog } from '@aws-sdk/client-mgn';
import { chunk } from '../batching';
import { listAll } from '../paginate';
import { account, call } from '../runtime';
import type { WaveState } from './state';

/** How far back the run reads jobs: the quotas count every job of the account, not only this run's. */
export const LOOKBACK_MS = 24 * 3_600_000;

/** Every job of the account since a day before the run (the quotas count other people's jobs too). */
export async function recentJobs(s: WaveState): Promise<Map<string, Job>> {
  const { rt } = s;
  const fromDate = new Date(s.startedMs - LOOKBACK_MS).toISOString();
  const listed = await listAll(rt, 'mgn:DescribeJobs', (nextToken) => rt.clients.mgn.send(new DescribeJobsCommand({ filters: { fromDate }, maxResults: 1000, nextToken, ...account(rt) })));
  const jobs = new Map<string, Job>(listed.map((j) => [j.jobID!, j]));
  const missing = [...new Set(s.tracks.filter((t) => t.jobID && !jobs.has(t.jobID) && t.stage !== 'done').map((t) => t.jobID!))];
  for (const ids of chunk(missing, 100)) {
    const page = await call(rt, 'mgn:DescribeJobs', () => rt.clients.mgn.send(new DescribeJobsCommand({ filters: { jobIDs: ids }, ...account(rt) })));
    for (const j of page.items ?? []) jobs.set(j.jobID!, j);
  }
  return jobs;
}

/**
 * EC2 state of each instance, 100 per DescribeInstances (by filter, which, unlike InstanceIds,
 * does not refuse the whole call for an instance that no longer exists); a missing one is gone.
 */
export async function instanceStates(s: WaveState, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunk([...new Set(ids)], 100)) {
    const r = await call(s.rt, 'ec2:DescribeInstances', () => s.rt.clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: part }] })));
    for (const i of (r.Reservations ?? []).flatMap((x) => x.Instances ?? [])) out.set(i.InstanceId!, i.State?.Name ?? 'unknown');
    for (const id of part) if (!out.has(id)) out.set(id, 'terminated');
  }
  return out;
}

/** Why a server's launch failed, from the job's log. */
export async function launchError(s: WaveState, jobID: string, id: string): Promise<string> {
  const { rt } = s;
  const items: JobLog[] = await listAll(rt, 'mgn:DescribeJobLogItems', (nextToken) => rt.clients.mgn.send(new DescribeJobLogItemsCommand({ jobID, nextToken, ...account(rt) })));
  const mine = items.filter((i) => i.eventData?.sourceServerID === id);
  const failed = mine.find((i) => i.event === 'LAUNCH_FAILED' || i.eventData?.rawError);
  return failed ? `${failed.event}: ${failed.eventData?.rawError ?? 'no rawError'}` : `launchStatus FAILED (job log: ${mine.map((i) => i.event).join(', ') || 'no entries'})`;
}

/** The newest launch job of the right kind that includes the server (when lastTest/lastCutover lack it). */
export function findLaunchJob(jobs: Map<string, Job>, id: string, initiatedBy?: string): string | undefined {
  return [...jobs.values()]
    .filter((j) => j.type === 'LAUNCH' && (!initiatedBy || j.initiatedBy === initiatedBy) && j.participatingServers?.some((p) => p.sourceServerID === id))
    .sort((a, b) => (b.creationDateTime ?? '').localeCompare(a.creationDateTime ?? ''))[0]?.jobID;
}
