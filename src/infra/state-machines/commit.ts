import { Catcher, Json, States } from './asl';
import { notifyTask } from './common';

/**
 * The commit point of a pipeline: the state entered once its work is in use (the Auto Scaling group
 * launches the new launch template version; the re-encrypted copy is shared with its target
 * account). Before it a failure rolls back and fails the run; from it on nothing is undone: a step
 * that fails is a warning on a done run, which succeeds ("done with warnings") with the claim kept
 * done, so that a repeated event does not redo the work.
 */
export const COMMIT_POINT = 'Committed';

/** What a failed step after the commit point left, by key: `{ error: { Error, Cause }, left, todo }`. */
export const WARNINGS_PATH = '$.warnings';
/** Where a catcher after the commit point puts the error, for the warning's states to read. */
const CAUGHT_PATH = '$.warning';
/** `{ report }`: set at the commit point; each warning appends a sentence to the report. */
const COMMITTED_PATH = '$.committed';

/** The commit point: marks the run as committed, with an empty warning report. */
export function committedStates(o: { comment: string; next: string }): States {
  return {
    [COMMIT_POINT]: { Type: 'Pass', Comment: `Commit point: ${o.comment}. From here on a failure is a warning on a done run, never a roll-back`, Result: { report: '' }, ResultPath: COMMITTED_PATH, Next: o.next },
  };
}

/** A text field: a `States.Format(...)` expression (referring to the state) or a literal. */
const text = (key: string, value: string): { [key: string]: Json } => (value.startsWith('States.') ? { [`${key}.$`]: value } : { [key]: value });

export interface WarningOptions {
  /** Key of the warning in the result (`InstanceRefreshNotStarted`); prefixes its states. */
  readonly key: string;
  /** What the failed step left, for the operator. */
  readonly left: string;
  /** What the operator does about it. */
  readonly todo: string;
  /** Where the run goes on. */
  readonly next: string;
}

/**
 * A warning after the commit point: `catch` routes every error of the failed step here; the states
 * record it under `$.warnings.<key>` (the error, what was left, what to do), add it to the
 * report, and go on to `next`.
 */
export function warningStates(o: WarningOptions): { catch: Catcher[]; states: States } {
  const recorded = `${WARNINGS_PATH}.${o.key}`;
  return {
    catch: [{ ErrorEquals: ['States.ALL'], ResultPath: CAUGHT_PATH, Next: `${o.key}Warning` }],
    states: {
      [`${o.key}Warning`]: {
        Type: 'Pass',
        // The whole error object: a missing Cause must not fail the run after its commit point.
        Parameters: { 'error.$': CAUGHT_PATH, ...text('left', o.left), ...text('todo', o.todo) },
        ResultPath: recorded,
        Next: `${o.key}Reported`,
      },
      [`${o.key}Reported`]: {
        Type: 'Pass',
        Parameters: {
          'report.$': `States.Format('{} [${o.key}] {}: {}. To do: {}.', ${COMMITTED_PATH}.report, States.JsonToString(${recorded}.error), ${recorded}.left, ${recorded}.todo)`,
        },
        ResultPath: COMMITTED_PATH,
        Next: o.next,
      },
    },
  };
}

export interface OutcomeOptions {
  /** The state the last step after the commit point goes to. */
  readonly entry: string;
  readonly topicArn: string;
  /** Publish a notice of a run done without warnings (a run with warnings always notifies). */
  readonly notifyOnSuccess: boolean;
  /** What the run did, for the result: JSONPaths (`$...`) or literals. */
  readonly summary: Record<string, string>;
  readonly done: { readonly subject: string; readonly message: string };
  /** `message` gets the report's JSONPath, for the last `{}` of its States.Format. */
  readonly doneWithWarnings: { readonly subject: string; readonly message: (reportPath: string) => string };
}

/**
 * The end of a committed run: `Done`, or `DoneWithWarnings` when a step after the commit point
 * failed. Both succeed with a result (`outcome`, the summary, and the warnings with what to do).
 */
export function outcomeStates(o: OutcomeOptions): States {
  const summary: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(o.summary)) Object.assign(summary, v.startsWith('$') ? { [`${k}.$`]: v } : { [k]: v });
  return {
    [o.entry]: { Type: 'Choice', Choices: [{ Variable: WARNINGS_PATH, IsPresent: true, Next: 'NotifyDoneWithWarnings' }], Default: o.notifyOnSuccess ? 'NotifySuccess' : 'SummarizeDone' },
    ...(o.notifyOnSuccess ? { NotifySuccess: notifyTask({ topicArn: o.topicArn, subject: o.done.subject, message: o.done.message, next: 'SummarizeDone', onError: 'SummarizeDone' }) } : {}),
    SummarizeDone: { Type: 'Pass', Parameters: { outcome: 'DONE', ...summary }, ResultPath: '$.result', Next: 'Done' },
    Done: { Type: 'Succeed', OutputPath: '$.result' },
    NotifyDoneWithWarnings: notifyTask({
      topicArn: o.topicArn,
      subject: o.doneWithWarnings.subject,
      message: o.doneWithWarnings.message(`${COMMITTED_PATH}.report`),
      next: 'SummarizeDoneWithWarnings',
      onError: 'SummarizeDoneWithWarnings',
    }),
    SummarizeDoneWithWarnings: {
      Type: 'Pass',
      Parameters: { outcome: 'DONE_WITH_WARNINGS', ...summary, 'warnings.$': WARNINGS_PATH },
      ResultPath: '$.result',
      Next: 'DoneWithWarnings',
    },
    DoneWithWarnings: { Type: 'Succeed', Comment: 'The work is in use; what a later step could not do is in the result and the notice', OutputPath: '$.result' },
  };
}
