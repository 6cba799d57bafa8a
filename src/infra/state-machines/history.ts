import type { HistoryModel } from '../../config/history-budget';
import { State, StateMachineDefinition, States } from './asl';
import { PollLoop } from './polling';

export { HISTORY_EVENT_LIMIT } from '../../config/history-budget';
export type { HistoryModel } from '../../config/history-budget';

/**
 * History events a state adds per visit in a Standard workflow: entered + exited, and for a task
 * also scheduled, started and succeeded/failed. A retry adds scheduled, started and failed again.
 */
export const EVENTS_PER_VISIT: Record<State['Type'], number> = { Task: 5, Pass: 2, Wait: 2, Choice: 2, Succeed: 2, Fail: 2, Map: 4 };
export const EVENTS_PER_RETRY = 3;
/** Map iteration started + succeeded. */
export const EVENTS_PER_MAP_ITEM = 2;

/**
 * Worst-case number of history events of one execution: the costliest path through the state graph
 * (success and failure paths exclude each other), with every retry spent, every poll loop on the
 * path run to its bound and each Map state iterating `mapItems` times.
 * Throws if the graph has a cycle other than the declared poll loops (an unbounded loop), or if a
 * loop can be entered other than through its entry state (`backEdge.to`).
 */
export function worstCaseHistoryEvents(def: StateMachineDefinition, loops: PollLoop[], mapItems: number): HistoryModel {
  assertOnlyDeclaredLoops(def.States, loops);
  const back = new Set(loops.map((l) => `${l.backEdge.from}->${l.backEdge.to}`));
  const parts: Record<string, number> = { execution: 2 };
  // A loop's repeated iterations (all but the one the path itself walks) are charged to its entry
  // state (`backEdge.to`), which every path through the loop visits: a run may poll to the bound and
  // then leave by any exit (done, failed, timed out), so every path through the loop pays them, and a
  // path through several loops in sequence pays each. Each repeated iteration is charged as the
  // costliest pass around the loop with every retry spent: an upper bound, since a run's earlier polls
  // need not take the costliest way round nor spend their retries.
  const loopExtra = new Map<string, number>();
  for (const loop of loops) {
    const extra = (loop.iterations - 1) * loopPass(def.States, loop, back, mapItems);
    loopExtra.set(loop.backEdge.to, (loopExtra.get(loop.backEdge.to) ?? 0) + extra);
    parts[`loop ${loop.backEdge.to}`] = extra;
  }
  const memo = new Map<string, number>();
  const longest = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const s = def.States[name];
    const next = transitions(s).filter((n) => !back.has(`${name}->${n}`));
    const value = stateCost(s, mapItems) + (loopExtra.get(name) ?? 0) + Math.max(0, ...next.map(longest));
    memo.set(name, value);
    return value;
  };
  parts.path = longest(def.StartAt);
  return { total: parts.execution + parts.path, parts };
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

/**
 * Events of the costliest pass around a loop: from its entry (`backEdge.to`) to the state that closes
 * it (`backEdge.from`), which may visit states besides the loop's own (e.g. a Choice on the status
 * that leads back to the bound). Throws unless every path into the loop enters at its entry.
 */
function loopPass(states: States, loop: PollLoop, back: Set<string>, mapItems: number): number {
  const { from, to } = loop.backEdge;
  const memo = new Map<string, number | undefined>();
  // Costliest path from `name` to `from`, or undefined if `from` is not reachable.
  const toClose = (name: string): number | undefined => {
    if (memo.has(name)) return memo.get(name);
    const s = states[name];
    let value: number | undefined;
    if (name === from) value = stateCost(s, mapItems);
    else {
      const rest = transitions(s)
        .filter((n) => !back.has(`${name}->${n}`))
        .map(toClose)
        .filter((v): v is number => v !== undefined);
      value = rest.length ? stateCost(s, mapItems) + Math.max(...rest) : undefined;
    }
    memo.set(name, value);
    return value;
  };
  const pass = toClose(to);
  if (pass === undefined) throw new Error(`poll loop ${from} -> ${to}: ${from} is not reachable from ${to}`);
  const inside = new Set([...memo].filter(([, v]) => v !== undefined).map(([name]) => name));
  for (const name of loop.states) if (!inside.has(name)) throw new Error(`poll loop ${from} -> ${to}: ${name} is not on it`);
  for (const [name, s] of Object.entries(states)) {
    if (inside.has(name)) continue;
    const into = transitions(s).find((n) => inside.has(n) && n !== to);
    if (into) throw new Error(`poll loop ${from} -> ${to} is entered at ${into} from ${name}, not at its entry ${to}`);
  }
  return pass;
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
