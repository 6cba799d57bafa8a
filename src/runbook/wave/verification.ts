/** Verification of a launched instance: EC2 status checks, then post-launch actions, then TCP checks. */
import { DescribeInstanceStatusCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import type { Job } from '@aws-sdk/client-mgn';
import { chunk } from '../batching';
import { documentName, postLaunchDocuments } from '../../config/placement';
import { connectProbe } from '../net';
import { call } from '../runtime';
import { postLaunchWait } from './presentation';
import type { Track, WaveState } from './state';
import { begin, end, fail, setStage, timeout } from './tracking';

/** EC2 status checks 2/2 (system and instance), read for all waiting servers at once. */
export async function checkStatus(s: WaveState): Promise<void> {
  const { rt } = s;
  const waiting = s.tracks.filter((t) => t.stage === 'status-checks');
  for (const part of chunk(waiting, 100)) {
    const r = await call(rt, 'ec2:DescribeInstanceStatus', () =>
      rt.clients.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: part.map((t) => t.instanceID!), IncludeAllInstances: true })),
    );
    for (const t of part) {
      const st = r.InstanceStatuses?.find((x) => x.InstanceId === t.instanceID);
      const state = st?.InstanceState?.Name;
      if (state && ['shutting-down', 'terminated', 'stopping', 'stopped'].includes(state)) fail(s, t, `instance ${t.instanceID} is ${state}`);
      else if (state === 'running' && st?.InstanceStatus?.Status === 'ok' && st?.SystemStatus?.Status === 'ok') {
        end(s, t, 'ok', '2/2 checks passed');
        begin(s, t, 'post-launch');
        setStage(s, t, 'post-launch');
      } else timeout(s, t, rt.config.runbook.statusCheckTimeoutMinutes, `status checks of ${t.instanceID} (${state ?? 'unknown'}, system ${st?.SystemStatus?.Status ?? '?'}, instance ${st?.InstanceStatus?.Status ?? '?'})`);
    }
  }
}

/**
 * Post-launch SSM actions as MGN reports them in the job, SUCCESS for every one expected. MGN
 * lists them only after it discovered the SSM agent (ssmAgentDiscoveryDatetime), so an empty or
 * partial list is waited on, bounded by runbook.postLaunchTimeoutMinutes.
 */
export async function checkPostLaunch(s: WaveState, jobs: Map<string, Job>): Promise<void> {
  const expected = s.options.mode === 'test' || s.options.mode === 'cutover' || s.options.mode === 'finalize' ? postLaunchDocuments(s.rt.config, s.options.mode === 'test' ? 'test' : 'cutover') : [];
  for (const t of s.tracks.filter((x) => x.stage === 'post-launch')) {
    const status = jobs.get(t.jobID!)?.participatingServers?.find((x) => x.sourceServerID === t.resolved.sourceServerID)?.postLaunchActionsStatus;
    const list = status?.postLaunchActionsLaunchStatusList ?? [];
    t.report.postLaunchActions = list.map((a) => ({ document: documentName(a.ssmDocument?.ssmDocumentName ?? '') || (a.ssmDocument?.actionName ?? '?'), status: a.executionStatus ?? 'UNKNOWN', executionID: a.executionID, failureReason: a.failureReason }));
    const missing = expected.filter((d) => !t.report.postLaunchActions.some((a) => a.document === d));
    const failed = t.report.postLaunchActions.filter((a) => a.status === 'FAILED');
    if (failed.length) fail(s, t, `post-launch action${failed.length === 1 ? '' : 's'} failed: ${failed.map((a) => `${a.document}${a.failureReason ? ` (${a.failureReason})` : ''}`).join('; ')}`);
    else if (!missing.length && t.report.postLaunchActions.every((a) => a.status === 'SUCCESS')) {
      if (list.length) end(s, t, 'ok', `${list.length} action${list.length === 1 ? '' : 's'} SUCCESS`);
      else end(s, t, 'skipped', 'no post-launch actions');
      setStage(s, t, 'tcp-checks');
    } else timeout(s, t, s.rt.config.runbook.postLaunchTimeoutMinutes, postLaunchWait(t.instanceID, status?.ssmAgentDiscoveryDatetime, t.report.postLaunchActions, missing));
  }
}

/** Optional TCP checks (runbook.tcpChecks) against the instance's private IP. */
export async function checkTcp(s: WaveState): Promise<void> {
  const { rt } = s;
  const waiting = s.tracks.filter((t) => t.stage === 'tcp-checks');
  const ports = (t: Track) => rt.config.runbook.tcpChecks.filter((c) => !c.server || c.server === t.resolved.server.name).map((c) => c.port);
  const needIp = waiting.filter((t) => ports(t).length && !t.privateIp);
  for (const part of chunk(needIp, 100)) {
    const r = await call(rt, 'ec2:DescribeInstances', () => rt.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: part.map((t) => t.instanceID!) })));
    const all = (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
    for (const t of part) t.privateIp = all.find((i) => i.InstanceId === t.instanceID)?.PrivateIpAddress;
  }
  for (const t of waiting) {
    const wanted = ports(t);
    if (!wanted.length) {
      setStage(s, t, 'final');
      continue;
    }
    if (!t.report.phases.some((p) => p.phase === 'tcp-checks')) begin(s, t, 'tcp-checks');
    const probe = rt.tcpProbe ?? connectProbe;
    const results = await Promise.all(wanted.map((port) => (t.privateIp ? probe(t.privateIp, port, 5000) : Promise.resolve(false))));
    if (results.every(Boolean)) {
      end(s, t, 'ok', `${t.privateIp}: ${wanted.join(', ')} open`);
      setStage(s, t, 'final');
    } else timeout(s, t, rt.config.runbook.tcpCheckTimeoutMinutes, `TCP ${wanted.filter((_, i) => !results[i]).join(', ')} on ${t.privateIp ?? 'an unknown IP'}`);
  }
}
