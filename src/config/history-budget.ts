import { backoffSchedule, PollingBounds } from './backoff';

/**
 * The worst-case Step Functions history of each pipeline, as validation computes it without
 * building the state machines: the fixed events of a path plus, per poll loop on it, the events of
 * one poll times the polls its settings allow. The numbers are those of the state-machine model
 * (state-machines/history.ts, run on the definitions by state-machines/history-budget.ts); a
 * property test (test/infra/state-machines/history-budget-model.test.ts) checks that both give the
 * same total and parts for any settings, so a change to a definition that changes its history fails
 * it until the numbers here follow.
 *
 * How the state-machine model counts, and so this one: the costliest path through the state graph,
 * every retry spent, every Map state iterating WORST_CASE_VOLUMES times. A poll loop's repeated polls,
 * `(polls - 1) * events per poll`, are charged on every path through the loop (a run may poll to the
 * bound and then succeed, fail or time out), so a path through several loops in sequence pays for
 * each. A pipeline's candidate paths are therefore told apart by the loops they pass: for each set of
 * loops, the costliest path passing exactly those. A candidate is listed here unless another passes a
 * superset of its loops with at least as many fixed events (it can then never be the worst case).
 */

/** A Standard workflow's execution history holds at most this many events. */
export const HISTORY_EVENT_LIMIT = 25_000;

/**
 * What a workflow's worst case may reach: a margin below Step Functions' 25,000 history events, since
 * the model counts what the definition can do, not what the service adds around it.
 */
export const HISTORY_EVENT_BUDGET = 20_000;

/** Map iterations the model charges: the most volumes an instance can attach. */
export const WORST_CASE_VOLUMES = 128;

/** Execution started and succeeded/failed. */
const EXECUTION_EVENTS = 2;

export interface HistoryModel {
  readonly total: number;
  /**
   * `execution` (start and end), `path` (the costliest path, loops included) and, for information,
   * `loop <state>`: what each poll loop adds at its bound.
   */
  readonly parts: Record<string, number>;
}

/** Events of a path: `base` plus `perVolume` for each Map iteration (one per volume) on it. */
interface PathEvents {
  readonly base: number;
  readonly perVolume: number;
}

/** One bounded poll loop of a pipeline. */
interface PollLoopEvents {
  /** The loop's first state (`<Name>PollDelay`): the model names its part `loop <state>`. */
  readonly state: string;
  /**
   * Events of the costliest poll: Delay and Wait (2 each), Check (a task: 5, and 3 per retry), Decide
   * and Bounded (2 each), and any state on the way from Decide back to Bounded (the copy's `CopyState?`
   * for a pending copy: 2).
   */
  readonly perPoll: number;
  readonly bounds: PollingBounds;
}

/** A candidate worst path: its events without the repeated polls, and the loops (first states) it passes. */
interface CandidatePath {
  readonly fixed: PathEvents;
  readonly loops: readonly string[];
}

const events = (p: PathEvents) => p.base + p.perVolume * WORST_CASE_VOLUMES;

/** The worst case of a pipeline: the costliest candidate path with the repeated polls of every loop it passes. */
function pipelineHistory(paths: readonly CandidatePath[], loops: readonly PollLoopEvents[]): HistoryModel {
  const parts: Record<string, number> = { execution: EXECUTION_EVENTS };
  const added = new Map<string, number>();
  for (const loop of loops) {
    const extra = (backoffSchedule(loop.bounds).length - 1) * loop.perPoll;
    added.set(loop.state, extra);
    parts[`loop ${loop.state}`] = extra;
  }
  const pathEvents = (p: CandidatePath) =>
    events(p.fixed) +
    p.loops.reduce((sum, state) => {
      const extra = added.get(state);
      if (extra === undefined) throw new Error(`history model: no poll loop ${state}`);
      return sum + extra;
    }, 0);
  parts.path = Math.max(...paths.map(pathEvents));
  return { total: EXECUTION_EVENTS + parts.path, parts };
}

/** What the re-encryption's history depends on. */
export interface ReEncryptionHistorySettings {
  readonly deregisterSource: boolean;
  readonly copyPolling: PollingBounds;
}

/**
 * AMI re-encryption. Its one loop (the copy) is on the costliest path: it passes the copy, then fails
 * and cleans up (247 fixed, 50 per volume); removing the source image (deregisterSource) makes the
 * costliest a run done with warnings (253 fixed, 50 per volume). Paths that end before the copy (at
 * most 185, 25 per volume) are cheaper whatever the polling.
 */
export function reEncryptionHistory(s: ReEncryptionHistorySettings): HistoryModel {
  return pipelineHistory([{ fixed: { base: s.deregisterSource ? 253 : 247, perVolume: 50 }, loops: ['CopyPollDelay'] }], [
    { state: 'CopyPollDelay', perPoll: 33, bounds: s.copyPolling },
  ]);
}

/** What the AMI swap's history depends on. */
export interface AmiSwapHistorySettings {
  readonly instancePolling: PollingBounds;
  readonly sysprepPolling: PollingBounds;
  readonly imagePolling: PollingBounds;
}

/**
 * Auto Scaling group AMI swap. Its three loops run in sequence (instance, Sysprep on Windows, image)
 * and the costliest path passes all three, then fails and rolls back (685 fixed, 25 per volume). A
 * path through fewer loops has fewer fixed events too (at most, with 25 per volume: 589 skipping
 * Sysprep, as Linux does; 583 ending at Sysprep; 487 ending at the instance; 379 ending before it),
 * so none can be the worst. Its other settings (the instance refresh, Sysprep's document) change no
 * candidate's events.
 */
export function amiSwapHistory(s: AmiSwapHistorySettings): HistoryModel {
  return pipelineHistory([{ fixed: { base: 685, perVolume: 25 }, loops: ['InstancePollDelay', 'SysprepPollDelay', 'ImagePollDelay'] }], [
    { state: 'InstancePollDelay', perPoll: 31, bounds: s.instancePolling },
    { state: 'SysprepPollDelay', perPoll: 49, bounds: s.sysprepPolling },
    { state: 'ImagePollDelay', perPoll: 31, bounds: s.imagePolling },
  ]);
}

/**
 * Over budget: which polling setting to change (the loop that adds most) and a message giving the
 * worst case; undefined within budget. `loops` maps a loop's first state to its polling setting.
 */
export function overHistoryBudget(model: HistoryModel, loops: Record<string, string>): { setting: string; message: string } | undefined {
  if (model.total <= HISTORY_EVENT_BUDGET) return undefined;
  const [entry, added] = Object.entries(loops)
    .map(([state, setting]): [string, number] => [setting, model.parts[`loop ${state}`] ?? 0])
    .reduce((a, b) => (b[1] > a[1] ? b : a));
  const n = (x: number) => x.toLocaleString('en-US');
  return {
    setting: entry,
    message:
      `polling settings allow a worst case of ${n(model.total)} Step Functions history events (${entry} alone adds ${n(added)}); ` +
      `at most ${n(HISTORY_EVENT_BUDGET)} are allowed (an execution fails at ${n(HISTORY_EVENT_LIMIT)}): raise ${entry}.maxSeconds or lower ${entry}.timeoutMinutes`,
  };
}
