import { formatDuration } from '../duration';
import { LAUNCH_MODES } from '../lifecycle';
import { PreflightError } from '../preflight';
import type { WaveReport } from '../report';
import type { Runtime } from '../runtime';
import { startJobs } from './job-starts';
import { checkInterrupted, settle } from './lifecycle-pool';
import type { WaveOutcome, WaveRunOptions } from './options';
import { planWave, syncPlan } from './plan';
import { prepare } from './prepare';
import { progress } from './presentation';
import { recentJobs } from './reads';
import { checkLaunches, checkTerminations, startFinalSteps } from './stage-checks';
import { newWaveState, type Track, type WaveState } from './state';
import { stopped } from './stopped';
import { fail, finish, now, openReport } from './tracking';
import { checkPostLaunch, checkStatus, checkTcp } from './verification';

/**
 * Runs one mode over a wave: resolve → preflight (read-only; stops before any mutating call) →
 * sync MGN's plan → launch templates → quota-batched launches → verification → the mode's final
 * step. Every step reads state first, so a re-run after an interruption resumes and never launches a
 * server twice; every mutating call is reconciled (reconcile.ts), so a lost answer is read back, not
 * guessed. Lifecycle calls (mark ready, finalize, revert, archive) run concurrently under a limit
 * that halves on throttling, off the poll loop, so they never hold up other servers' verification.
 */
export class WaveRun {
  private readonly state: WaveState;

  /** Aborting `rt.signal` (SIGINT, a cancelled workflow) stops the run: waits and retries end, calls in flight settle, and run() throws a RunInterrupted carrying the report. */
  constructor(rt: Runtime, options: WaveRunOptions) {
    this.state = newWaveState(rt, options);
  }

  /**
   * Runs the mode and returns its plan and report. When the run stops — resolution or preflight
   * refuses servers, an error, an interruption — it throws, and the error carries the report of
   * what was done (every server with its outcome, `error` saying why the run stopped; outcome.ts
   * reportOf reads it).
   */
  async run(): Promise<WaveOutcome> {
    const s = this.state;
    try {
      const report = await execute(s);
      return { plan: s.plan!, report };
    } catch (e) {
      throw await stopped(s, e);
    }
  }
}

/** A WaveRun for the options; modes that launch nothing always run to the end (there is nothing to hand over). */
export function waveRun(rt: Runtime, options: WaveRunOptions): WaveRun {
  return new WaveRun(rt, !LAUNCH_MODES.has(options.mode) && options.until === 'launched' ? { ...options, until: 'done' } : options);
}

/** Runs one mode over a wave and returns its report (see WaveRun; a stopped run throws, carrying it). */
export async function runWave(rt: Runtime, options: WaveRunOptions): Promise<WaveReport> {
  return (await waveRun(rt, options).run()).report;
}

async function execute(s: WaveState): Promise<WaveReport> {
  const { rt, options } = s;
  const prefix = `[${options.wave}/${options.mode}]`;
  const planned = await planWave(s, prefix);
  const report = openReport(s, planned.wave.name, planned.items, planned.failures, planned.stop);
  if (planned.stop) throw new PreflightError(planned.failures);
  if (options.dryRun) return finish(s, report);

  if (options.syncMgn !== false) await syncPlan(s, planned, prefix);
  await prepare(s, planned.items);
  await loop(s, prefix);
  if (s.lifecycle.lowest < 8) rt.logger.info(`${prefix} lifecycle calls were throttled: ${s.lifecycle.lowest} at a time at the lowest, ${s.lifecycle.limit} at the end`);
  return finish(s, report);
}

/** Polls until every server is done (or, with until 'launched', handed over), bounded by the wave's deadline. */
async function loop(s: WaveState, prefix: string): Promise<void> {
  const { rt } = s;
  const cfg = rt.config.runbook;
  const rounds = Math.ceil(s.tracks.length / Math.max(1, Math.min(s.quotas.serversInActiveJobs, s.quotas.concurrentJobs * s.quotas.serversPerJob))) + 1;
  const deadline = s.startedMs + (rounds * cfg.launchTimeoutMinutes + cfg.statusCheckTimeoutMinutes + cfg.postLaunchTimeoutMinutes + cfg.tcpCheckTimeoutMinutes) * 60_000;
  let lastProgress = now(s);
  for (;;) {
    checkInterrupted(s);
    const open = s.tracks.filter((t) => t.stage !== 'done');
    if (handedOver(s, open) || !open.length) break;
    if (open.every((t) => t.stage === 'finishing')) {
      // Only lifecycle calls are left: wait for them rather than for the next poll.
      await settle(s);
      continue;
    }
    if (now(s) > deadline) {
      for (const t of open.filter((x) => x.stage !== 'finishing')) fail(s, t, `the wave did not finish within ${formatDuration(deadline - s.startedMs)} (stuck in ${t.stage})`);
      continue;
    }
    const jobs = await recentJobs(s);
    await startJobs(s, jobs, 'queued');
    await startJobs(s, jobs, 'terminate-queued');
    if (handedOver(s, s.tracks.filter((t) => t.stage !== 'done'))) break;
    await checkLaunches(s, jobs);
    await checkStatus(s);
    await checkPostLaunch(s, jobs);
    await checkTcp(s);
    startFinalSteps(s);
    await checkTerminations(s, jobs);
    if (now(s) - lastProgress >= 300_000) {
      lastProgress = now(s);
      progress(s, prefix);
    }
    if (s.tracks.some((t) => t.stage !== 'done' && t.stage !== 'finishing')) await rt.clock.sleep(s.pollMs, rt.signal);
  }
  await settle(s);
  checkInterrupted(s);
  if (!s.tracks.some((t) => t.stage !== 'done')) progress(s, prefix);
}

/** With until 'launched': once nothing waits to be started, the rest is the server jobs' work. */
function handedOver(s: WaveState, open: Track[]): boolean {
  if (s.options.until !== 'launched' || open.some((t) => t.stage === 'queued' || t.stage === 'terminate-queued')) return false;
  for (const t of open) Object.assign(t.report, { outcome: 'planned', reason: `${t.stage === 'terminating' ? 'terminating' : 'launched'} in job ${t.jobID ?? 'unknown'}; the server job verifies it` });
  return true;
}
