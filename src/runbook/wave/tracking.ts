/** Report bookkeeping: each server's stage, phases and outcome; the run's report, start and end. */
import { isAbort } from '../../core/interrupt';
import type { ServerRef } from '../mgn-calls';
import type { NextStep } from '../lifecycle';
import type { PreflightFailure } from '../preflight';
import type { Phase, ServerReport, WaveReport } from '../report';
import type { ResolvedServer } from '../resolve';
import { describeStep } from './presentation';
import type { Stage, Track, WaveState } from './state';

export function now(s: WaveState): number {
  return s.rt.clock.now().getTime();
}

export function iso(s: WaveState): string {
  return s.rt.clock.now().toISOString();
}

export function setStage(s: WaveState, t: Track, stage: Stage): void {
  t.stage = stage;
  t.stageSince = now(s);
}

export function begin(s: WaveState, t: Track, phase: Phase): void {
  if (!s.stopping) s.options.onPhase?.(t.resolved.server.name, phase, 'start');
  t.report.phases.push({ phase, start: iso(s) });
}

export function end(s: WaveState, t: Track, outcome: 'ok' | 'failed' | 'skipped', detail?: string): void {
  const p = t.report.phases.at(-1);
  if (!p || p.end) return;
  Object.assign(p, { end: iso(s), outcome, ...(detail ? { detail } : {}) });
  if (!s.stopping) s.options.onPhase?.(t.resolved.server.name, p.phase, 'end');
}

export function skip(s: WaveState, t: Track, phase: Phase, detail: string): void {
  t.report.phases.push({ phase, start: iso(s), end: iso(s), outcome: 'skipped', detail });
}

export async function phase(s: WaveState, t: Track, name: Phase, work: () => Promise<string>): Promise<void> {
  begin(s, t, name);
  try {
    end(s, t, 'ok', await work());
  } catch (e) {
    if (!isAbort(e)) end(s, t, 'failed', (e as Error).message);
    throw e;
  }
}

export function timeout(s: WaveState, t: Track, minutes: number, what: string): void {
  if (now(s) - t.stageSince >= minutes * 60_000) fail(s, t, `timed out after ${minutes} min waiting for ${what}`);
}

export function fail(s: WaveState, t: Track, reason: string): void {
  end(s, t, 'failed', reason);
  t.report.outcome = 'failed';
  t.report.reason = reason;
  setStage(s, t, 'done');
  s.rt.logger.warn(`[${s.options.wave}/${s.options.mode}] ${t.resolved.server.name}: FAILED: ${reason}`);
}

export function succeed(s: WaveState, t: Track, reason: string): void {
  t.report.outcome = 'succeeded';
  t.report.reason = reason;
  setStage(s, t, 'done');
}

export function ref(t: Track): ServerRef {
  return { name: t.resolved.server.name, sourceServerID: t.resolved.sourceServerID };
}

export function emptyReport(s: WaveState, wave: string): WaveReport {
  const { options } = s;
  return { estate: s.rt.config.name, wave, mode: options.mode, simulated: !!options.simulated, dryRun: !!options.dryRun, startedAt: new Date(s.startedMs).toISOString(), servers: [] };
}

export function finish(s: WaveState, report: WaveReport): WaveReport {
  report.endedAt = iso(s);
  return report;
}

/**
 * The run's report, one entry per server with what the run will do to it; the servers it acts on
 * get a track the loop follows (none when preflight stops the run or on a dry run).
 */
export function openReport(s: WaveState, wave: string, items: ReadonlyArray<{ resolved: ResolvedServer; step: NextStep }>, failures: readonly PreflightFailure[], stop: boolean): WaveReport {
  const { options } = s;
  const { mode } = options;
  const report = (s.report = emptyReport(s, wave));
  for (const { resolved: r, step } of items) {
    const sr: ServerReport = { server: r.server.name, application: r.application, sourceServerID: r.sourceServerID, postLaunchActions: [], phases: [], outcome: 'planned' };
    report.servers.push(sr);
    const failure = failures.find((f) => f.server === r.server.name);
    if (failure) Object.assign(sr, { outcome: 'excluded', reason: `preflight: ${failure.reasons.join('; ')}` });
    else if (step.kind === 'done') Object.assign(sr, { outcome: 'unchanged', reason: step.reason });
    // Nothing was changed: the report says so per server, for the job summary of a stopped run.
    else if (stop) Object.assign(sr, { outcome: 'unchanged', reason: 'not started: preflight refused other servers of the run' });
    else if (options.dryRun) sr.reason = `would ${describeStep(mode, step)}`;
    else s.tracks.push({ resolved: r, report: sr, stage: 'queued', stageSince: now(s), initiatedBy: mode === 'test' ? 'START_TEST' : mode === 'revert' ? undefined : 'START_CUTOVER' });
  }
  return report;
}
