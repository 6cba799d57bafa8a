import { backoffSchedule, PollingBounds } from '../../config/backoff';
import { ChoiceRule, States, TaskState } from './asl';

// The schedule is the estate's (validation counts polls with it): config/backoff.ts.
export { backoffSchedule } from '../../config/backoff';
export type { PollingBounds } from '../../config/backoff';

/** What a poll loop is, for the history-size model. */
export interface PollLoop {
  /**
   * State names of one iteration (each visited once per poll). The history model counts a poll as
   * the costliest way from `backEdge.to` round to `backEdge.from`, which may also pass states the
   * loop's outcomes lead to.
   */
  readonly states: string[];
  /** The back edge of the loop: from `from` to `to`. */
  readonly backEdge: { readonly from: string; readonly to: string };
  /** Upper bound on iterations. */
  readonly iterations: number;
}

export interface PollLoopOptions {
  /** State-name prefix, e.g. `Copy` gives CopyPollStart, CopyPollWait, ... */
  readonly name: string;
  /** Where the loop keeps its counter, e.g. `$.copyPoll`. */
  readonly path: string;
  readonly bounds: PollingBounds;
  /** The status read; its `Next` is set by the loop. */
  readonly check: (next: string) => TaskState;
  /** Choice rules on the status read, each with its own `Next` (done, failed). */
  readonly outcomes: ChoiceRule[];
  /** Where a run goes when the bound is reached. */
  readonly onTimeout: string;
}

/**
 * A bounded poll with backoff: start → (delay → wait → check → decide → bounded?)* → outcome or
 * timeout. Entry state is `<name>PollStart`.
 */
export function pollLoop(o: PollLoopOptions): { entry: string; states: States; loop: PollLoop } {
  const schedule = backoffSchedule(o.bounds);
  const n = (s: string) => `${o.name}Poll${s}`;
  const p = o.path;
  const states: States = {
    [n('Start')]: { Type: 'Pass', Result: { attempt: 0, limit: schedule.length, schedule }, ResultPath: p, Next: n('Delay') },
    [n('Delay')]: {
      Type: 'Pass',
      Comment: 'Next wait from the backoff schedule; counts the poll',
      Parameters: {
        'schedule.$': `${p}.schedule`,
        'limit.$': `${p}.limit`,
        'attempt.$': `States.MathAdd(${p}.attempt, 1)`,
        'seconds.$': `States.ArrayGetItem(${p}.schedule, ${p}.attempt)`,
      },
      ResultPath: p,
      Next: n('Wait'),
    },
    [n('Wait')]: { Type: 'Wait', SecondsPath: `${p}.seconds`, Next: n('Check') },
    [n('Check')]: o.check(n('Decide')),
    [n('Decide')]: { Type: 'Choice', Choices: o.outcomes, Default: n('Bounded') },
    [n('Bounded')]: {
      Type: 'Choice',
      Comment: `At most ${schedule.length} polls over ${o.bounds.timeoutMinutes} minutes`,
      Choices: [{ Variable: `${p}.attempt`, NumericLessThanPath: `${p}.limit`, Next: n('Delay') }],
      Default: o.onTimeout,
    },
  };
  return {
    entry: n('Start'),
    states,
    loop: { states: [n('Delay'), n('Wait'), n('Check'), n('Decide'), n('Bounded')], backEdge: { from: n('Bounded'), to: n('Delay') }, iterations: schedule.length },
  };
}
