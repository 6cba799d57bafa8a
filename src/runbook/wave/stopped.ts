import { isAbort } from '../../core/interrupt';
import { carryReport } from '../outcome';
import type { WaveReport } from '../report';
import { ResolutionError } from '../resolve';
import { settle } from './lifecycle-pool';
import type { WaveState } from './state';
import { emptyReport, fail, finish } from './tracking';

/**
 * The report of a run that stopped, attached to its error: servers in progress fail with where
 * they stopped (a re-run resumes from MGN's state), servers not started stay unchanged, and
 * `error` says why the run stopped.
 */
export async function stopped(s: WaveState, e: unknown): Promise<Error> {
  await settle(s).catch(() => undefined);
  // Recording where servers stopped is not a phase boundary: no onPhase hook runs from here.
  s.stopping = true;
  const err = e instanceof Error ? e : new Error(String(e));
  const interrupted = isAbort(err);
  const report = s.report ?? (err instanceof ResolutionError && s.selected ? resolutionReport(s, s.options.wave, s.selected, err) : emptyReport(s, s.options.wave));
  if (!s.report && s.selected && !(err instanceof ResolutionError)) {
    for (const { server, application } of s.selected) report.servers.push({ server: server.name, application, postLaunchActions: [], phases: [], outcome: 'unchanged', reason: `not started: ${err.message.split('\n')[0]}` });
  }
  for (const t of s.tracks.filter((x) => x.stage !== 'done')) {
    if (!t.report.phases.some((p) => p.outcome !== 'skipped') && (t.stage === 'queued' || t.stage === 'terminate-queued')) {
      Object.assign(t.report, { outcome: 'unchanged', reason: `not started: the run ${interrupted ? 'was interrupted' : 'stopped'} (${err.message.split('\n')[0]})` });
      t.stage = 'done';
    } else {
      fail(s, t, `${interrupted ? 'interrupted' : 'stopped'} while ${t.stage}: ${err.message.split('\n')[0]}; a re-run resumes from MGN's state`);
    }
  }
  report.error = `${interrupted ? 'interrupted' : err.name === 'PreflightError' || err.name === 'ResolutionError' ? 'refused' : 'stopped'}: ${err.message}`;
  return carryReport(err, finish(s, report));
}

/** The report of a run stopped by resolution: who could not be matched and why; nothing was changed. */
function resolutionReport(s: WaveState, wave: string, servers: ReadonlyArray<{ server: { name: string }; application: string }>, e: ResolutionError): WaveReport {
  const report = emptyReport(s, wave);
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
