/**
 * GitHub Action `vm-import` (actions/vm-import/action.yml): turns the inputs into the CLI's arguments
 * (same parser, same validation), runs the VM Import runbook, writes the job summary and the report,
 * and sets the outputs. All logic lives in src/vm-import/ and knows nothing about GitHub.
 */
import * as core from '@actions/core';
import { asImportFailure, parseVmImportArgs } from '../vm-import/args';
import { defaultConfigPath } from '../config/locate';
import { loadFactoryFile } from '../config/load';
import { systemClock } from '../core/clock';
import { VmImportReport, writeReport } from '../vm-import/report';
import { runVmImport } from '../vm-import/run';
import { createVmImportClients, defaultReportPath, destroyVmImportClients } from '../vm-import/session';
import { runAction } from './run-action';

/** Action inputs → CLI arguments: one parser for both entry points. */
export function inputsToArgs(get: (name: string) => string): string[] {
  const args: string[] = [];
  const value = (input: string, flag = input) => {
    const v = get(input).trim();
    if (v) args.push(`--${flag}`, v);
  };
  const flag = (input: string) => {
    if (get(input).trim() === 'true') args.push(`--${input}`);
  };
  value('image-path', 'image');
  value('s3-key');
  for (const name of ['format', 'os', 'server', 'kms-key', 'license-type', 'boot-mode', 'placement', 'checksums', 'state', 'concurrency', 'report', 'config']) value(name);
  for (const name of ['launch', 'stop-first', 'keep-object']) flag(name);
  return args;
}

function summary(r: VmImportReport): string {
  const mib = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MiB`;
  const rows: Array<[string, string]> = [
    ['outcome', r.outcome + (r.error ? `: ${r.error}` : '')],
    ['image', `${r.image.source} (${r.image.format}, ${r.image.os}, ${mib(r.image.size)})`],
  ];
  if (r.image.sha256) rows.push(['SHA-256', `\`${r.image.sha256}\``]);
  if (r.upload) rows.push(['upload', `${r.upload.partsSent} parts sent, ${r.upload.partsResumed} resumed, ${mib(r.upload.bytesPerSecond)}/s`]);
  if (r.import) rows.push(['import', `${r.import.importTaskId} → ${r.import.imageId} (${r.import.statuses.join(' → ')})`]);
  if (r.launch) rows.push(['instance', `${r.launch.instanceId} in ${r.launch.subnetId}, status checks ${r.launch.statusChecks.system}/${r.launch.statusChecks.instance}`]);
  if (r.integrity) rows.push(['integrity', `SSM ${r.integrity.pingStatus}; ${r.integrity.files.filter((f) => f.ok).length}/${r.integrity.files.length} files match`]);
  if (r.object) rows.push(['object', `s3://${r.object.bucket}/${r.object.key} ${r.object.deleted ? 'deleted' : 'kept'}`]);
  return `## VM Import${r.server ? `: ${r.server}` : ''}\n\n| | |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`).join('\n')}\n`;
}

async function run(): Promise<void> {
  const { request, configFile, reportPath } = parseVmImportArgs(inputsToArgs((n) => core.getInput(n)));
  const { config } = loadFactoryFile(configFile ?? defaultConfigPath());
  const report = reportPath ?? defaultReportPath(request.image);
  core.setOutput('report', report);
  const clients = createVmImportClients(config);
  let last: VmImportReport | undefined;
  try {
    const r = await runVmImport(request, {
      config,
      clients,
      clock: systemClock,
      log: (l) => core.info(l),
      // CI logs: periodic progress lines, never a redrawn bar.
      progress: { isTTY: false, write: (t) => core.info(t.trimEnd()) },
      onReport: (rep) => {
        last = rep;
        writeReport(report, rep);
      },
    });
    core.setOutput('image-id', r.import?.imageId ?? '');
    core.setOutput('import-task-id', r.import?.importTaskId ?? '');
    core.setOutput('instance-id', r.launch?.instanceId ?? '');
  } catch (e) {
    throw asImportFailure(e);
  } finally {
    destroyVmImportClients(clients);
    if (last) await core.summary.addRaw(summary(last)).write();
  }
}

if (require.main === module) runAction(run);
