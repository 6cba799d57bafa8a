import { DescribeJobsCommand } from '@aws-sdk/client-mgn';
import { forEachLimited } from '../concurrency';
import { isAbort } from '../../core/interrupt';
import { applyPlacement, launchTemplateId } from '../launch-template';
import type { NextStep } from '../lifecycle';
import { changeLifeCycleState, markAsArchived } from '../mgn-calls';
import { placementFor } from '../../config/placement';
import type { ResolvedServer } from '../resolve';
import { account, call } from '../runtime';
import { throttleAware } from './lifecycle-pool';
import { launchError } from './reads';
import type { Track, WaveState } from './state';
import { begin, fail, phase, ref, setStage, succeed } from './tracking';

/** Servers whose launch template is written at once (EC2 throttles bursts of API calls). */
const PREPARE_CONCURRENCY = 8;

/** Turns each step into the stage the loop starts it from, doing the per-server one-shot calls. */
export async function prepare(s: WaveState, items: ReadonlyArray<{ resolved: ResolvedServer; step: NextStep }>): Promise<void> {
  const stepOf = (t: Track) => items.find((i) => i.resolved === t.resolved)!.step;
  const guarded = (t: Track, work: () => Promise<void>) => async () => {
    try {
      await work();
    } catch (e) {
      if (isAbort(e)) throw e;
      fail(s, t, (e as Error).message);
    }
  };
  const others = s.tracks.filter((t) => !['revert', 'archive'].includes(stepOf(t).kind));
  // Revert and archive are lifecycle calls: concurrent under the throttle-aware limit. The
  // run waits for every revert before terminating, so the terminations go out in full batches.
  const lifecycle = s.tracks
    .filter((t) => ['revert', 'archive'].includes(stepOf(t).kind))
    .map((t) => s.lifecycle.run((onThrottled) => guarded(t, () => revertOrArchive(s, t, stepOf(t), onThrottled))()));
  const rest = forEachLimited(others, PREPARE_CONCURRENCY, (t) => guarded(t, () => prepareStep(s, t, stepOf(t)))());
  const settled = await Promise.allSettled([rest, ...lifecycle]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Revert (then terminate the test instance) or archive: a lifecycle call under the throttle-aware limit. */
async function revertOrArchive(s: WaveState, t: Track, step: NextStep, onThrottled: () => void): Promise<void> {
  const trt = throttleAware(s, onThrottled);
  if (step.kind === 'revert') {
    t.instanceID = t.resolved.sourceServer.launchedInstance?.ec2InstanceID;
    await phase(s, t, 'revert', () => changeLifeCycleState(trt, ref(t), 'READY_FOR_TEST').then(() => 'READY_FOR_TEST'));
    setStage(s, t, 'terminate-queued');
  } else {
    await phase(s, t, 'archive', () => markAsArchived(trt, ref(t)).then(() => 'archived'));
    succeed(s, t, 'archived');
  }
}

/** Writes the launch template of a server to launch, or puts the server where its step starts. */
async function prepareStep(s: WaveState, t: Track, step: NextStep): Promise<void> {
  const { rt, options } = s;
  const id = t.resolved.sourceServerID;
  switch (step.kind) {
    case 'launch': {
      if (options.launch === false) {
        await notLaunched(s, t);
        break;
      }
      const templateId = s.templates.get(id) ?? (await launchTemplateId(rt, id));
      const placement = placementFor(rt.config, t.resolved.server, options.mode, options.wave);
      await phase(s, t, 'launch-template', async () => {
        const r = await applyPlacement(rt, templateId!, placement, `rehost-factory ${options.wave} ${options.mode} placement for ${t.resolved.server.name}`);
        return `${templateId} v${r.version}${r.changed ? ' (new default)' : ' (already default)'}`;
      });
      setStage(s, t, 'queued');
      break;
    }
    case 'verify-launch':
    case 'finalize':
      t.jobID = step.jobID;
      begin(s, t, 'launch');
      setStage(s, t, 'launching');
      break;
    case 'terminate':
      t.instanceID = step.ec2InstanceID;
      setStage(s, t, 'terminate-queued');
      break;
    default:
      break;
  }
}

/** A server job found its server not launched: say why (its last launch failed, or none started). */
async function notLaunched(s: WaveState, t: Track): Promise<void> {
  const { rt, options } = s;
  const src = t.resolved.sourceServer;
  const jobID = (options.mode === 'test' ? src.lifeCycle?.lastTest : src.lifeCycle?.lastCutover)?.initiated?.jobID;
  const job = jobID ? (await call(rt, 'mgn:DescribeJobs', () => rt.clients.mgn.send(new DescribeJobsCommand({ filters: { jobIDs: [jobID] }, ...account(rt) })))).items?.[0] : undefined;
  const mine = job?.participatingServers?.find((p) => p.sourceServerID === src.sourceServerID);
  t.report.jobID = jobID;
  begin(s, t, 'launch');
  if (mine?.launchStatus === 'FAILED') fail(s, t, `launch failed in job ${jobID}: ${await launchError(s, jobID!, src.sourceServerID!)}`);
  else fail(s, t, `not launched: the server is ${src.lifeCycle?.state} and this job only verifies; the plan job starts launches (see its log), re-dispatch the wave to retry`);
}
