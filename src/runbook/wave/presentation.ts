import { formatDuration } from '../duration';
import type { Mode, NextStep } from '../lifecycle';
import { now } from './tracking';
import type { WaveState } from './state';

/** What a step will do, in words (the plan output and a dry run's report). */
export function describeStep(mode: Mode, step: NextStep): string {
  switch (step.kind) {
    case 'launch':
      return `write the ${mode} placement to the launch template and ${mode === 'test' ? 'StartTest' : 'StartCutover'} (batched under the MGN quotas)`;
    case 'verify-launch':
      return `verify launch job ${step.jobID ?? '(to be found)'}`;
    case 'finalize':
      return 'verify the cutover launch and FinalizeCutover';
    case 'revert':
      return 'change the state to READY_FOR_TEST and terminate the test instance';
    case 'terminate':
      return `terminate test instance ${step.ec2InstanceID}`;
    case 'archive':
      return 'MarkAsArchived';
    default:
      return step.reason;
  }
}

/** Logs "[wave/mode] t+PT25M: succeeded 3 · failed 1" */
export function progress(s: WaveState, prefix: string): void {
  const counts = new Map<string, number>();
  for (const t of s.tracks) counts.set(t.stage === 'done' ? t.report.outcome : t.stage, (counts.get(t.stage === 'done' ? t.report.outcome : t.stage) ?? 0) + 1);
  s.rt.logger.info(`${prefix} t+${formatDuration(now(s) - s.startedMs)}: ${[...counts].map(([k, v]) => `${k} ${v}`).join(' · ')}`);
}

/** What a post-launch wait is waiting for, in words (the timeout reason). */
export function postLaunchWait(instanceID: string | undefined, discovered: string | undefined, listed: ReadonlyArray<{ document: string; status: string }>, missing: readonly string[]): string {
  const states = listed.map((a) => `${a.document}: ${a.status}`).join(', ');
  if (!missing.length) return `post-launch actions (${states})`;
  if (!discovered) return `post-launch actions: MGN has not discovered the SSM agent on ${instanceID ?? 'the instance'} (no ssmAgentDiscoveryDatetime), so it lists none of ${missing.join(', ')} yet`;
  return `post-launch actions: MGN discovered the SSM agent at ${discovered} but lists ${states || 'no action'}, not ${missing.join(', ')} (expected by bootstrap.postLaunch)`;
}
