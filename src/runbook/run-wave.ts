import { DescribeInstanceStatusCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeJobLogItemsCommand, DescribeJobsCommand, type Job, type JobLog } from '@aws-sdk/client-mgn';
import { AdaptiveLimit, forEachLimited } from './concurrency';
import { conflictingServers } from './conflicts';
import { DEFAULT_QUOTAS, type JobQuotas, activeLoad, chunk, makespanLowerBoundMinutes, nextBatches } from './batching';
import { formatDuration } from './duration';
import { isAbort, throwIfAborted } from '../core/interrupt';
import { applyPlacement, launchTemplateId } from './launch-template';
import { LAUNCH_MODES, type Mode, type NextStep, nextStep } from './lifecycle';
import { changeLifeCycleState, finalizeCutover, type JobKind, JOB_CALL, LAUNCHED_STATE, markAsArchived, type ServerRef, startJob } from './mgn-calls';
import { connectProbe } from './net';
import { carryReport } from './outcome';
import { listAll } from './paginate';
import { documentName, placementFor, postLaunchDocuments } from '../config/placement';
import { PreflightError, type PreflightFailure, preflight } from './preflight';
import { MutationFailed } from './reconcile';
import type { Phase, ServerReport, WaveReport } from './report';
import { type ResolvedServer, ResolutionError, listSourceServers, resolveServers } from './resolve';
import { errorCode } from '../core/retry';
import { account, call, type Runtime } from './runtime';
import { selectServers } from './select';
import { type SyncResult, syncMgnPlan } from './sync';

export { RunInterrupted } from '../core/interrupt';

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

/** 'finishing': the mode's last step (a lifecycle call) is in flight, off the poll loop. */
type Stage = 'queued' | 'launching' | 'status-checks' | 'post-launch' | 'tcp-checks' | 'final' | 'finishing' | 'terminate-queued' | 'terminating' | 'done';

interface Track {
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

const LOOKBACK_MS = 24 * 3_600_000;
/** Servers whose launch template is written at once (EC2 throttles bursts of API calls). */
const PREPARE_CONCURRENCY = 8;

/**
 * Runs one mode over a wave: resolve → preflight (read-only; stops before any mutating call) →
 * sync MGN's plan → launch templates → quota-batched launches → verification → the mode's final
 * step. Every step reads state first, so a re-run after an interruption resumes and never launches a
 * server twice; every mutating call is reconciled (reconcile.ts), so a lost answer is read back, not
 * guessed. Lifecycle calls (mark ready, finalize, revert, archive) run concurrently under a limit
 * that halves on throttling, off the poll loop, so they never hold up other servers' verification.
 */
export class WaveRun {
  private readonly tracks: Track[] = [];
  private readonly quotas: JobQuotas;
  private readonly pollMs: number;
  private readonly startedMs: number;
  private plan?: WavePlan;
  private report?: WaveReport;
  private selected?: ReadonlyArray<{ server: { name: string }; application: string }>;
  /** Launch template per source server, as preflight read it from GetLaunchConfiguration. */
  private readonly templates = new Map<string, string | undefined>();
  /** Concurrency of lifecycle calls. */
  private readonly lifecycle = new AdaptiveLimit();
  /** Lifecycle steps in flight (each settles on its own; the loop waits for them before returning). */
  private readonly inFlight = new Set<Promise<void>>();
  /** An interruption raised inside a lifecycle step, rethrown by the loop. */
  private interrupted?: unknown;
  private stopping = false;

  /** Aborting `rt.signal` (SIGINT, a cancelled workflow) stops the run: waits and retries end, calls in flight settle, and run() throws a RunInterrupted carrying the report. */
  constructor(
    private readonly rt: Runtime,
    private readonly options: WaveRunOptions,
  ) {
    this.quotas = { ...DEFAULT_QUOTAS, ...rt.config.runbook.quotas };
    this.pollMs = rt.config.runbook.pollIntervalSeconds * 1000;
    this.startedMs = rt.clock.now().getTime();
  }

  /**
   * Runs the mode and returns its plan and report. When the run stops — resolution or preflight
   * refuses servers, an error, an interruption — it throws, and the error carries the report of
   * what was done (every server with its outcome, `error` saying why the run stopped).
   */
  async run(): Promise<WaveOutcome> {
    try {
      const report = await this.execute();
      return { plan: this.plan!, report };
    } catch (e) {
      throw await this.stopped(e);
    }
  }

  private async execute(): Promise<WaveReport> {
    const { rt, options } = this;
    const { mode } = options;
    const log = rt.logger;
    const prefix = `[${options.wave}/${mode}]`;
    const { wave, servers } = selectServers(rt.config, options.wave, options.servers);
    this.selected = servers;
    log.info(`${prefix} ${servers.length} server${servers.length === 1 ? '' : 's'}${options.dryRun ? ', dry run (read-only)' : ''}${options.simulated ? ', SIMULATION against the MGN fake' : ''}`);

    const sourceServers = await listSourceServers(rt.clients.mgn, rt);
    const resolved = resolveServers(servers, sourceServers);
    const items = resolved.map((r) => ({ resolved: r, step: nextStep(mode, r.sourceServer) }));
    const failures = await preflight(rt, wave.name, mode, items, this.templates);
    for (const f of failures) log.warn(`${prefix} preflight: ${f.server}: ${f.reasons.join('; ')}`);
    const stop = failures.length > 0 && !options.continueWithoutFailing;
    const refused = new Set(failures.map((f) => f.server));
    const launching = items.filter((i) => i.step.kind === 'launch' && !refused.has(i.resolved.server.name)).length;
    this.plan = {
      wave: wave.name,
      mode,
      servers: items.map((i) => ({ server: i.resolved.server.name, application: i.resolved.application, sourceServerID: i.resolved.sourceServerID, matchedBy: i.resolved.matchedBy, step: i.step })),
      excluded: failures,
      lowerBoundMinutes: makespanLowerBoundMinutes(launching, 0, this.quotas),
    };

    const report = (this.report = this.emptyReport(wave.name));
    for (const { resolved: r, step } of items) {
      const sr: ServerReport = { server: r.server.name, application: r.application, sourceServerID: r.sourceServerID, postLaunchActions: [], phases: [], outcome: 'planned' };
      report.servers.push(sr);
      const failure = failures.find((f) => f.server === r.server.name);
      if (failure) Object.assign(sr, { outcome: 'excluded', reason: `preflight: ${failure.reasons.join('; ')}` });
      else if (step.kind === 'done') Object.assign(sr, { outcome: 'unchanged', reason: step.reason });
      // Nothing was changed: the report says so per server, for the job summary of a stopped run.
      else if (stop) Object.assign(sr, { outcome: 'unchanged', reason: 'not started: preflight refused other servers of the run' });
      else if (options.dryRun) sr.reason = `would ${describeStep(mode, step)}`;
      else this.tracks.push({ resolved: r, report: sr, stage: 'queued', stageSince: this.now(), initiatedBy: mode === 'test' ? 'START_TEST' : mode === 'revert' ? undefined : 'START_CUTOVER' });
    }
    if (stop) throw new PreflightError(failures);
    if (options.dryRun) return this.finish(report);

    if (options.syncMgn !== false) {
      const sync = await syncMgnPlan(rt, wave, resolved.filter((r) => !refused.has(r.server.name)));
      this.plan = { ...this.plan, sync };
      const created = sync.created.length > 5 ? `${sync.created.slice(0, 5).join(', ')} and ${sync.created.length - 5} more` : sync.created.join(', ') || 'nothing';
      if (sync.created.length || sync.associatedServers) log.info(`${prefix} MGN plan synced: created ${created}, associated ${sync.associatedServers} servers`);
    }
    await this.prepare(items);
    await this.loop(prefix);
    if (this.lifecycle.lowest < 8) log.info(`${prefix} lifecycle calls were throttled: ${this.lifecycle.lowest} at a time at the lowest, ${this.lifecycle.limit} at the end`);
    return this.finish(report);
  }

  private emptyReport(wave: string): WaveReport {
    const { options } = this;
    return { estate: this.rt.config.name, wave, mode: options.mode, simulated: !!options.simulated, dryRun: !!options.dryRun, startedAt: new Date(this.startedMs).toISOString(), servers: [] };
  }

  /**
   * The report of a run that stopped, attached to its error: servers in progress fail with where
   * they stopped (a re-run resumes from MGN's state), servers not started stay unchanged, and
   * `error` says why the run stopped.
   */
  private async stopped(e: unknown): Promise<Error> {
    await this.settle().catch(() => undefined);
    // Recording where servers stopped is not a phase boundary: no onPhase hook runs from here.
    this.stopping = true;
    const err = e instanceof Error ? e : new Error(String(e));
    const interrupted = isAbort(err);
    const report = this.report ?? (err instanceof ResolutionError && this.selected ? this.resolutionReport(this.options.wave, this.selected, err) : this.emptyReport(this.options.wave));
    if (!this.report && this.selected && !(err instanceof ResolutionError)) {
      for (const { server, application } of this.selected) report.servers.push({ server: server.name, application, postLaunchActions: [], phases: [], outcome: 'unchanged', reason: `not started: ${err.message.split('\n')[0]}` });
    }
    for (const t of this.tracks.filter((x) => x.stage !== 'done')) {
      if (!t.report.phases.some((p) => p.outcome !== 'skipped') && (t.stage === 'queued' || t.stage === 'terminate-queued')) {
        Object.assign(t.report, { outcome: 'unchanged', reason: `not started: the run ${interrupted ? 'was interrupted' : 'stopped'} (${err.message.split('\n')[0]})` });
        t.stage = 'done';
      } else {
        this.fail(t, `${interrupted ? 'interrupted' : 'stopped'} while ${t.stage}: ${err.message.split('\n')[0]}; a re-run resumes from MGN's state`);
      }
    }
    report.error = `${interrupted ? 'interrupted' : err.name === 'PreflightError' || err.name === 'ResolutionError' ? 'refused' : 'stopped'}: ${err.message}`;
    return carryReport(err, this.finish(report));
  }

  /** The report of a run stopped by resolution: who could not be matched and why; nothing was changed. */
  private resolutionReport(wave: string, servers: ReadonlyArray<{ server: { name: string }; application: string }>, e: ResolutionError): WaveReport {
    const report = this.emptyReport(wave);
    for (const { server, application } of servers) {
      const problems = e.problems.filter((p) => p.server === server.name).map((p) => p.reason);
      report.servers.push({
        server: server.name,
        application,
        postLaunchActions: [],
        phases: [],
        ...(problems.length ? { outcome: 'excluded', reason: `resolution: ${problems.join('; ')}` } : { outcome: 'unchanged', reason: 'not started: other servers of the run could not be matched to MGN source servers' }),
      });
    }
    return report;
  }

  /** Turns each step into the stage the loop starts it from, doing the per-server one-shot calls. */
  private async prepare(items: ReadonlyArray<{ resolved: ResolvedServer; step: NextStep }>): Promise<void> {
    const { rt, options } = this;
    const stepOf = (t: Track) => items.find((i) => i.resolved === t.resolved)!.step;
    const guarded = (t: Track, work: () => Promise<void>) => async () => {
      try {
        await work();
      } catch (e) {
        if (isAbort(e)) throw e;
        this.fail(t, (e as Error).message);
      }
    };
    const others = this.tracks.filter((t) => !['revert', 'archive'].includes(stepOf(t).kind));
    // Revert and archive are lifecycle calls: concurrent under the throttle-aware limit. The
    // run waits for every revert before terminating, so the terminations go out in full batches.
    const lifecycle = this.tracks
      .filter((t) => ['revert', 'archive'].includes(stepOf(t).kind))
      .map((t) =>
        this.lifecycle.run((onThrottled) =>
          guarded(t, async () => {
            const trt = this.throttleAware(onThrottled);
            if (stepOf(t).kind === 'revert') {
              t.instanceID = t.resolved.sourceServer.launchedInstance?.ec2InstanceID;
              await this.phase(t, 'revert', () => changeLifeCycleState(trt, this.ref(t), 'READY_FOR_TEST').then(() => 'READY_FOR_TEST'));
              this.setStage(t, 'terminate-queued');
            } else {
              await this.phase(t, 'archive', () => markAsArchived(trt, this.ref(t)).then(() => 'archived'));
              this.succeed(t, 'archived');
            }
          })(),
        ),
      );
    const rest = forEachLimited(others, PREPARE_CONCURRENCY, (t) =>
      guarded(t, async () => {
        const step = stepOf(t);
        const id = t.resolved.sourceServerID;
        switch (step.kind) {
          case 'launch': {
            if (options.launch === false) {
              await this.notLaunched(t);
              break;
            }
            const templateId = this.templates.get(id) ?? (await launchTemplateId(rt, id));
            const placement = placementFor(rt.config, t.resolved.server, options.mode, options.wave);
            await this.phase(t, 'launch-template', async () => {
              const r = await applyPlacement(rt, templateId!, placement, `rehost-factory ${options.wave} ${options.mode} placement for ${t.resolved.server.name}`);
              return `${templateId} v${r.version}${r.changed ? ' (new default)' : ' (already default)'}`;
            });
            this.setStage(t, 'queued');
            break;
          }
          case 'verify-launch':
          case 'finalize':
            t.jobID = step.jobID;
            this.begin(t, 'launch');
            this.setStage(t, 'launching');
            break;
          case 'terminate':
            t.instanceID = step.ec2InstanceID;
            this.setStage(t, 'terminate-queued');
            break;
          default:
            break;
        }
      })(),
    );
    const settled = await Promise.allSettled([rest, ...lifecycle]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async loop(prefix: string): Promise<void> {
    const { rt } = this;
    const cfg = rt.config.runbook;
    const rounds = Math.ceil(this.tracks.length / Math.max(1, Math.min(this.quotas.serversInActiveJobs, this.quotas.concurrentJobs * this.quotas.serversPerJob))) + 1;
    const deadline = this.startedMs + (rounds * cfg.launchTimeoutMinutes + cfg.statusCheckTimeoutMinutes + cfg.postLaunchTimeoutMinutes + cfg.tcpCheckTimeoutMinutes) * 60_000;
    let lastProgress = this.now();
    for (;;) {
      this.checkInterrupted();
      const open = this.tracks.filter((t) => t.stage !== 'done');
      if (this.handedOver(open) || !open.length) break;
      if (open.every((t) => t.stage === 'finishing')) {
        // Only lifecycle calls are left: wait for them rather than for the next poll.
        await this.settle();
        continue;
      }
      if (this.now() > deadline) {
        for (const t of open.filter((x) => x.stage !== 'finishing')) this.fail(t, `the wave did not finish within ${formatDuration(deadline - this.startedMs)} (stuck in ${t.stage})`);
        continue;
      }
      const jobs = await this.recentJobs();
      await this.startJobs(jobs, 'queued');
      await this.startJobs(jobs, 'terminate-queued');
      if (this.handedOver(this.tracks.filter((t) => t.stage !== 'done'))) break;
      await this.checkLaunches(jobs);
      await this.checkStatus();
      await this.checkPostLaunch(jobs);
      await this.checkTcp();
      this.startFinalSteps();
      await this.checkTerminations(jobs);
      if (this.now() - lastProgress >= 300_000) {
        lastProgress = this.now();
        this.progress(prefix);
      }
      if (this.tracks.some((t) => t.stage !== 'done' && t.stage !== 'finishing')) await rt.clock.sleep(this.pollMs, rt.signal);
    }
    await this.settle();
    this.checkInterrupted();
    if (!this.tracks.some((t) => t.stage !== 'done')) this.progress(prefix);
  }

  /** "[wave/mode] t+PT25M: succeeded 3 · failed 1" */
  private progress(prefix: string): void {
    const counts = new Map<string, number>();
    for (const t of this.tracks) counts.set(t.stage === 'done' ? t.report.outcome : t.stage, (counts.get(t.stage === 'done' ? t.report.outcome : t.stage) ?? 0) + 1);
    this.rt.logger.info(`${prefix} t+${formatDuration(this.now() - this.startedMs)}: ${[...counts].map(([k, v]) => `${k} ${v}`).join(' · ')}`);
  }

  /** Rethrows an interruption: the run's signal, or one raised inside a lifecycle step. */
  private checkInterrupted(): void {
    throwIfAborted(this.rt.signal);
    if (this.interrupted) throw this.interrupted;
  }

  /** Waits until no lifecycle step is in flight. */
  private async settle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** With until 'launched': once nothing waits to be started, the rest is the server jobs' work. */
  private handedOver(open: Track[]): boolean {
    if (this.options.until !== 'launched' || open.some((t) => t.stage === 'queued' || t.stage === 'terminate-queued')) return false;
    for (const t of open) Object.assign(t.report, { outcome: 'planned', reason: `${t.stage === 'terminating' ? 'terminating' : 'launched'} in job ${t.jobID ?? 'unknown'}; the server job verifies it` });
    return true;
  }

  /** Every job of the account since a day before the run (the quotas count other people's jobs too). */
  private async recentJobs(): Promise<Map<string, Job>> {
    const { rt } = this;
    const fromDate = new Date(this.startedMs - LOOKBACK_MS).toISOString();
    const listed = await listAll(rt, 'mgn:DescribeJobs', (nextToken) => rt.clients.mgn.send(new DescribeJobsCommand({ filters: { fromDate }, maxResults: 1000, nextToken, ...account(rt) })));
    const jobs = new Map<string, Job>(listed.map((j) => [j.jobID!, j]));
    const missing = [...new Set(this.tracks.filter((t) => t.jobID && !jobs.has(t.jobID) && t.stage !== 'done').map((t) => t.jobID!))];
    for (const ids of chunk(missing, 100)) {
      const page = await call(rt, 'mgn:DescribeJobs', () => rt.clients.mgn.send(new DescribeJobsCommand({ filters: { jobIDs: ids }, ...account(rt) })));
      for (const j of page.items ?? []) jobs.set(j.jobID!, j);
    }
    return jobs;
  }

  /**
   * Starts as many launch (or terminate) jobs as the quotas allow now; the rest stay queued. The
   * servers this round leaves queued refill a batch MGN refused some servers of, so the batch goes
   * out full and the freed places do not become a job of their own on the next round.
   */
  private async startJobs(jobs: Map<string, Job>, stage: 'queued' | 'terminate-queued'): Promise<void> {
    if (stage === 'terminate-queued') {
      await this.adoptTerminations(jobs);
      if (this.options.launch === false) return;
    }
    const queue = this.tracks.filter((t) => t.stage === stage).map((t) => t.resolved.sourceServerID);
    if (!queue.length) return;
    const load = activeLoad([...jobs.values()]);
    const batches = nextBatches(queue, load, this.quotas);
    const inBatch = new Set(batches.flat());
    const spare = queue.filter((id) => !inBatch.has(id) && !load.busy.has(id));
    const kind: JobKind = stage === 'terminate-queued' ? 'terminate' : (this.options.mode as 'test' | 'cutover');
    for (const batch of batches) {
      if ((await this.startBatch(kind, batch, spare)) === 'quota') break;
    }
  }

  /**
   * Starts one job. MGN refuses the whole call when some servers cannot take part and names them:
   * those fail alone, their places go to servers from `spare`, and the batch is sent again (each
   * refusal fails at least one server, so this ends). A quota refusal (someone else's jobs took
   * the capacity since it was read) leaves the batch queued for the next round.
   */
  private async startBatch(kind: JobKind, ids: readonly string[], spare: string[]): Promise<'started' | 'quota' | 'failed'> {
    const { rt, options } = this;
    const size = ids.length;
    let pending = [...ids];
    const track = (id: string) => this.tracks.find((t) => t.resolved.sourceServerID === id)!;
    const phase: Phase = kind === 'terminate' ? 'terminate' : 'launch';
    const follow = (id: string, jobID: string | undefined) => {
      const t = track(id);
      t.jobID = jobID;
      this.setStage(t, kind === 'terminate' ? 'terminating' : 'launching');
      pending = pending.filter((x) => x !== id);
    };
    for (const id of pending) this.begin(track(id), phase);
    const tags: Record<string, string> = kind === 'terminate' ? { 'rehost-factory:wave': options.wave } : { 'rehost-factory:estate': rt.config.name, 'rehost-factory:wave': options.wave };
    for (;;) {
      const sent = pending.length;
      try {
        const job = await startJob(rt, { kind, ids: pending, tags, target: this.describeBatch(pending), started: follow });
        if (job) for (const id of [...pending]) follow(id, job.jobID);
        if (job) rt.logger.info(`[${options.wave}/${options.mode}] started ${job.jobID} with ${sent} server${sent === 1 ? '' : 's'}`);
        return 'started';
      } catch (e) {
        if (isAbort(e)) throw e;
        if (!pending.length) return 'started';
        const cause = e instanceof MutationFailed ? e.cause : e;
        const op = JOB_CALL[kind];
        if (errorCode(cause) === 'ServiceQuotaExceededException') {
          rt.logger.warn(`[${options.wave}/${options.mode}] ${(cause as Error).message}; ${pending.length} servers stay queued`);
          for (const id of pending) track(id).report.phases.pop();
          return 'quota';
        }
        const refused = conflictingServers(cause, pending);
        for (const id of pending) {
          if (!refused.size) this.fail(track(id), (e as Error).message);
          else if (refused.has(id)) this.fail(track(id), `${op} refused this server: ${refused.get(id)}`);
        }
        if (!refused.size) return 'failed';
        pending = pending.filter((id) => !refused.has(id));
        const refill = spare.splice(0, size - pending.length);
        for (const id of refill) this.begin(track(id), phase);
        pending.push(...refill);
        if (!pending.length) return 'failed';
        rt.logger.warn(`[${options.wave}/${options.mode}] ${op} refused ${refused.size} server${refused.size === 1 ? '' : 's'}; sending ${pending.length} again${refill.length ? ` (${refill.length} taken from the queue in their place)` : ''}`);
      }
    }
  }

  private describeBatch(ids: readonly string[]): string {
    const names = ids.slice(0, 3).map((id) => this.tracks.find((t) => t.resolved.sourceServerID === id)?.resolved.server.name ?? id);
    return `${ids.length} server${ids.length === 1 ? '' : 's'} (${names.join(', ')}${ids.length > 3 ? ', …' : ''})`;
  }

  /**
   * A termination someone already started (the plan job, an earlier run) is followed, not repeated;
   * an instance that is already gone needs none.
   */
  private async adoptTerminations(jobs: Map<string, Job>): Promise<void> {
    const queued = this.tracks.filter((x) => x.stage === 'terminate-queued');
    const running = (id: string) => [...jobs.values()].find((j) => j.type === 'TERMINATE' && j.status !== 'COMPLETED' && j.participatingServers?.some((p) => p.sourceServerID === id));
    const states = await this.instanceStates(queued.filter((t) => !running(t.resolved.sourceServerID) && t.instanceID).map((t) => t.instanceID!));
    for (const t of queued) {
      const job = running(t.resolved.sourceServerID);
      if (job) {
        this.begin(t, 'terminate');
        t.jobID = job.jobID;
        this.setStage(t, 'terminating');
      } else if (t.instanceID && ['terminated', 'shutting-down'].includes(states.get(t.instanceID)!)) {
        this.skip(t, 'terminate', `${t.instanceID} already terminated`);
        this.succeed(t, 'reverted to READY_FOR_TEST; test instance terminated');
      } else if (this.options.launch === false && this.now() - t.stageSince > this.pollMs * 4) {
        this.fail(t, `test instance ${t.instanceID ?? '(unknown)'} is not terminated and no TERMINATE job of the server is running; this job only follows, the plan job starts terminations (see its log), re-dispatch the wave to retry`);
      }
    }
  }

  /** A COMPLETED job is not success: each server's launchStatus decides, since a job completes even when some of its launches failed. */
  private async checkLaunches(jobs: Map<string, Job>): Promise<void> {
    const cfg = this.rt.config.runbook;
    for (const t of this.tracks.filter((x) => x.stage === 'launching')) {
      const id = t.resolved.sourceServerID;
      t.jobID ??= findLaunchJob(jobs, id, t.initiatedBy);
      const job = t.jobID ? jobs.get(t.jobID) : undefined;
      t.report.jobID = t.jobID;
      const p = job?.participatingServers?.find((x) => x.sourceServerID === id);
      if (p?.launchStatus === 'FAILED') {
        this.fail(t, `launch failed in job ${t.jobID}: ${await this.launchError(t.jobID!, id)}`);
      } else if (job?.status === 'COMPLETED' && p?.launchStatus === 'LAUNCHED' && p.launchedEc2InstanceID) {
        t.instanceID = t.report.ec2InstanceID = p.launchedEc2InstanceID;
        this.end(t, 'ok', `${t.jobID} → ${t.instanceID}`);
        if (this.rt.config.mgn.launch.launchDisposition === 'STOPPED') {
          this.skip(t, 'status-checks', 'launchDisposition STOPPED: the instance is not started');
          this.setStage(t, 'final');
        } else {
          this.begin(t, 'status-checks');
          this.setStage(t, 'status-checks');
        }
      } else if (job?.status === 'COMPLETED') {
        this.fail(t, `job ${t.jobID} is COMPLETED but the server's launchStatus is ${p?.launchStatus ?? 'missing'} (a completed job is not a launched server)`);
      } else if (!t.jobID && this.now() - t.stageSince > this.pollMs * 4) {
        this.fail(t, `the server is ${LAUNCHED_STATE[this.options.mode as 'test']} but no launch job of it was found in the last ${formatDuration(LOOKBACK_MS)}`);
      } else this.timeout(t, cfg.launchTimeoutMinutes, `launch job ${t.jobID ?? '(not found yet)'} (status ${job?.status ?? 'unknown'}, launchStatus ${p?.launchStatus ?? 'unknown'})`);
    }
  }

  /** EC2 status checks 2/2 (system and instance), read for all waiting servers at once. */
  private async checkStatus(): Promise<void> {
    const { rt } = this;
    const waiting = this.tracks.filter((t) => t.stage === 'status-checks');
    for (const part of chunk(waiting, 100)) {
      const r = await call(rt, 'ec2:DescribeInstanceStatus', () =>
        rt.clients.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: part.map((t) => t.instanceID!), IncludeAllInstances: true })),
      );
      for (const t of part) {
        const st = r.InstanceStatuses?.find((s) => s.InstanceId === t.instanceID);
        const state = st?.InstanceState?.Name;
        if (state && ['shutting-down', 'terminated', 'stopping', 'stopped'].includes(state)) this.fail(t, `instance ${t.instanceID} is ${state}`);
        else if (state === 'running' && st?.InstanceStatus?.Status === 'ok' && st?.SystemStatus?.Status === 'ok') {
          this.end(t, 'ok', '2/2 checks passed');
          this.begin(t, 'post-launch');
          this.setStage(t, 'post-launch');
        } else this.timeout(t, rt.config.runbook.statusCheckTimeoutMinutes, `status checks of ${t.instanceID} (${state ?? 'unknown'}, system ${st?.SystemStatus?.Status ?? '?'}, instance ${st?.InstanceStatus?.Status ?? '?'})`);
      }
    }
  }

  /**
   * Post-launch SSM actions as MGN reports them in the job, SUCCESS for every one expected. MGN
   * lists them only after it discovered the SSM agent (ssmAgentDiscoveryDatetime), so an empty or
   * partial list is waited on, bounded by runbook.postLaunchTimeoutMinutes.
   */
  private async checkPostLaunch(jobs: Map<string, Job>): Promise<void> {
    const expected = this.options.mode === 'test' || this.options.mode === 'cutover' || this.options.mode === 'finalize' ? postLaunchDocuments(this.rt.config, this.options.mode === 'test' ? 'test' : 'cutover') : [];
    for (const t of this.tracks.filter((x) => x.stage === 'post-launch')) {
      const status = jobs.get(t.jobID!)?.participatingServers?.find((x) => x.sourceServerID === t.resolved.sourceServerID)?.postLaunchActionsStatus;
      const list = status?.postLaunchActionsLaunchStatusList ?? [];
      t.report.postLaunchActions = list.map((a) => ({ document: documentName(a.ssmDocument?.ssmDocumentName ?? '') || (a.ssmDocument?.actionName ?? '?'), status: a.executionStatus ?? 'UNKNOWN', executionID: a.executionID, failureReason: a.failureReason }));
      const missing = expected.filter((d) => !t.report.postLaunchActions.some((a) => a.document === d));
      const failed = t.report.postLaunchActions.filter((a) => a.status === 'FAILED');
      if (failed.length) this.fail(t, `post-launch action${failed.length === 1 ? '' : 's'} failed: ${failed.map((a) => `${a.document}${a.failureReason ? ` (${a.failureReason})` : ''}`).join('; ')}`);
      else if (!missing.length && t.report.postLaunchActions.every((a) => a.status === 'SUCCESS')) {
        if (list.length) this.end(t, 'ok', `${list.length} action${list.length === 1 ? '' : 's'} SUCCESS`);
        else this.end(t, 'skipped', 'no post-launch actions');
        this.setStage(t, 'tcp-checks');
      } else this.timeout(t, this.rt.config.runbook.postLaunchTimeoutMinutes, postLaunchWait(t.instanceID, status?.ssmAgentDiscoveryDatetime, t.report.postLaunchActions, missing));
    }
  }

  /** Optional TCP checks (runbook.tcpChecks) against the instance's private IP. */
  private async checkTcp(): Promise<void> {
    const { rt } = this;
    const waiting = this.tracks.filter((t) => t.stage === 'tcp-checks');
    const ports = (t: Track) => rt.config.runbook.tcpChecks.filter((c) => !c.server || c.server === t.resolved.server.name).map((c) => c.port);
    const needIp = waiting.filter((t) => ports(t).length && !t.privateIp);
    for (const part of chunk(needIp, 100)) {
      const r = await call(rt, 'ec2:DescribeInstances', () => rt.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: part.map((t) => t.instanceID!) })));
      const all = (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
      for (const t of part) t.privateIp = all.find((i) => i.InstanceId === t.instanceID)?.PrivateIpAddress;
    }
    for (const t of waiting) {
      const wanted = ports(t);
      if (!wanted.length) {
        this.setStage(t, 'final');
        continue;
      }
      if (!t.report.phases.some((p) => p.phase === 'tcp-checks')) this.begin(t, 'tcp-checks');
      const probe = rt.tcpProbe ?? connectProbe;
      const results = await Promise.all(wanted.map((port) => (t.privateIp ? probe(t.privateIp, port, 5000) : Promise.resolve(false))));
      if (results.every(Boolean)) {
        this.end(t, 'ok', `${t.privateIp}: ${wanted.join(', ')} open`);
        this.setStage(t, 'final');
      } else this.timeout(t, rt.config.runbook.tcpCheckTimeoutMinutes, `TCP ${wanted.filter((_, i) => !results[i]).join(', ')} on ${t.privateIp ?? 'an unknown IP'}`);
    }
  }

  /**
   * The mode's last step for servers whose verification passed: ready for cutover after a test,
   * FinalizeCutover (one server per call). Started here and run under the lifecycle limit; the
   * loop goes on polling the other servers meanwhile.
   */
  private startFinalSteps(): void {
    const { options } = this;
    for (const t of this.tracks.filter((x) => x.stage === 'final')) {
      if (options.mode !== 'test' && options.mode !== 'finalize') {
        this.succeed(t, 'cutover launch verified; finalize when the application is accepted');
        continue;
      }
      this.setStage(t, 'finishing');
      this.inPool(t, async (trt) => {
        if (options.mode === 'test') {
          await this.phase(t, 'lifecycle', () => changeLifeCycleState(trt, this.ref(t), 'READY_FOR_CUTOVER').then(() => 'READY_FOR_CUTOVER'));
          this.succeed(t, 'test launch verified; READY_FOR_CUTOVER');
        } else {
          await this.phase(t, 'finalize', () => finalizeCutover(trt, this.ref(t)).then(() => 'CUTOVER'));
          this.succeed(t, `finalized; instance ${t.instanceID} kept, replication disconnected`);
        }
      });
    }
  }

  /** Runs a server's lifecycle step in the pool, in flight until it settles; a failure fails the server. */
  private inPool(t: Track, work: (rt: Runtime) => Promise<void>): void {
    const task = this.lifecycle
      .run((onThrottled) => work(this.throttleAware(onThrottled)))
      .catch((e) => {
        if (isAbort(e)) this.interrupted ??= e;
        else if (t.stage !== 'done') this.fail(t, (e as Error).message);
      })
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** The runtime for one lifecycle task: its throttled answers slow the lifecycle limit down. */
  private throttleAware(onThrottled: () => void): Runtime {
    return { ...this.rt, retry: { ...this.rt.retry, onThrottled } };
  }

  private ref(t: Track): ServerRef {
    return { name: t.resolved.server.name, sourceServerID: t.resolved.sourceServerID };
  }

  private async checkTerminations(jobs: Map<string, Job>): Promise<void> {
    const { rt } = this;
    const done: Track[] = [];
    for (const t of this.tracks.filter((x) => x.stage === 'terminating')) {
      const job = t.jobID ? jobs.get(t.jobID) : undefined;
      if (job?.status === 'COMPLETED') done.push(t);
      else this.timeout(t, rt.config.runbook.launchTimeoutMinutes, `terminate job ${t.jobID} (status ${job?.status ?? 'unknown'})`);
    }
    const states = await this.instanceStates(done.filter((t) => t.instanceID).map((t) => t.instanceID!));
    for (const t of done) {
      const state = t.instanceID ? states.get(t.instanceID)! : 'terminated';
      if (state === 'terminated' || state === 'shutting-down') {
        this.end(t, 'ok', t.instanceID ? `${t.instanceID} ${state}` : 'no test instance');
        this.succeed(t, 'reverted to READY_FOR_TEST; test instance terminated');
      } else this.fail(t, `terminate job ${t.jobID} completed but instance ${t.instanceID} is ${state}`);
    }
  }

  /**
   * EC2 state of each instance, 100 per DescribeInstances (by filter, which, unlike InstanceIds,
   * does not refuse the whole call for an instance that no longer exists); a missing one is gone.
   */
  private async instanceStates(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunk([...new Set(ids)], 100)) {
      const r = await call(this.rt, 'ec2:DescribeInstances', () => this.rt.clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: part }] })));
      for (const i of (r.Reservations ?? []).flatMap((x) => x.Instances ?? [])) out.set(i.InstanceId!, i.State?.Name ?? 'unknown');
      for (const id of part) if (!out.has(id)) out.set(id, 'terminated');
    }
    return out;
  }

  /** A server job found its server not launched: say why (its last launch failed, or none started). */
  private async notLaunched(t: Track): Promise<void> {
    const { rt, options } = this;
    const s = t.resolved.sourceServer;
    const jobID = (options.mode === 'test' ? s.lifeCycle?.lastTest : s.lifeCycle?.lastCutover)?.initiated?.jobID;
    const job = jobID ? (await call(rt, 'mgn:DescribeJobs', () => rt.clients.mgn.send(new DescribeJobsCommand({ filters: { jobIDs: [jobID] }, ...account(rt) })))).items?.[0] : undefined;
    const mine = job?.participatingServers?.find((p) => p.sourceServerID === s.sourceServerID);
    t.report.jobID = jobID;
    this.begin(t, 'launch');
    if (mine?.launchStatus === 'FAILED') this.fail(t, `launch failed in job ${jobID}: ${await this.launchError(jobID!, s.sourceServerID!)}`);
    else this.fail(t, `not launched: the server is ${s.lifeCycle?.state} and this job only verifies; the plan job starts launches (see its log), re-dispatch the wave to retry`);
  }

  private async launchError(jobID: string, id: string): Promise<string> {
    const { rt } = this;
    const items: JobLog[] = await listAll(rt, 'mgn:DescribeJobLogItems', (nextToken) => rt.clients.mgn.send(new DescribeJobLogItemsCommand({ jobID, nextToken, ...account(rt) })));
    const mine = items.filter((i) => i.eventData?.sourceServerID === id);
    const failed = mine.find((i) => i.event === 'LAUNCH_FAILED' || i.eventData?.rawError);
    return failed ? `${failed.event}: ${failed.eventData?.rawError ?? 'no rawError'}` : `launchStatus FAILED (job log: ${mine.map((i) => i.event).join(', ') || 'no entries'})`;
  }

  // --- bookkeeping -------------------------------------------------------------------------------

  private now(): number {
    return this.rt.clock.now().getTime();
  }

  private iso(): string {
    return this.rt.clock.now().toISOString();
  }

  private setStage(t: Track, stage: Stage): void {
    t.stage = stage;
    t.stageSince = this.now();
  }

  private begin(t: Track, phase: Phase): void {
    if (!this.stopping) this.options.onPhase?.(t.resolved.server.name, phase, 'start');
    t.report.phases.push({ phase, start: this.iso() });
  }

  private end(t: Track, outcome: 'ok' | 'failed' | 'skipped', detail?: string): void {
    const p = t.report.phases.at(-1);
    if (!p || p.end) return;
    Object.assign(p, { end: this.iso(), outcome, ...(detail ? { detail } : {}) });
    if (!this.stopping) this.options.onPhase?.(t.resolved.server.name, p.phase, 'end');
  }

  private skip(t: Track, phase: Phase, detail: string): void {
    t.report.phases.push({ phase, start: this.iso(), end: this.iso(), outcome: 'skipped', detail });
  }

  private async phase(t: Track, phase: Phase, work: () => Promise<string>): Promise<void> {
    this.begin(t, phase);
    try {
      this.end(t, 'ok', await work());
    } catch (e) {
      if (!isAbort(e)) this.end(t, 'failed', (e as Error).message);
      throw e;
    }
  }

  private timeout(t: Track, minutes: number, what: string): void {
    if (this.now() - t.stageSince >= minutes * 60_000) this.fail(t, `timed out after ${minutes} min waiting for ${what}`);
  }

  private fail(t: Track, reason: string): void {
    this.end(t, 'failed', reason);
    t.report.outcome = 'failed';
    t.report.reason = reason;
    this.setStage(t, 'done');
    this.rt.logger.warn(`[${this.options.wave}/${this.options.mode}] ${t.resolved.server.name}: FAILED: ${reason}`);
  }

  private succeed(t: Track, reason: string): void {
    t.report.outcome = 'succeeded';
    t.report.reason = reason;
    this.setStage(t, 'done');
  }

  private finish(report: WaveReport): WaveReport {
    report.endedAt = this.iso();
    return report;
  }
}

/** What a post-launch wait is waiting for, in words (the timeout reason). */
export function postLaunchWait(instanceID: string | undefined, discovered: string | undefined, listed: ReadonlyArray<{ document: string; status: string }>, missing: readonly string[]): string {
  const states = listed.map((a) => `${a.document}: ${a.status}`).join(', ');
  if (!missing.length) return `post-launch actions (${states})`;
  if (!discovered) return `post-launch actions: MGN has not discovered the SSM agent on ${instanceID ?? 'the instance'} (no ssmAgentDiscoveryDatetime), so it lists none of ${missing.join(', ')} yet`;
  return `post-launch actions: MGN discovered the SSM agent at ${discovered} but lists ${states || 'no action'}, not ${missing.join(', ')} (expected by bootstrap.postLaunch)`;
}

/** The newest launch job of the right kind that includes the server (when lastTest/lastCutover lack it). */
function findLaunchJob(jobs: Map<string, Job>, id: string, initiatedBy?: string): string | undefined {
  return [...jobs.values()]
    .filter((j) => j.type === 'LAUNCH' && (!initiatedBy || j.initiatedBy === initiatedBy) && j.participatingServers?.some((p) => p.sourceServerID === id))
    .sort((a, b) => (b.creationDateTime ?? '').localeCompare(a.creationDateTime ?? ''))[0]?.jobID;
}

export function describeStep(mode: Mode, step: NextStep): string {
  switch (step.kind) {
    case 'launch':
      return `write the ${mode} placement to the launch template and ${mode === 'test' ? 'StartTest' : 'StartCutover'} (batched under the MGN quotas)`;
    case 'verify-launch':
      return `verify launch job ${step.jobID ?? '(to be found)'}`;
    case 'finalize':
      return 'verify the cutover launch and FinalizeCutover';
    case 'revert':
      return 'change the state to READY_FOR_TEST and terminate the test instance';
    case 'terminate':
      return `terminate test instance ${step.ec2InstanceID}`;
    case 'archive':
      return 'MarkAsArchived';
    default:
      return step.reason;
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
