/**
 * The one error boundary of the GitHub actions: every src/actions/<name>.ts runs its body through
 * runAction. Expected errors (bad inputs, an invalid estate, a refusal) fail the step with their
 * message; anything else is a bug, reported as one, with the stack trace only when the run has
 * step debug logging on (ACTIONS_STEP_DEBUG, core.isDebug()).
 */
import * as core from '@actions/core';
import { describeError, RehostError } from '../core/errors';

/** A bad action input; the action fails with this message before any AWS call. */
export class InputError extends RehostError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'InputError';
  }
}

/** core.getInput(name, { required: true }) throws a plain Error with this message when the input is missing. */
const MISSING_INPUT = /^Input required and not supplied: /;

/** How a thrown value fails the step (exported for tests). */
export function failureMessage(e: unknown, debug: boolean): string {
  if (e instanceof Error && !(e instanceof RehostError) && MISSING_INPUT.test(e.message)) return e.message;
  return describeError(e, { debug, debugHint: 're-run the job with debug logging enabled (ACTIONS_STEP_DEBUG) to include the stack trace' }).message;
}

/** Runs an action body; any error fails the step (exit code 1) with a message for its reader. */
export function runAction(body: () => Promise<void>): void {
  body().catch((e: unknown) => core.setFailed(failureMessage(e, core.isDebug())));
}
