/**
 * GitHub Action `server-cutover`: one matrix job per server. Never launches (the plan job did):
 * waits for the server's launch job, verifies it (job LAUNCHED, EC2 2/2, post-launch SUCCESS, TCP
 * checks) and takes the mode's last step; a server the plan could not launch is reported failed
 * with the reason. Writes its part of the report, also when resolution or preflight refuses it.
 */
import * as core from '@actions/core';
import { reportOf } from '../runbook/outcome';
import { waveRun } from '../runbook/wave/run';
import { InputError } from './failure';
import { runAction } from './run-action';
import { actionRuntime, runLeavingReport, waveInputs } from './wave-common';

runAction(async () => {
  const { config, wave, mode } = waveInputs();
  const server = core.getInput('server', { required: true }).trim();
  if (!/^[a-z0-9-]+$/.test(server)) throw new InputError(`input "server" must be one server name from factory.yaml, got "${server}"`);
  // The plan job synced MGN's plan and started the launches; a server job only verifies and finishes.
  const run = waveRun(actionRuntime(config), { wave, mode, servers: [server], syncMgn: false, launch: false });
  const { report } = await runLeavingReport(run, `server-${server}`).catch((e: Error) => {
    core.setOutput('outcome', reportOf(e)?.servers[0]?.outcome ?? 'failed');
    throw e;
  });
  const mine = report.servers[0];
  core.setOutput('outcome', mine.outcome);
  core.setOutput('instance-id', mine.ec2InstanceID ?? '');
  core.setOutput('job-id', mine.jobID ?? '');
  if (mine.outcome === 'failed' || mine.outcome === 'excluded') core.setFailed(`${server}: ${mine.reason}`);
  else core.info(`${server}: ${mine.outcome}${mine.reason ? ` (${mine.reason})` : ''}`);
});
