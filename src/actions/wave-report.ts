/**
 * GitHub Action `wave-report`: merges the plan's and the server jobs' report parts into the audit
 * trail (JSON), writes the job summary (table + Mermaid timeline) and fails when any server failed.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { failedServers, mergeReports, renderSummary, type WaveReport } from '../runbook/report';
import { InputError } from './failure';
import { runAction } from './run-action';

function partsIn(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? partsIn(path) : name.endsWith('.json') ? [path] : [];
  });
}

runAction(async () => {
  const dir = core.getInput('reports-dir', { required: true });
  let files: string[];
  try {
    files = partsIn(dir);
  } catch {
    throw new InputError(`input "reports-dir": ${dir} is not a readable directory`);
  }
  if (!files.length) throw new InputError(`input "reports-dir": no report parts (*.json) in ${dir}; did the plan job upload its part?`);
  const parts = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as WaveReport);
  const report = mergeReports(parts);
  report.servers = report.servers.map((s) =>
    // A server the plan handed to a job that never reported (cancelled, runner lost) is not a success.
    s.outcome === 'planned' && !report.dryRun ? { ...s, outcome: 'failed', reason: `no result from its server job (${s.reason ?? 'cancelled or lost'})` } : s,
  );
  const out = core.getInput('report-file') || 'wave-report.json';
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  await core.summary.addRaw(renderSummary(report)).write();
  const failed = failedServers(report);
  core.setOutput('report-file', out);
  core.setOutput('failed', String(failed.length));
  core.setOutput('succeeded', String(report.servers.filter((s) => s.outcome === 'succeeded').length));
  if (failed.length) core.setFailed(`${failed.length} of ${report.servers.length} servers did not make it: ${failed.map((s) => `${s.server} (${s.reason})`).join('; ')}`);
  else if (report.error) core.setFailed(`the run stopped before every server reached its outcome: ${report.error}`);
});
