/**
 * How a thrown value fails an action's step. Expected errors (bad inputs, an invalid estate, a
 * refusal) fail it with their message; anything else is a bug, reported as one, with the stack
 * trace only when the run has step debug logging on. Free of @actions/core (which only the bundles
 * load), so the unit tests run it as it is.
 */
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

/** The message a thrown value fails the step with; `debug` adds a bug's stack trace. */
export function failureMessage(e: unknown, debug: boolean): string {
  if (e instanceof Error && !(e instanceof RehostError) && MISSING_INPUT.test(e.message)) return e.message;
  return describeError(e, { debug, debugHint: 're-run the job with debug logging enabled (ACTIONS_STEP_DEBUG) to include the stack trace' }).message;
}
