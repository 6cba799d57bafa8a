import { State, StateMachineDefinition, States } from './asl';
import { PollLoop } from './polling';

/** A Standard workflow's execution history holds at most this many events. */
export const HISTORY_EVENT_LIMIT = 25_000;

/**
 * History events a state adds per visit in a Standard workflow: entered + exited, and for a task
 * also scheduled, started and succeeded/failed. A retry adds scheduled, started and failed again.
 */
export const EVENTS_PER_VISIT: Record<State['Type'], number> = { Task: 5, Pass: 2, Wait: 2, Choice: 2, Succeed: 2, Fail: 2, Map: 4 };
export const EVENTS_PER_RETRY = 3;
/** Map iteration started + succeeded. */
export const EVENTS_PER_MAP_ITEM = 2;

export interface HistoryModel {
  readonly total: number;
  /** Events of each part: the once-visited states, and each poll loop at its bound. */
  readonly parts: Record<string, number>;
}

/**
 * Worst-case number of history events of one execution: every state visited once with every retry
 * spent, plus every poll loop run to its bound, plus each Map state iterating `mapItems` times.
 * Throws if the graph has a cycle other than the declared poll loops (an unbounded loop).
 */
export function worstCaseHistoryEvents(def: StateMachineDefinition, loops: PollLoop[], mapItems: number): HistoryModel {
  assertOnlyDeclaredLoops(def.States, loops);
  const parts: Record<string, number> = { execution: 2, states: statesCost(def.States, mapItems) };
  for (const loop of loops) {
    const perIteration = loop.states.reduce((sum, name) => sum + stateCost(def.States[name], mapItems), 0);
    parts[`loop ${loop.backEdge.to}`] = (loop.iterations - 1) * perIteration;
  }
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

function statesCost(states: States, mapItems: number): number {
  return Object.values(states).reduce((sum, s) => sum + stateCost(s, mapItems), 0);
}

function stateCost(s: State | undefined, mapItems: number): number {
  if (!s) throw new Error('poll loop names a state that is not in the definition');
  let cost = EVENTS_PER_VISIT[s.Type];
  if ((s.Type === 'Task' || s.Type === 'Map') && s.Retry) {
    cost += s.Retry.reduce((sum, r) => sum + (r.MaxAttempts ?? 3), 0) * EVENTS_PER_RETRY;
  }
  if (s.Type === 'Map') cost += mapItems * (EVENTS_PER_MAP_ITEM + statesCost(s.ItemProcessor.States, mapItems));
  return cost;
}

/** Transitions of a state: Next, Default, each choice's and each catcher's Next. */
export function transitions(s: State): string[] {
  const out: string[] = [];
  if ('Next' in s && s.Next) out.push(s.Next);
  if (s.Type === 'Choice') {
    for (const c of s.Choices) if (typeof c.Next === 'string') out.push(c.Next);
    if (s.Default) out.push(s.Default);
  }
  if ((s.Type === 'Task' || s.Type === 'Map') && s.Catch) for (const c of s.Catch) out.push(c.Next);
  return out;
}

function assertOnlyDeclaredLoops(states: States, loops: PollLoop[]): void {
  const back = new Set(loops.map((l) => `${l.backEdge.from}->${l.backEdge.to}`));
  const color = new Map<string, 'grey' | 'black'>();
  const visit = (name: string, path: string[]): void => {
    const c = color.get(name);
    if (c === 'black') return;
    if (c === 'grey') throw new Error(`unbounded cycle in the state machine: ${[...path, name].join(' -> ')}`);
    color.set(name, 'grey');
    for (const next of transitions(states[name])) {
      if (!back.has(`${name}->${next}`)) visit(next, [...path, name]);
    }
    color.set(name, 'black');
  };
  for (const name of Object.keys(states)) visit(name, []);
  for (const s of Object.values(states)) if (s.Type === 'Map') assertOnlyDeclaredLoops(s.ItemProcessor.States, []);
}
