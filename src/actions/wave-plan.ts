/**
 * GitHub Action `wave-plan`: resolve the wave's servers, preflight (stops before any change),
 * keep MGN's wave and applications in step, write launch templates and start the quota-batched
 * launches; outputs the per-server matrix (split in chunks of 256, GitHub's matrix limit).
 */
import * as core from '@actions/core';
import { MATRIX_LIMIT, WAVE_MATRIX_CHUNKS } from '../config/dispatch';
import { WaveRun } from '../runbook/wave/run';
import { parseServerList, selectServers } from '../runbook/select';
import { InputError } from './failure';
import { runAction } from './run-action';
import { actionRuntime, booleanInput, runLeavingReport, waveInputs } from './wave-common';

export { MATRIX_LIMIT };

/** A whole number ≥ 1, or a clear error naming the input (before any AWS call). */
function wholeNumberInput(name: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InputError(`input "${name}" must be a whole number ≥ 1, got "${value}"`);
  return Number(value);
}

runAction(async () => {
  const { config, wave, mode } = waveInputs();
  const dryRun = booleanInput('dry-run');
  const chunks = wholeNumberInput('matrix-chunks', core.getInput('matrix-chunks').trim() || String(WAVE_MATRIX_CHUNKS));
  const servers = parseServerList(core.getInput('servers'));
  // Checked before any AWS call: launches must not start for servers no matrix job would follow.
  const selected = selectServers(config, wave, servers).servers.length;
  if (Math.ceil(selected / MATRIX_LIMIT) > chunks) {
    throw new InputError(`wave ${wave} has ${selected} servers: more than the ${chunks} × ${MATRIX_LIMIT} server jobs the cutover workflow fans out to; raise WAVE_MATRIX_CHUNKS in src/config/dispatch.ts or split the wave`);
  }
  const rt = actionRuntime(config);
  const run = new WaveRun(rt, { wave, mode, servers, dryRun, continueWithoutFailing: booleanInput('continue-without-failing'), until: 'launched' });
  const { plan, report } = await runLeavingReport(run, 'plan');
  // Every server that is not excluded gets a matrix job: it verifies, or reports "unchanged".
  const entries = report.servers.filter((s) => s.outcome !== 'excluded' && s.outcome !== 'failed').map((s) => ({ server: s.server, application: s.application }));
  const needed = Math.ceil(entries.length / MATRIX_LIMIT);
  // Each chunk is a JSON list of server names (the workflow's `matrix.server`); unused chunks are [].
  for (let i = 0; i < chunks; i++) core.setOutput(`matrix-${i + 1}`, JSON.stringify(entries.slice(i * MATRIX_LIMIT, (i + 1) * MATRIX_LIMIT).map((e) => e.server)));
  core.setOutput('matrix-count', String(needed));
  core.setOutput('server-count', String(entries.length));
  core.setOutput('plan', JSON.stringify(plan));
  const failed = report.servers.filter((s) => s.outcome === 'failed' || s.outcome === 'excluded');
  if (failed.length) core.warning(`${failed.length} server(s) will not run: ${failed.map((s) => `${s.server} (${s.reason})`).join('; ')}`);
});
