import type { Mode } from './lifecycle';

/** Phases a server goes through, in order. */
export type Phase = 'resolve' | 'preflight' | 'launch-template' | 'launch' | 'status-checks' | 'post-launch' | 'tcp-checks' | 'lifecycle' | 'finalize' | 'revert' | 'terminate' | 'archive';

export interface PhaseRecord {
  readonly phase: Phase;
  readonly start: string;
  end?: string;
  outcome?: 'ok' | 'failed' | 'skipped';
  detail?: string;
}

export interface PostLaunchActionResult {
  readonly document: string;
  readonly status: string;
  readonly executionID?: string;
  readonly failureReason?: string;
}

/**
 * - succeeded: the mode's outcome is verified for the server
 * - unchanged: nothing to do (already in the mode's end state)
 * - failed: a step failed or timed out (see reason)
 * - excluded: preflight refused it and the run continued without it
 * - planned: dry run, or the plan of an action run before server jobs
 */
export type ServerOutcome = 'succeeded' | 'unchanged' | 'failed' | 'excluded' | 'planned';

export interface ServerReport {
  readonly server: string;
  readonly application: string;
  sourceServerID?: string;
  jobID?: string;
  ec2InstanceID?: string;
  postLaunchActions: PostLaunchActionResult[];
  phases: PhaseRecord[];
  outcome: ServerOutcome;
  reason?: string;
}

/** The audit trail of one wave run (the JSON artifact). */
export interface WaveReport {
  readonly estate: string;
  readonly wave: string;
  readonly mode: Mode;
  readonly simulated: boolean;
  readonly dryRun: boolean;
  readonly startedAt: string;
  endedAt?: string;
  /** Why the run stopped before every server reached its outcome (a refusal, an error, an interruption). */
  error?: string;
  servers: ServerReport[];
}

export function failedServers(report: WaveReport): ServerReport[] {
  return report.servers.filter((s) => s.outcome === 'failed' || s.outcome === 'excluded');
}

/** Joins the parts written by parallel server jobs (later parts win per server). */
export function mergeReports(parts: readonly WaveReport[]): WaveReport {
  if (!parts.length) throw new Error('no report parts to merge');
  const [first] = parts;
  for (const p of parts) {
    if (p.wave !== first.wave || p.mode !== first.mode) throw new Error(`report parts disagree: ${first.wave}/${first.mode} vs ${p.wave}/${p.mode}`);
  }
  const servers = new Map<string, ServerReport>();
  const rank: Record<ServerOutcome, number> = { planned: 0, unchanged: 1, succeeded: 2, excluded: 3, failed: 4 };
  for (const p of parts) {
    for (const s of p.servers) {
      const prev = servers.get(s.server);
      if (!prev || prev.outcome === 'planned' || rank[s.outcome] >= rank[prev.outcome]) servers.set(s.server, s);
    }
  }
  const times = (k: 'startedAt' | 'endedAt') => parts.map((p) => p[k]).filter((t): t is string => !!t).sort();
  const errors = [...new Set(parts.map((p) => p.error).filter((e): e is string => !!e))];
  return {
    ...first,
    error: errors.length ? errors.join('\n') : undefined,
    simulated: parts.some((p) => p.simulated),
    startedAt: times('startedAt')[0],
    endedAt: times('endedAt').at(-1),
    servers: [...servers.values()].sort((a, b) => a.application.localeCompare(b.application) || a.server.localeCompare(b.server)),
  };
}

const ICON: Record<ServerOutcome, string> = { succeeded: '✅ succeeded', unchanged: '⏭️ unchanged', failed: '❌ failed', excluded: '⛔ excluded', planned: '📝 planned' };

const cell = (s: string | undefined) => (s ? s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ') : '—');

function minutes(p: PhaseRecord): string {
  if (!p.end) return `${p.phase} …`;
  const m = Math.round((Date.parse(p.end) - Date.parse(p.start)) / 60_000);
  return `${p.phase} ${m} min${p.outcome === 'failed' ? ' ❌' : ''}`;
}

/** The job summary: counts, then one row per server. */
export function renderMarkdown(report: WaveReport): string {
  const counts = new Map<ServerOutcome, number>();
  for (const s of report.servers) counts.set(s.outcome, (counts.get(s.outcome) ?? 0) + 1);
  const lines = [
    `## Wave \`${report.wave}\` — ${report.mode}${report.dryRun ? ' (dry run)' : ''}${report.simulated ? ' — SIMULATION (MGN fake, no AWS)' : ''}`,
    '',
    `Estate \`${report.estate}\`, ${report.servers.length} servers, ${report.startedAt} → ${report.endedAt ?? 'running'}: ` +
      [...counts].map(([k, v]) => `${v} ${k}`).join(', '),
    '',
    ...(report.error ? [`**The run stopped:** ${cell(report.error)}`, ''] : []),
    '| Server | Application | Source server | Outcome | MGN job | EC2 instance | Phases | Post-launch actions | Reason |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.servers.map((s) =>
      [
        s.server,
        s.application,
        s.sourceServerID,
        ICON[s.outcome],
        s.jobID,
        s.ec2InstanceID,
        s.phases.map(minutes).join(', '),
        s.postLaunchActions.map((a) => `${a.document}: ${a.status}${a.failureReason ? ` (${a.failureReason})` : ''}`).join('; '),
        s.reason,
      ]
        .map(cell)
        .reduce((row, c) => `${row} ${c} |`, '|'),
    ),
  ];
  return lines.join('\n') + '\n';
}

const mermaidTime = (iso: string) => iso.slice(0, 19).replace('T', ' ');
const mermaidName = (s: string) => s.replace(/[:;#,]/g, ' ');

/** A Mermaid gantt chart of the phases, one section per server (capped to keep the summary readable). */
export function renderGantt(report: WaveReport, maxServers = 60): string {
  const shown = report.servers.filter((s) => s.phases.some((p) => p.end)).slice(0, maxServers);
  const lines = ['```mermaid', 'gantt', `  title ${mermaidName(`${report.wave} ${report.mode}`)}`, '  dateFormat YYYY-MM-DD HH:mm:ss', '  axisFormat %H:%M'];
  shown.forEach((s) => {
    lines.push(`  section ${mermaidName(s.server)}`);
    s.phases
      .filter((p) => p.end && p.phase !== 'resolve')
      .forEach((p) => {
        const tag = p.outcome === 'failed' ? 'crit, ' : 'done, ';
        lines.push(`  ${p.phase} :${tag}${mermaidTime(p.start)}, ${mermaidTime(p.end!)}`);
      });
  });
  lines.push('```');
  const hidden = report.servers.length - shown.length;
  return lines.join('\n') + '\n' + (hidden > 0 ? `\n_${hidden} more servers are in the JSON report._\n` : '');
}

/** Everything a human reads: the table, then the timeline. */
export function renderSummary(report: WaveReport): string {
  return `${renderMarkdown(report)}\n### Timeline\n\n${renderGantt(report)}`;
}
