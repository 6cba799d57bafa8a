import { makespanLowerBoundMinutes } from '../batching';
import type { Wave } from '../../config/schema';
import { type NextStep, nextStep } from '../lifecycle';
import { type PreflightFailure, preflight } from '../preflight';
import { type ResolvedServer, listSourceServers, resolveServers } from '../resolve';
import { selectServers } from '../select';
import { syncMgnPlan } from '../sync';
import type { WaveState } from './state';

/** What planning found: the wave's servers matched to MGN, each one's next step, and who preflight refused. */
export interface Planned {
  readonly wave: Wave;
  readonly resolved: readonly ResolvedServer[];
  readonly items: ReadonlyArray<{ resolved: ResolvedServer; step: NextStep }>;
  readonly failures: readonly PreflightFailure[];
  readonly refused: ReadonlySet<string>;
  /** Preflight refused servers and the run was not told to continue without them. */
  readonly stop: boolean;
}

/**
 * Which servers, matched to which source servers, and what each needs next: select → resolve →
 * preflight (read-only). Records the plan (and the selection, for the report of a refused run).
 */
export async function planWave(s: WaveState, prefix: string): Promise<Planned> {
  const { rt, options } = s;
  const { mode } = options;
  const log = rt.logger;
  const { wave, servers } = selectServers(rt.config, options.wave, options.servers);
  s.selected = servers;
  log.info(`${prefix} ${servers.length} server${servers.length === 1 ? '' : 's'}${options.dryRun ? ', dry run (read-only)' : ''}${options.simulated ? ', SIMULATION against the MGN fake' : ''}`);

  const sourceServers = await listSourceServers(rt.clients.mgn, rt);
  const resolved = resolveServers(servers, sourceServers);
  const items = resolved.map((r) => ({ resolved: r, step: nextStep(mode, r.sourceServer) }));
  const failures = await preflight(rt, wave.name, mode, items, s.templates);
  for (const f of failures) log.warn(`${prefix} preflight: ${f.server}: ${f.reasons.join('; ')}`);
  const stop = failures.length > 0 && !options.continueWithoutFailing;
  const refused = new Set(failures.map((f) => f.server));
  const launching = items.filter((i) => i.step.kind === 'launch' && !refused.has(i.resolved.server.name)).length;
  s.plan = {
    wave: wave.name,
    mode,
    servers: items.map((i) => ({ server: i.resolved.server.name, application: i.resolved.application, sourceServerID: i.resolved.sourceServerID, matchedBy: i.resolved.matchedBy, step: i.step })),
    excluded: failures,
    lowerBoundMinutes: makespanLowerBoundMinutes(launching, 0, s.quotas),
  };
  return { wave, resolved, items, failures, refused, stop };
}

/** Keeps MGN's waves and applications in step with factory.yaml for the servers preflight let through. */
export async function syncPlan(s: WaveState, planned: Planned, prefix: string): Promise<void> {
  const { rt } = s;
  const { wave, resolved, refused } = planned;
  const sync = await syncMgnPlan(rt, wave, resolved.filter((r) => !refused.has(r.server.name)));
  s.plan = { ...s.plan!, sync };
  const created = sync.created.length > 5 ? `${sync.created.slice(0, 5).join(', ')} and ${sync.created.length - 5} more` : sync.created.join(', ') || 'nothing';
  if (sync.created.length || sync.associatedServers) rt.logger.info(`${prefix} MGN plan synced: created ${created}, associated ${sync.associatedServers} servers`);
}
