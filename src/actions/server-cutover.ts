/**
 * GitHub Action `server-cutover`: one matrix job per server. Never launches (the plan job did):
 * waits for the server's launch job, verifies it (job LAUNCHED, EC2 2/2, post-launch SUCCESS, TCP
 * checks) and takes the mode's last step; a server the plan could not launch is reported failed
 * with the reason. Writes its part of the report, also when resolution or preflight refuses it.
 */
import * as core from '@actions/core';
import { WaveRun } from '../runbook/run-wave';
import { actionRuntime, InputError, runAction, runLeavingReport, waveInputs, writeReportPart } from './wave-common';

runAction(async () => {
  const { config, wave, mode } = waveInputs();
  const server = core.getInput('server', { required: true }).trim();
  if (!/^[a-z0-9-]+$/.test(server)) throw new InputError(`input "server" must be one server name from factory.yaml, got "${server}"`);
  // The plan job synced MGN's plan and started the launches; a server job only verifies and finishes.
  const run = new WaveRun(actionRuntime(config), { wave, mode, servers: [server], syncMgn: false, launch: false });
  const part = `server-${server}`;
  const report = await runLeavingReport(run, part).catch((e: Error) => {
    core.setOutput('outcome', run.stoppedReport?.servers[0]?.outcome ?? 'failed');
    throw e;
  });
  const mine = report.servers[0];
  core.setOutput('report-file', writeReportPart(report, part));
  core.setOutput('outcome', mine.outcome);
  core.setOutput('instance-id', mine.ec2InstanceID ?? '');
  core.setOutput('job-id', mine.jobID ?? '');
  if (mine.outcome === 'failed' || mine.outcome === 'excluded') core.setFailed(`${server}: ${mine.reason}`);
  else core.info(`${server}: ${mine.outcome}${mine.reason ? ` (${mine.reason})` : ''}`);
});
