/**
 * What the wave actions that run the runbook (wave-plan, server-cutover) share: inputs → runtime
 * (clients, clock, logger) and the report parts they hand to wave-report as artifacts. wave-report
 * only merges parts and does not import this module, which loads the estate loader and the AWS
 * clients. The logic stays in src/runbook/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { loadFactoryFile } from '../config/load';
import type { FactoryConfig } from '../config/schema';
import { createRunbookClients } from '../runbook/clients';
import { systemClock } from '../runbook/context';
import { isMode, type Mode, MODES } from '../runbook/lifecycle';
import { renderMarkdown, type WaveReport } from '../runbook/report';
import { abortOnSignals } from '../core/interrupt';
import { runWithReport } from '../runbook/outcome';
import type { WaveOutcome } from '../runbook/wave/options';
import type { WaveRun } from '../runbook/wave/run';
import type { Runtime } from '../runbook/runtime';
import { InputError } from './failure';

export interface WaveInputs {
  readonly config: FactoryConfig;
  readonly wave: string;
  readonly mode: Mode;
}

/** config, wave and mode, validated. */
export function waveInputs(): WaveInputs {
  const file = core.getInput('config') || 'factory.yaml';
  const wave = core.getInput('wave', { required: true }).trim();
  const mode = core.getInput('mode', { required: true }).trim();
  if (!isMode(mode)) throw new InputError(`input "mode" must be one of ${MODES.join(', ')}, got "${mode}"`);
  const { config } = loadFactoryFile(file);
  return { config, wave, mode };
}

export function booleanInput(name: string): boolean {
  const v = core.getInput(name).trim().toLowerCase();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new InputError(`input "${name}" must be true or false, got "${v}"`);
}

/** Runtime against AWS; endpoints follow AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL and factory.yaml. */
export function actionRuntime(config: FactoryConfig): Runtime {
  const seconds = core.getInput('poll-interval-seconds').trim();
  if (seconds && !(Number.isInteger(Number(seconds)) && Number(seconds) >= 1)) throw new InputError(`input "poll-interval-seconds" must be a whole number of seconds ≥ 1, got "${seconds}"`);
  const effective = seconds ? { ...config, runbook: { ...config.runbook, pollIntervalSeconds: Number(seconds) } } : config;
  return {
    config: effective,
    clients: createRunbookClients(config),
    clock: systemClock,
    logger: { info: (l) => core.info(l), warn: (l) => core.warning(l) },
    // A cancelled workflow sends SIGINT (then SIGTERM): the run stops and still leaves its report.
    signal: abortOnSignals().signal,
  };
}

/** Writes a report part where the workflow uploads it as an artifact; returns its path. */
export function writeReportPart(report: WaveReport, name: string): string {
  const dir = core.getInput('report-dir') || 'rehost-report';
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}

/**
 * Runs the wave and leaves its report part and job summary whatever happens: success, refusal
 * (resolution, preflight), failure, interruption, so wave-report shows every server and why.
 */
export function runLeavingReport(run: WaveRun, part: string): Promise<WaveOutcome> {
  return runWithReport(
    () => run.run(),
    async (report) => {
      core.setOutput('report-file', writeReportPart(report, part));
      await core.summary.addRaw(renderMarkdown(report)).write();
    },
  );
}
