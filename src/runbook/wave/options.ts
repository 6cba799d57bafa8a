import type { Mode, NextStep } from '../lifecycle';
import type { PreflightFailure } from '../preflight';
import type { Phase, WaveReport } from '../report';
import type { SyncResult } from '../sync';

export interface WaveRunOptions {
  readonly wave: string;
  readonly mode: Mode;
  /** Server names of the wave to work on. @default every server of the wave */
  readonly servers?: readonly string[];
  /** Resolve and preflight only: no mutating call. @default false */
  readonly dryRun?: boolean;
  /** Leave servers that fail preflight out (reported as excluded) instead of stopping the run. @default false */
  readonly continueWithoutFailing?: boolean;
  /**
   * How far to go: 'launched' returns once every launch job has started (the wave-plan action;
   * per-server jobs verify), 'done' waits for the mode's verified end state. @default 'done'
   */
  readonly until?: 'launched' | 'done';
  /**
   * Start launch and terminate jobs. The per-server jobs of the workflow pass false: only the plan
   * job starts jobs, so a server job that starts late never launches a server a second time after a
   * failed launch, nor races the plan's TerminateTargetInstances.
   * @default true
   */
  readonly launch?: boolean;
  /** Keep MGN's waves and applications in step with factory.yaml. @default true */
  readonly syncMgn?: boolean;
  /** Marks the report as a rehearsal against the MGN fake. @default false */
  readonly simulated?: boolean;
  /**
   * Called at every phase boundary of every server. Throwing from it aborts the run there (the
   * interruption tests use this to stop a run at each boundary and re-run it).
   */
  readonly onPhase?: (server: string, phase: Phase, edge: 'start' | 'end') => void;
}

/** What a run found before acting, for the plan output and the CLI. */
export interface WavePlan {
  readonly wave: string;
  readonly mode: Mode;
  readonly servers: ReadonlyArray<{ server: string; application: string; sourceServerID: string; matchedBy: string; step: NextStep }>;
  readonly excluded: readonly PreflightFailure[];
  readonly sync?: SyncResult;
  /** Quota-bound lower bound of the launch makespan for this run. */
  readonly lowerBoundMinutes: number;
}

/** What a finished run returns. A run that stops throws instead, with its report attached (outcome.ts reportOf). */
export interface WaveOutcome {
  readonly plan: WavePlan;
  readonly report: WaveReport;
}
