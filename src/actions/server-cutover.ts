/**
 * GitHub Action `server-cutover`: one matrix job per server. Waits for the server's launch (or
 * launches it when the plan could not), verifies it (job LAUNCHED, EC2 2/2, post-launch SUCCESS,
 * TCP checks) and takes the mode's last step; writes its part of the report.
 */
import * as core from '@actions/core';
import { runWave } from '../runbook/run-wave';
import { actionRuntime, InputError, runAction, waveInputs, writeReportPart } from './wave-common';

runAction(async () => {
  const { config, wave, mode } = waveInputs();
  const server = core.getInput('server', { required: true }).trim();
  if (!/^[a-z0-9-]+$/.test(server)) throw new InputError(`input "server" must be one server name from factory.yaml, got "${server}"`);
  // The plan job synced MGN's plan and started the launches; a server job only verifies and finishes.
  const report = await runWave(actionRuntime(config), { wave, mode, servers: [server], syncMgn: false, launch: false });
  const mine = report.servers[0];
  core.setOutput('report-file', writeReportPart(report, `server-${server}`));
  core.setOutput('outcome', mine.outcome);
  core.setOutput('instance-id', mine.ec2InstanceID ?? '');
  core.setOutput('job-id', mine.jobID ?? '');
  if (mine.outcome === 'failed' || mine.outcome === 'excluded') core.setFailed(`${server}: ${mine.reason}`);
  else core.info(`${server}: ${mine.outcome}${mine.reason ? ` (${mine.reason})` : ''}`);
});
