import { backoffSchedule, PollingBounds } from './backoff';

/**
 * The worst-case Step Functions history of each pipeline, as validation computes it without
 * building the state machines: fixed events plus, per poll loop, the events of one poll times the
 * polls its settings allow. The numbers are those of the state-machine model
 * (state-machines/history.ts, run on the definitions by state-machines/history-budget.ts); a
 * property test (test/state-machines/history-budget-model.test.ts) checks that both give the same
 * total and parts for any settings, so a change to a definition that changes its history fails it
 * until the numbers here follow.
 *
 * How the state-machine model counts, and so this one: the costliest path through the state graph,
 * every retry spent, every Map state iterating WORST_CASE_VOLUMES times. A poll loop's repeated
 * polls are charged on the paths through the state that closes the loop (`<Name>PollBounded`,
 * which leads to the timeout): `(polls - 1) * events per poll` on those paths only.
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
  /** Events of one poll: Delay and Wait (2 each), Check (a task: 5, and 3 per retry), Decide and Bounded (2 each). */
  readonly perPoll: number;
  /** The costliest path through the loop's bound (the timeout and its clean-up), without the repeated polls. */
  readonly boundPath: PathEvents;
}

const events = (p: PathEvents) => p.base + p.perVolume * WORST_CASE_VOLUMES;

/** The worst case of a pipeline: the costliest of the path that reaches no loop's bound and of each loop's bound path with its polls. */
function pipelineHistory(unbounded: PathEvents, loops: ReadonlyArray<PollLoopEvents & { readonly bounds: PollingBounds }>): HistoryModel {
  const parts: Record<string, number> = { execution: EXECUTION_EVENTS };
  let path = events(unbounded);
  for (const loop of loops) {
    const added = (backoffSchedule(loop.bounds).length - 1) * loop.perPoll;
    parts[`loop ${loop.state}`] = added;
    path = Math.max(path, events(loop.boundPath) + added);
  }
  parts.path = path;
  return { total: EXECUTION_EVENTS + path, parts };
}

/** What the re-encryption's history depends on. */
export interface ReEncryptionHistorySettings {
  readonly deregisterSource: boolean;
  readonly copyPolling: PollingBounds;
}

/** AMI re-encryption; removing the source image (deregisterSource) lengthens the paths that reach no bound. */
export function reEncryptionHistory(s: ReEncryptionHistorySettings): HistoryModel {
  return pipelineHistory({ base: s.deregisterSource ? 253 : 247, perVolume: 50 }, [
    { state: 'CopyPollDelay', perPoll: 31, boundPath: { base: 222, perVolume: 25 }, bounds: s.copyPolling },
  ]);
}

/** What the AMI swap's history depends on. */
export interface AmiSwapHistorySettings {
  readonly instancePolling: PollingBounds;
  readonly sysprepPolling: PollingBounds;
  readonly imagePolling: PollingBounds;
}

/** Auto Scaling group AMI swap; its other settings (the instance refresh, Sysprep's document) change no path's worst case. */
export function amiSwapHistory(s: AmiSwapHistorySettings): HistoryModel {
  return pipelineHistory({ base: 685, perVolume: 25 }, [
    { state: 'InstancePollDelay', perPoll: 31, boundPath: { base: 414, perVolume: 25 }, bounds: s.instancePolling },
    { state: 'SysprepPollDelay', perPoll: 49, boundPath: { base: 512, perVolume: 25 }, bounds: s.sysprepPolling },
    { state: 'ImagePollDelay', perPoll: 31, boundPath: { base: 618, perVolume: 25 }, bounds: s.imagePolling },
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
