/**
 * The one error boundary of the GitHub actions: every src/actions/<name>.ts runs its body through
 * runAction, which fails the step with failureMessage (./failure) of whatever the body throws (the
 * stack trace only when the run has step debug logging on: ACTIONS_STEP_DEBUG, core.isDebug()).
 * It is all every action shares: it imports neither the estate loader nor the runbook, so an
 * action that needs neither (wave-report) does not load them.
 */
import * as core from '@actions/core';
import { failureMessage } from './failure';

/** Runs an action body; any error fails the step (exit code 1) with a message for its reader. */
export function runAction(body: () => Promise<void>): void {
  body().catch((e: unknown) => core.setFailed(failureMessage(e, core.isDebug())));
}
