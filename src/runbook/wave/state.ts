import { DEFAULT_QUOTAS, type JobQuotas } from '../batching';
import { AdaptiveLimit } from '../concurrency';
import type { ServerReport, WaveReport } from '../report';
import type { ResolvedServer } from '../resolve';
import type { Runtime } from '../runtime';
import type { WavePlan, WaveRunOptions } from './options';

/** 'finishing': the mode's last step (a lifecycle call) is in flight, off the poll loop. */
export type Stage = 'queued' | 'launching' | 'status-checks' | 'post-launch' | 'tcp-checks' | 'final' | 'finishing' | 'terminate-queued' | 'terminating' | 'done';

/** One server of the run: where it is, and its entry in the report. */
export interface Track {
  readonly resolved: ResolvedServer;
  readonly report: ServerReport;
  stage: Stage;
  stageSince: number;
  jobID?: string;
  instanceID?: string;
  privateIp?: string;
  /** The launch of this run's mode this server is verified against. */
  readonly initiatedBy?: 'START_TEST' | 'START_CUTOVER';
}

/** Everything one wave run keeps between its steps; each module of the run reads and updates it. */
export interface WaveState {
  readonly rt: Runtime;
  readonly options: WaveRunOptions;
  readonly quotas: JobQuotas;
  readonly pollMs: number;
  readonly startedMs: number;
  readonly tracks: Track[];
  plan?: WavePlan;
  report?: WaveReport;
  selected?: ReadonlyArray<{ server: { name: string }; application: string }>;
  /** Launch template per source server, as preflight read it from GetLaunchConfiguration. */
  readonly templates: Map<string, string | undefined>;
  /** Concurrency of lifecycle calls. */
  readonly lifecycle: AdaptiveLimit;
  /** Lifecycle steps in flight (each settles on its own; the loop waits for them before returning). */
  readonly inFlight: Set<Promise<void>>;
  /** An interruption raised inside a lifecycle step, rethrown by the loop. */
  interrupted?: unknown;
  /** Set while the report of a stopped run is written: no onPhase hook runs then. */
  stopping: boolean;
}

export function newWaveState(rt: Runtime, options: WaveRunOptions): WaveState {
  return {
    rt,
    options,
    quotas: { ...DEFAULT_QUOTAS, ...rt.config.runbook.quotas },
    pollMs: rt.config.runbook.pollIntervalSeconds * 1000,
    startedMs: rt.clock.now().getTime(),
    tracks: [],
    templates: new Map(),
    lifecycle: new AdaptiveLimit(),
    inFlight: new Set(),
    stopping: false,
  };
}
