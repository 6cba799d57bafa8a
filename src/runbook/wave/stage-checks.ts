import type { Job } from '@aws-sdk/client-mgn';
import { formatDuration } from '../duration';
import { changeLifeCycleState, finalizeCutover, LAUNCHED_STATE } from '../mgn-calls';
import { inPool } from './lifecycle-pool';
import { findLaunchJob, instanceStates, launchError, LOOKBACK_MS } from './reads';
import type { Track, WaveState } from './state';
import { begin, end, fail, now, phase, ref, setStage, skip, succeed, timeout } from './tracking';

/** A COMPLETED job is not success: each server's launchStatus decides, since a job completes even when some of its launches failed. */
export async function checkLaunches(s: WaveState, jobs: Map<string, Job>): Promise<void> {
  const cfg = s.rt.config.runbook;
  for (const t of s.tracks.filter((x) => x.stage === 'launching')) {
    const id = t.resolved.sourceServerID;
    t.jobID ??= findLaunchJob(jobs, id, t.initiatedBy);
    const job = t.jobID ? jobs.get(t.jobID) : undefined;
    t.report.jobID = t.jobID;
    const p = job?.participatingServers?.find((x) => x.sourceServerID === id);
    if (p?.launchStatus === 'FAILED') {
      fail(s, t, `launch failed in job ${t.jobID}: ${await launchError(s, t.jobID!, id)}`);
    } else if (job?.status === 'COMPLETED' && p?.launchStatus === 'LAUNCHED' && p.launchedEc2InstanceID) {
      t.instanceID = t.report.ec2InstanceID = p.launchedEc2InstanceID;
      end(s, t, 'ok', `${t.jobID} → ${t.instanceID}`);
      if (s.rt.config.mgn.launch.launchDisposition === 'STOPPED') {
        skip(s, t, 'status-checks', 'launchDisposition STOPPED: the instance is not started');
        setStage(s, t, 'final');
      } else {
        begin(s, t, 'status-checks');
        setStage(s, t, 'status-checks');
      }
    } else if (job?.status === 'COMPLETED') {
      fail(s, t, `job ${t.jobID} is COMPLETED but the server's launchStatus is ${p?.launchStatus ?? 'missing'} (a completed job is not a launched server)`);
    } else if (!t.jobID && now(s) - t.stageSince > s.pollMs * 4) {
      fail(s, t, `the server is ${LAUNCHED_STATE[s.options.mode as 'test']} but no launch job of it was found in the last ${formatDuration(LOOKBACK_MS)}`);
    } else timeout(s, t, cfg.launchTimeoutMinutes, `launch job ${t.jobID ?? '(not found yet)'} (status ${job?.status ?? 'unknown'}, launchStatus ${p?.launchStatus ?? 'unknown'})`);
  }
}

/**
 * The mode's last step for servers whose verification passed: ready for cutover after a test,
 * FinalizeCutover (one server per call). Started here and run under the lifecycle limit; the
 * loop goes on polling the other servers meanwhile.
 */
export function startFinalSteps(s: WaveState): void {
  const { options } = s;
  for (const t of s.tracks.filter((x) => x.stage === 'final')) {
    if (options.mode !== 'test' && options.mode !== 'finalize') {
      succeed(s, t, 'cutover launch verified; finalize when the application is accepted');
      continue;
    }
    setStage(s, t, 'finishing');
    inPool(s, t, async (trt) => {
      if (options.mode === 'test') {
        await phase(s, t, 'lifecycle', () => changeLifeCycleState(trt, ref(t), 'READY_FOR_CUTOVER').then(() => 'READY_FOR_CUTOVER'));
        succeed(s, t, 'test launch verified; READY_FOR_CUTOVER');
      } else {
        await phase(s, t, 'finalize', () => finalizeCutover(trt, ref(t)).then(() => 'CUTOVER'));
        succeed(s, t, `finalized; instance ${t.instanceID} kept, replication disconnected`);
      }
    });
  }
}

/** A terminate job is done when it COMPLETED and EC2 says the instance is going or gone. */
export async function checkTerminations(s: WaveState, jobs: Map<string, Job>): Promise<void> {
  const { rt } = s;
  const done: Track[] = [];
  for (const t of s.tracks.filter((x) => x.stage === 'terminating')) {
    const job = t.jobID ? jobs.get(t.jobID) : undefined;
    if (job?.status === 'COMPLETED') done.push(t);
    else timeout(s, t, rt.config.runbook.launchTimeoutMinutes, `terminate job ${t.jobID} (status ${job?.status ?? 'unknown'})`);
  }
  const states = await instanceStates(s, done.filter((t) => t.instanceID).map((t) => t.instanceID!));
  for (const t of done) {
    const state = t.instanceID ? states.get(t.instanceID)! : 'terminated';
    if (state === 'terminated' || state === 'shutting-down') {
      end(s, t, 'ok', t.instanceID ? `${t.instanceID} ${state}` : 'no test instance');
      succeed(s, t, 'reverted to READY_FOR_TEST; test instance terminated');
    } else fail(s, t, `terminate job ${t.jobID} completed but instance ${t.instanceID} is ${state}`);
  }
}
