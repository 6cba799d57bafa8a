import { StateMachineDefinition, States } from '../../../src/infra/state-machines/asl';
import { worstCaseHistoryEvents } from '../../../src/infra/state-machines/history';
import { PollLoop } from '../../../src/infra/state-machines/polling';

/**
 * The graph walk on small hand-written definitions, with the expected counts worked out by hand:
 * Task 5 events per visit, Choice/Succeed/Fail 2, execution 2.
 */

/** A poll (`<n>` a task, `<n>?` on its result, `<n>Bounded` back to `<n>` or to the timeout) that goes on to `next` when done. */
function poll(n: string, next: string): States {
  return {
    [n]: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ec2:describeImages', Next: `${n}?` },
    [`${n}?`]: { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: next }], Default: `${n}Bounded` },
    [`${n}Bounded`]: { Type: 'Choice', Choices: [{ Variable: '$.more', BooleanEquals: true, Next: n }], Default: 'TimedOut' },
  };
}
const loop = (n: string, iterations: number): PollLoop => ({ states: [n, `${n}?`, `${n}Bounded`], backEdge: { from: `${n}Bounded`, to: n }, iterations });
const PER_POLL = 5 + 2 + 2;

/** Two polls in sequence, then success; either poll's bound ends in a failure. */
const twoPolls: StateMachineDefinition = {
  StartAt: 'A',
  States: { ...poll('A', 'B'), ...poll('B', 'Done'), Done: { Type: 'Succeed' }, TimedOut: { Type: 'Fail', Error: 'TimedOut' } },
};

test('a run that polls each loop to its bound and then goes on pays for every loop it passes', () => {
  const model = worstCaseHistoryEvents(twoPolls, [loop('A', 10), loop('B', 20)], 1);
  // A, A?, B, B?, BBounded, TimedOut once, plus the 9 and 19 repeated polls of A and B
  const fixed = 5 + 2 + 5 + 2 + 2 + 2;
  expect(model.parts).toEqual({ execution: 2, path: fixed + 9 * PER_POLL + 19 * PER_POLL, 'loop A': 9 * PER_POLL, 'loop B': 19 * PER_POLL });
  expect(model.total).toBe(2 + fixed + 9 * PER_POLL + 19 * PER_POLL);
});

test('a success after the last poll is charged its polls even when the bound leads nowhere costlier', () => {
  // the timeout is the cheapest exit and the success the costliest: the polls count on the success path
  const def: StateMachineDefinition = {
    StartAt: 'A',
    States: {
      ...poll('A', 'Report'),
      Report: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Next: 'Done' },
      Done: { Type: 'Succeed' },
      TimedOut: { Type: 'Fail', Error: 'TimedOut' },
    },
  };
  expect(worstCaseHistoryEvents(def, [loop('A', 30)], 1).total).toBe(2 + 5 + 2 + 5 + 2 + 29 * PER_POLL);
});

test('a poll is charged the costliest way round its loop, states the outcomes add included', () => {
  const states = poll('A', 'Done');
  const def: StateMachineDefinition = {
    StartAt: 'A',
    States: {
      ...states,
      'A?': { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Done' }, { Variable: '$.pending', BooleanEquals: true, Next: 'Pending?' }], Default: 'ABounded' },
      'Pending?': { Type: 'Choice', Choices: [{ Variable: '$.x', BooleanEquals: true, Next: 'ABounded' }], Default: 'TimedOut' },
      Done: { Type: 'Succeed' },
      TimedOut: { Type: 'Fail', Error: 'TimedOut' },
    },
  };
  const model = worstCaseHistoryEvents(def, [loop('A', 5)], 1);
  expect(model.parts['loop A']).toBe(4 * (PER_POLL + 2));
  expect(model.total).toBe(2 + 5 + 2 + 2 + 2 + 2 + 4 * (PER_POLL + 2));
});

test('a loop entered other than at its entry state is refused (its repeated polls would be missed)', () => {
  const def: StateMachineDefinition = {
    StartAt: 'Start?',
    States: {
      'Start?': { Type: 'Choice', Choices: [{ Variable: '$.skip', BooleanEquals: true, Next: 'ABounded' }], Default: 'A' },
      ...poll('A', 'Done'),
      Done: { Type: 'Succeed' },
      TimedOut: { Type: 'Fail', Error: 'TimedOut' },
    },
  };
  expect(() => worstCaseHistoryEvents(def, [loop('A', 5)], 1)).toThrow('poll loop ABounded -> A is entered at ABounded from Start?, not at its entry A');
});
