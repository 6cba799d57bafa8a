import type { Job } from '@aws-sdk/client-mgn';
import { activeLoad, nextBatches } from '../batching';
import { conflictingServers } from '../conflicts';
import { isAbort } from '../../core/interrupt';
import { errorCode } from '../../core/retry';
import { type JobKind, JOB_CALL, startJob } from '../mgn-calls';
import { MutationFailed } from '../reconcile';
import type { Phase } from '../report';
import { instanceStates } from './reads';
import type { WaveState } from './state';
import { begin, fail, now, setStage, skip, succeed } from './tracking';

/**
 * Starts as many launch (or terminate) jobs as the quotas allow now; the rest stay queued. The
 * servers this round leaves queued refill a batch MGN refused some servers of, so the batch goes
 * out full and the freed places do not become a job of their own on the next round.
 */
export async function startJobs(s: WaveState, jobs: Map<string, Job>, stage: 'queued' | 'terminate-queued'): Promise<void> {
  if (stage === 'terminate-queued') {
    await adoptTerminations(s, jobs);
    if (s.options.launch === false) return;
  }
  const queue = s.tracks.filter((t) => t.stage === stage).map((t) => t.resolved.sourceServerID);
  if (!queue.length) return;
  const load = activeLoad([...jobs.values()]);
  const batches = nextBatches(queue, load, s.quotas);
  const inBatch = new Set(batches.flat());
  const spare = queue.filter((id) => !inBatch.has(id) && !load.busy.has(id));
  const kind: JobKind = stage === 'terminate-queued' ? 'terminate' : (s.options.mode as 'test' | 'cutover');
  for (const batch of batches) {
    if ((await startBatch(s, kind, batch, spare)) === 'quota') break;
  }
}

/**
 * Starts one job. MGN refuses the whole call when some servers cannot take part and names them:
 * those fail alone, their places go to servers from `spare`, and the batch is sent again (each
 * refusal fails at least one server, so this ends). A quota refusal (someone else's jobs took
 * the capacity since it was read) leaves the batch queued for the next round.
 */
async function startBatch(s: WaveState, kind: JobKind, ids: readonly string[], spare: string[]): Promise<'started' | 'quota' | 'failed'> {
  const { rt, options } = s;
  const size = ids.length;
  let pending = [...ids];
  const track = (id: string) => s.tracks.find((t) => t.resolved.sourceServerID === id)!;
  const phase: Phase = kind === 'terminate' ? 'terminate' : 'launch';
  const follow = (id: string, jobID: string | undefined) => {
    const t = track(id);
    t.jobID = jobID;
    setStage(s, t, kind === 'terminate' ? 'terminating' : 'launching');
    pending = pending.filter((x) => x !== id);
  };
  for (const id of pending) begin(s, track(id), phase);
  const tags: Record<string, string> = kind === 'terminate' ? { 'rehost-factory:wave': options.wave } : { 'rehost-factory:estate': rt.config.name, 'rehost-factory:wave': options.wave };
  for (;;) {
    const sent = pending.length;
    try {
      const job = await startJob(rt, { kind, ids: pending, tags, target: describeBatch(s, pending), started: follow });
      if (job) for (const id of [...pending]) follow(id, job.jobID);
      if (job) rt.logger.info(`[${options.wave}/${options.mode}] started ${job.jobID} with ${sent} server${sent === 1 ? '' : 's'}`);
      return 'started';
    } catch (e) {
      if (isAbort(e)) throw e;
      if (!pending.length) return 'started';
      const cause = e instanceof MutationFailed ? e.cause : e;
      const op = JOB_CALL[kind];
      if (errorCode(cause) === 'ServiceQuotaExceededException') {
        rt.logger.warn(`[${options.wave}/${options.mode}] ${(cause as Error).message}; ${pending.length} servers stay queued`);
        for (const id of pending) track(id).report.phases.pop();
        return 'quota';
      }
      const refused = conflictingServers(cause, pending);
      for (const id of pending) {
        if (!refused.size) fail(s, track(id), (e as Error).message);
        else if (refused.has(id)) fail(s, track(id), `${op} refused this server: ${refused.get(id)}`);
      }
      if (!refused.size) return 'failed';
      pending = pending.filter((id) => !refused.has(id));
      const refill = spare.splice(0, size - pending.length);
      for (const id of refill) begin(s, track(id), phase);
      pending.push(...refill);
      if (!pending.length) return 'failed';
      rt.logger.warn(`[${options.wave}/${options.mode}] ${op} refused ${refused.size} server${refused.size === 1 ? '' : 's'}; sending ${pending.length} again${refill.length ? ` (${refill.length} taken from the queue in their place)` : ''}`);
    }
  }
}

function describeBatch(s: WaveState, ids: readonly string[]): string {
  const names = ids.slice(0, 3).map((id) => s.tracks.find((t) => t.resolved.sourceServerID === id)?.resolved.server.name ?? id);
  return `${ids.length} server${ids.length === 1 ? '' : 's'} (${names.join(', ')}${ids.length > 3 ? ', …' : ''})`;
}

/**
 * A termination someone already started (the plan job, an earlier run) is followed, not repeated;
 * an instance that is already gone needs none.
 */
async function adoptTerminations(s: WaveState, jobs: Map<string, Job>): Promise<void> {
  const queued = s.tracks.filter((x) => x.stage === 'terminate-queued');
  const running = (id: string) => [...jobs.values()].find((j) => j.type === 'TERMINATE' && j.status !== 'COMPLETED' && j.participatingServers?.some((p) => p.sourceServerID === id));
  const states = await instanceStates(s, queued.filter((t) => !running(t.resolved.sourceServerID) && t.instanceID).map((t) => t.instanceID!));
  for (const t of queued) {
    const job = running(t.resolved.sourceServerID);
    if (job) {
      begin(s, t, 'terminate');
      t.jobID = job.jobID;
      setStage(s, t, 'terminating');
    } else if (t.instanceID && ['terminated', 'shutting-down'].includes(states.get(t.instanceID)!)) {
      skip(s, t, 'terminate', `${t.instanceID} already terminated`);
      succeed(s, t, 'reverted to READY_FOR_TEST; test instance terminated');
    } else if (s.options.launch === false && now(s) - t.stageSince > s.pollMs * 4) {
      fail(s, t, `test instance ${t.instanceID ?? '(unknown)'} is not terminated and no TERMINATE job of the server is running; this job only follows, the plan job starts terminations (see its log), re-dispatch the wave to retry`);
    }
  }
}
