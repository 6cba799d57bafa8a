/**
 * The runbook's mutating MGN calls on source servers, each through `reconciled`: what "took effect"
 * means for each is read from MGN (the server's lifecycle, its archive flag, the jobs it is in).
 */
import {
  ChangeServerLifeCycleStateCommand,
  DescribeJobsCommand,
  FinalizeCutoverCommand,
  type Job,
  MarkAsArchivedCommand,
  type SourceServer,
  StartCutoverCommand,
  StartTestCommand,
  TerminateTargetInstancesCommand,
} from '@aws-sdk/client-mgn';
import { listAll } from './paginate';
import { type Effect, notYet, reconciled, tookEffect } from './reconcile';
import { listSourceServers } from './resolve';
import { account, type Runtime } from './runtime';

/** A source server as the log and errors name it. */
export interface ServerRef {
  readonly name: string;
  readonly sourceServerID: string;
}

export function serverLabel(s: ServerRef): string {
  return `${s.name} (${s.sourceServerID})`;
}

async function readServer(rt: Runtime, id: string): Promise<SourceServer | undefined> {
  return (await listSourceServers(rt.clients.mgn, rt, { sourceServerIDs: [id] }))[0];
}

/** A call on one server whose effect is a state of that server. */
function onServer(rt: Runtime, call: string, server: ServerRef, send: () => Promise<SourceServer>, reached: (s: SourceServer) => boolean): Promise<SourceServer> {
  return reconciled(rt, {
    call: `mgn:${call}`,
    target: serverLabel(server),
    send,
    effect: async (): Promise<Effect<SourceServer>> => {
      const s = await readServer(rt, server.sourceServerID);
      return s && reached(s) ? tookEffect(s) : notYet;
    },
  });
}

/** ChangeServerLifeCycleState, verified by its answer (or by the read that adopted it). */
export async function changeLifeCycleState(rt: Runtime, server: ServerRef, state: 'READY_FOR_TEST' | 'READY_FOR_CUTOVER'): Promise<SourceServer> {
  const s = await onServer(
    rt,
    'ChangeServerLifeCycleState',
    server,
    () => rt.clients.mgn.send(new ChangeServerLifeCycleStateCommand({ sourceServerID: server.sourceServerID, lifeCycle: { state }, ...account(rt) })),
    (x) => x.lifeCycle?.state === state,
  );
  if (s.lifeCycle?.state !== state) throw new Error(`ChangeServerLifeCycleState returned ${s.lifeCycle?.state}, expected ${state}`);
  return s;
}

/** FinalizeCutover: the server is CUTOVER afterwards (MGN sets it at once, by its API reference). */
export async function finalizeCutover(rt: Runtime, server: ServerRef): Promise<SourceServer> {
  const s = await onServer(
    rt,
    'FinalizeCutover',
    server,
    () => rt.clients.mgn.send(new FinalizeCutoverCommand({ sourceServerID: server.sourceServerID, ...account(rt) })),
    (x) => x.lifeCycle?.state === 'CUTOVER',
  );
  if (s.lifeCycle?.state !== 'CUTOVER') throw new Error(`FinalizeCutover returned state ${s.lifeCycle?.state}, expected CUTOVER`);
  return s;
}

export async function markAsArchived(rt: Runtime, server: ServerRef): Promise<SourceServer> {
  const s = await onServer(rt, 'MarkAsArchived', server, () => rt.clients.mgn.send(new MarkAsArchivedCommand({ sourceServerID: server.sourceServerID, ...account(rt) })), (x) => !!x.isArchived);
  if (!s.isArchived) throw new Error('MarkAsArchived returned a server that is not archived');
  return s;
}

/** The three calls that start MGN jobs on a batch of servers. */
export type JobKind = 'test' | 'cutover' | 'terminate';

export const JOB_CALL: Record<JobKind, string> = { test: 'StartTest', cutover: 'StartCutover', terminate: 'TerminateTargetInstances' };

/** Lifecycle state a launch puts its servers in (MGN's API reference). */
export const LAUNCHED_STATE = { test: 'TESTING', cutover: 'CUTTING_OVER' } as const;

/** How far back a TERMINATE job may have been created and still be the one a lost answer started (clock skew). */
const TERMINATE_SKEW_MS = 5 * 60_000;

export interface StartJobProps {
  readonly kind: JobKind;
  readonly ids: readonly string[];
  readonly tags: Record<string, string>;
  /** How the log names the batch ("12 servers (srv001, …)"). */
  readonly target: string;
  /** A server found already in a job of this kind by the read after a failure: the caller follows it there. */
  readonly started: (id: string, jobID: string | undefined) => void;
}

/**
 * StartTest, StartCutover or TerminateTargetInstances, reconciled. After an ambiguous failure the
 * servers MGN shows in a job of this kind (launched: TESTING/CUTTING_OVER with the job in
 * lastTest/lastCutover; terminating: in a TERMINATE job created since the call) are handed to
 * `started` and the call is sent again for the others only, so no server is launched or
 * terminated twice.
 * @returns the job of the servers still sent, or undefined when the reads found all of them started
 */
export async function startJob(rt: Runtime, props: StartJobProps): Promise<Job | undefined> {
  const { kind, tags } = props;
  let pending = [...props.ids];
  const sentAt = rt.clock.now().getTime();
  const acct = account(rt);
  const send = async (): Promise<Job | undefined> => {
    const ids = [...pending];
    const out = await rt.clients.mgn.send(
      kind === 'test'
        ? new StartTestCommand({ sourceServerIDs: ids, tags, ...acct })
        : kind === 'cutover'
          ? new StartCutoverCommand({ sourceServerIDs: ids, tags, ...acct })
          : new TerminateTargetInstancesCommand({ sourceServerIDs: ids, tags, ...acct }),
    );
    return out.job;
  };
  const effect = async (): Promise<Effect<Job | undefined>> => {
    const found = kind === 'terminate' ? await terminating(rt, pending, sentAt - TERMINATE_SKEW_MS) : await launched(rt, pending, kind);
    for (const [id, jobID] of found) props.started(id, jobID);
    pending = pending.filter((id) => !found.has(id));
    return pending.length ? notYet : tookEffect(undefined);
  };
  return reconciled(rt, { call: `mgn:${JOB_CALL[kind]}`, target: props.target, send, effect });
}

/** Servers among `ids` in a launch of this kind, with the job MGN names for it. */
async function launched(rt: Runtime, ids: readonly string[], kind: 'test' | 'cutover'): Promise<Map<string, string | undefined>> {
  const servers = await listSourceServers(rt.clients.mgn, rt, { sourceServerIDs: [...ids] });
  const out = new Map<string, string | undefined>();
  for (const s of servers) {
    if (s.lifeCycle?.state !== LAUNCHED_STATE[kind]) continue;
    out.set(s.sourceServerID!, (kind === 'test' ? s.lifeCycle?.lastTest : s.lifeCycle?.lastCutover)?.initiated?.jobID);
  }
  return out;
}

/** Servers among `ids` in a TERMINATE job created since `sinceMs` (newest job first). */
async function terminating(rt: Runtime, ids: readonly string[], sinceMs: number): Promise<Map<string, string | undefined>> {
  const jobs: Job[] = await listAll(rt, 'mgn:DescribeJobs', (nextToken) =>
    rt.clients.mgn.send(new DescribeJobsCommand({ filters: { fromDate: new Date(sinceMs).toISOString() }, maxResults: 1000, nextToken, ...account(rt) })),
  );
  const out = new Map<string, string | undefined>();
  const newest = jobs.filter((j) => j.type === 'TERMINATE').sort((a, b) => (b.creationDateTime ?? '').localeCompare(a.creationDateTime ?? ''));
  for (const id of ids) {
    const job = newest.find((j) => j.participatingServers?.some((p) => p.sourceServerID === id));
    if (job) out.set(id, job.jobID);
  }
  return out;
}
