import type { SourceServer } from '@aws-sdk/client-mgn';

export { LAUNCH_MODES, Mode, MODES, PROTECTED_MODES } from '../config/modes';
import { MODES, type Mode } from '../config/modes';

/** The next thing to do for one server, decided from its MGN state alone (so re-runs resume). */
export type NextStep =
  /** StartTest / StartCutover (batched under the quotas). */
  | { readonly kind: 'launch' }
  /** A launch of this mode was started earlier: find its job and verify it. */
  | { readonly kind: 'verify-launch'; readonly jobID?: string }
  /** Verify the cutover launch, then FinalizeCutover. */
  | { readonly kind: 'finalize'; readonly jobID?: string }
  /** Back to READY_FOR_TEST, then terminate the test instance. */
  | { readonly kind: 'revert' }
  /** Already READY_FOR_TEST, but a test instance may still run. */
  | { readonly kind: 'terminate'; readonly ec2InstanceID: string }
  | { readonly kind: 'archive' }
  | { readonly kind: 'done'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly reason: string };

const CONSOLE: Record<string, string> = {
  STOPPED: 'Stopped',
  NOT_READY: 'Not ready',
  READY_FOR_TEST: 'Ready for testing',
  TESTING: 'Test in progress',
  READY_FOR_CUTOVER: 'Ready for cutover',
  CUTTING_OVER: 'Cutover in progress',
  CUTOVER: 'Cutover complete',
  DISCONNECTED: 'Disconnected',
  DISCOVERED: 'Discovered',
  PENDING_INSTALLATION: 'Pending installation',
};

/** "TESTING (Test in progress)" */
export function describeState(state: string | undefined): string {
  return state ? `${state} (${CONSOLE[state] ?? state})` : 'unknown state';
}

export function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}

/** Decides the next step of `mode` for a source server in its current lifecycle state. */
export function nextStep(mode: Mode, s: SourceServer): NextStep {
  const state = s.lifeCycle?.state;
  const is = describeState(state);
  if (s.isArchived) return mode === 'archive' ? { kind: 'done', reason: 'already archived' } : { kind: 'refuse', reason: `the source server is archived; ${mode} is not possible` };
  switch (mode) {
    case 'test':
      if (state === 'READY_FOR_TEST') return { kind: 'launch' };
      if (state === 'TESTING') return { kind: 'verify-launch', jobID: s.lifeCycle?.lastTest?.initiated?.jobID };
      if (state === 'READY_FOR_CUTOVER') return { kind: 'done', reason: 'already tested: READY_FOR_CUTOVER' };
      if (state === 'CUTTING_OVER' || state === 'CUTOVER') return { kind: 'refuse', reason: `is ${is}: a test launch is not possible after cutover` };
      return { kind: 'refuse', reason: `is ${is}: a test launch needs READY_FOR_TEST (replication must finish its initial sync)` };
    case 'cutover':
      if (state === 'READY_FOR_CUTOVER') return { kind: 'launch' };
      if (state === 'CUTTING_OVER') return { kind: 'verify-launch', jobID: s.lifeCycle?.lastCutover?.initiated?.jobID };
      if (state === 'CUTOVER') return { kind: 'done', reason: 'already cut over and finalized' };
      if (state === 'READY_FOR_TEST' || state === 'TESTING') return { kind: 'refuse', reason: `is ${is}: run mode "test" first; cutover needs READY_FOR_CUTOVER` };
      return { kind: 'refuse', reason: `is ${is}: cutover needs READY_FOR_CUTOVER` };
    case 'finalize':
      if (state === 'CUTTING_OVER') return { kind: 'finalize', jobID: s.lifeCycle?.lastCutover?.initiated?.jobID };
      if (state === 'CUTOVER') return { kind: 'done', reason: 'already finalized: CUTOVER' };
      return { kind: 'refuse', reason: `is ${is}: finalize needs a cutover launch (CUTTING_OVER); run mode "cutover" first` };
    case 'revert':
      if (state === 'TESTING' || state === 'READY_FOR_CUTOVER') return { kind: 'revert' };
      if (state === 'READY_FOR_TEST') {
        const id = s.launchedInstance?.ec2InstanceID;
        return id ? { kind: 'terminate', ec2InstanceID: id } : { kind: 'done', reason: 'already READY_FOR_TEST with no test instance' };
      }
      return { kind: 'refuse', reason: `is ${is}: revert returns a tested server to READY_FOR_TEST (TESTING or READY_FOR_CUTOVER only)` };
    case 'archive':
      if (state === 'CUTOVER' || state === 'DISCONNECTED') return { kind: 'archive' };
      return { kind: 'refuse', reason: `is ${is}: MarkAsArchived needs CUTOVER or DISCONNECTED; finalize first` };
  }
}
