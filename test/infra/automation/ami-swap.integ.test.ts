import { randomUUID } from 'node:crypto';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { AmiSwapSettings, amiSwapSection } from '../../../src/config/sections/automation';
import { SNSClient } from '@aws-sdk/client-sns';
import { applyRetention } from '../../../src/infra/lambdas/apply-retention';
import { recoverStoppedRun } from '../../../src/infra/lambdas/recover-stopped-run';
import { imageName, resolveBackupTarget } from '../../../src/infra/lambdas/resolve-backup-target';
import { agentNotYetRegistered, AMI_SWAP_PIPELINE, amiSwapDefinition, amiSwapTimeoutSeconds, GROUP_TAG } from '../../../src/infra/state-machines/ami-swap';
import { BACKUP_JOB_TAG, GROUP_LOCK_PREFIX } from '../../../src/infra/state-machines/identifiers';
import { HISTORY_EVENT_LIMIT, worstCaseHistoryEvents } from '../../../src/infra/state-machines/history';
import { PIPELINE_TAG } from '../../../src/infra/state-machines/re-encryption';
import { motoClientConfig, MotoServer, startMoto } from '../../support/moto';
import { claims, createPipelineResources, launchInstance, publicImage, REGION } from './support/estate';
import { sampleEvent } from './support/fixtures';
import { tagOnCreateModel } from './support/tag-on-create';
import { expectStatus, historyEventsOfRun, LocalRunOptions, LocalRunResult, runLocally } from './support/local-run';

const STAGING = '111111111111';
const RESOLVE_ARN = `arn:aws:lambda:${REGION}:${STAGING}:function:resolve-backup-target`;
const RETENTION_ARN = `arn:aws:lambda:${REGION}:${STAGING}:function:apply-retention`;

let moto: MotoServer;
let res: Awaited<ReturnType<typeof createPipelineResources>>;
let asg: AutoScalingClient;

beforeAll(async () => {
  moto = await startMoto({ accountId: STAGING });
  res = await createPipelineResources(moto.url);
  asg = new AutoScalingClient(motoClientConfig(moto.url, REGION));
});
afterAll(() => moto?.stop());

const ec2 = (): EC2Client => res.ec2;
const recoverClients = () => {
  const cfg = motoClientConfig(moto.url, REGION);
  return { dynamodb: new DynamoDBClient(cfg), autoscaling: asg, ec2: ec2(), sns: new SNSClient(cfg) };
};
const settings = (over: Partial<AmiSwapSettings> = {}): AmiSwapSettings => ({ ...amiSwapSection.parse({}), ...over });

interface Estate {
  readonly group: string;
  readonly templateId: string;
  readonly instanceId: string;
  readonly backupImageId: string;
}

/**
 * An Auto Scaling group on a launch template whose default (v1) is not its latest (v2), and a backup
 * image of one of its instances, as AWS Backup leaves it.
 */
async function groupWithBackup(o: { windows?: boolean; mixed?: boolean } = {}): Promise<Estate> {
  const { subnetId } = await launchInstance(ec2());
  const baseImageId = await publicImage(ec2(), o.windows ? 'windows' : 'linux');
  const group = `web-${randomUUID().slice(0, 8)}`;
  const { LaunchTemplate } = await ec2().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: `${group}-lt`, LaunchTemplateData: { ImageId: baseImageId, InstanceType: 't3.micro' } }));
  const templateId = LaunchTemplate!.LaunchTemplateId!;
  await ec2().send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templateId, SourceVersion: '1', LaunchTemplateData: { ImageId: baseImageId, InstanceType: 't3.large' } }));
  const spec = { LaunchTemplateId: templateId, Version: '$Default' };
  await asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: group,
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      VPCZoneIdentifier: subnetId,
      ...(o.mixed ? { MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: spec, Overrides: [{ InstanceType: 't3.micro' }, { InstanceType: 't3a.micro' }] } } } : { LaunchTemplate: spec }),
    }),
  );
  const { AutoScalingGroups = [] } = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  const instanceId = AutoScalingGroups[0].Instances![0].InstanceId!;
  const { ImageId } = await ec2().send(new CreateImageCommand({ InstanceId: instanceId, Name: `AwsBackup_${instanceId}_${randomUUID().slice(0, 8)}` }));
  return { group, templateId, instanceId, backupImageId: ImageId! };
}

function backupEvent(e: { instanceId: string; backupImageId: string }, backupJobId = randomUUID()) {
  const { event } = sampleEvent('backup-job-state-change-completed-ec2');
  event.region = REGION;
  event.resources = [`arn:aws:ec2:${REGION}::image/${e.backupImageId}`];
  event.detail.resourceArn = `arn:aws:ec2:${REGION}:${STAGING}:instance/${e.instanceId}`;
  event.detail.backupJobId = backupJobId;
  return event;
}

/** moto has no instance refresh: the refresh's answer is injected and its request asserted. */
const refreshAnswer = { StartInstanceRefresh: async () => ({ InstanceRefreshId: 'refresh-0001' }) };

function run(event: object, s: AmiSwapSettings, extra: Partial<LocalRunOptions> = {}) {
  const { definition } = amiSwapDefinition({ resolveFunctionArn: RESOLVE_ARN, retentionFunctionArn: RETENTION_ARN, claimsTable: res.table, topicArn: res.topicArn, settings: s });
  return runLocally(definition, event, {
    motoUrl: moto.url,
    region: REGION,
    lambdas: {
      [RESOLVE_ARN]: (e) => resolveBackupTarget({ ec2: ec2(), autoscaling: asg }, e, { tags: { [PIPELINE_TAG]: AMI_SWAP_PIPELINE }, lockSeconds: amiSwapTimeoutSeconds(s) }),
      [RETENTION_ARN]: (r) => applyRetention(ec2(), r),
    },
    ...extra,
    inject: { ...tagOnCreateModel(ec2()), ...refreshAnswer, ...extra.inject },
  });
}

async function groupState(name: string) {
  const { AutoScalingGroups = [] } = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return AutoScalingGroups[0];
}

async function defaultVersion(templateId: string) {
  const { LaunchTemplateVersions = [] } = await ec2().send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: ['$Default'] }));
  return LaunchTemplateVersions[0];
}

async function instanceState(id: string) {
  const { Reservations = [] } = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return Reservations[0].Instances![0].State!.Name;
}

async function pipelineImages(group: string) {
  const { Images = [] } = await ec2().send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: `tag:${GROUP_TAG}`, Values: [group] }] }));
  return Images;
}

test('happy path (Linux): temp instance, image, new default version from the default, group updated and refreshed, retention applied', async () => {
  const e = await groupWithBackup();
  // three older images of this group made by earlier swaps: with keepImages 3, the oldest goes
  const older: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { ImageId } = await ec2().send(new CreateImageCommand({ InstanceId: e.instanceId, Name: `${e.group}-old-${i}` }));
    await ec2().send(new CreateTagsCommand({ Resources: [ImageId!], Tags: [{ Key: PIPELINE_TAG, Value: AMI_SWAP_PIPELINE }, { Key: GROUP_TAG, Value: e.group }] }));
    older.push(ImageId!);
    await new Promise((r) => setTimeout(r, 1100)); // distinct CreationDate seconds
  }
  const r = await run(backupEvent(e), settings());
  expectStatus(r, 'SUCCEEDED');
  const call = (state: string) => r.calls.find((c) => c.state === state && !c.error)!;
  expect(call('ClampMaxSize').input).toEqual({ AutoScalingGroupName: e.group, MaxSize: 2 });
  const launch = call('LaunchTemporaryInstance').input;
  expect(launch).toMatchObject({ ImageId: e.backupImageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false }] });
  expect(launch.ClientToken).toMatch(/^swap-[0-9a-f-]{36}-1$/);
  expect(call('LaunchTemporaryInstance').input.NetworkInterfaces[0].SubnetId).toMatch(/^subnet-/);
  expect(call('InstancePollCheck').input).toMatchObject({ IncludeAllInstances: true });
  expect(r.path).not.toContain('RunSysprep');
  // the new version comes from the default version (1), not from the latest (2)
  expect(call('CreateLaunchTemplateVersion').input).toMatchObject({ LaunchTemplateId: e.templateId, SourceVersion: '1' });
  const newImageId = call('CreateImage').output.ImageId;
  expect(call('CreateImage').input.TagSpecifications.map((t: { ResourceType: string }) => t.ResourceType)).toEqual(['image', 'snapshot']);
  const { Snapshots: [snapshot] = [] } = await ec2().send(new DescribeSnapshotsCommand({ Filters: [{ Name: `tag:${GROUP_TAG}`, Values: [e.group] }] }));
  expect(snapshot?.Tags).toEqual(expect.arrayContaining([{ Key: PIPELINE_TAG, Value: AMI_SWAP_PIPELINE }]));
  const v = await defaultVersion(e.templateId);
  expect(v.VersionNumber).toBe(3);
  expect(v.LaunchTemplateData!.ImageId).toBe(newImageId);
  const g = await groupState(e.group);
  expect(g.MaxSize).toBe(4);
  expect(g.LaunchTemplate).toMatchObject({ LaunchTemplateId: e.templateId, Version: '$Default' });
  expect(call('StartInstanceRefresh').input).toEqual({ AutoScalingGroupName: e.group, Strategy: 'Rolling', Preferences: { MinHealthyPercentage: 90, SkipMatching: true } });
  expect(await instanceState(call('LaunchTemporaryInstance').output.Instances[0].InstanceId)).toBe('terminated');
  // retention: the new image and the two newest older ones stay; the oldest and its snapshots are gone
  const left = (await pipelineImages(e.group)).map((i) => i.ImageId).sort();
  expect(left).toEqual([newImageId, older[1], older[2]].sort());
  const removed = call('ApplyRetention').output.removed as Array<{ imageId: string; snapshotIds: string[] }>;
  expect(removed.map((x) => x.imageId)).toEqual([older[0]]);
  const { Snapshots = [] } = await ec2().send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  for (const id of removed[0].snapshotIds) expect(Snapshots.map((s) => s.SnapshotId)).not.toContain(id);
  const backupJobId = r.calls[0].input.event.detail.backupJobId;
  expect((await claims(moto.url, res.table))[`ami-swap#${backupJobId}`]).toBe('DONE');
  expect(call('NotifySuccess').input.Message).toBe(`Auto Scaling group ${e.group} now launches image ${newImageId} (launch template ${e.templateId} version 3), made from backup job ${backupJobId}.`);
  expect(r.path[r.path.length - 1]).toBe('Done');
  expect(r.output).toEqual({ outcome: 'DONE', backupJobId, autoScalingGroup: e.group, imageId: newImageId, launchTemplateId: e.templateId, launchTemplateVersion: 3 });
});

test('Windows: Sysprep through SSM and its real outcome; a failed command rolls everything back', async () => {
  const e = await groupWithBackup({ windows: true });
  const ok = await run(backupEvent(e), settings({ instanceRefresh: { enabled: false, minHealthyPercentage: 90, skipMatching: true } }));
  expectStatus(ok, 'SUCCEEDED');
  expect(ok.calls.find((c) => c.state === 'RunSysprep')!.input).toMatchObject({ DocumentName: 'AWSEC2-RunSysprep' });
  expect(ok.path.indexOf('SysprepPollCheck')).toBeLessThan(ok.path.indexOf('CreateImage'));
  expect(ok.path).not.toContain('StartInstanceRefresh');

  // moto's commands always succeed: the one task that reads the outcome is given a failed one.
  const before = await defaultVersion(e.templateId);
  const failed = await run(backupEvent(e), settings(), {
    inject: { SysprepPollCheck: async (_i, real) => ({ ...(await real()), Status: 'Failed', StatusDetails: 'Failed' }) },
  });
  expectStatus(failed, 'FAILED');
  expect(failed.error).toBe('SysprepFailed');
  expect(failed.path).toEqual(expect.arrayContaining(['Rollback', 'RestoreMaxSize', 'TerminateOnFailure', 'ReleaseClaim', 'NotifyFailure']));
  expect((await groupState(e.group)).MaxSize).toBe(4);
  const temp = failed.calls.find((c) => c.state === 'LaunchTemporaryInstance')!.output.Instances[0].InstanceId;
  expect(await instanceState(temp)).toBe('terminated');
  expect((await defaultVersion(e.templateId)).VersionNumber).toBe(before.VersionNumber);
  expect(failed.calls.some((c) => c.state === 'CreateImage')).toBe(false);
  expect(failed.calls.find((c) => c.state === 'NotifyFailure')!.input.Message).toContain('SysprepFailed');
  expect((await claims(moto.url, res.table))[`${GROUP_LOCK_PREFIX}${e.group}`]).toBeUndefined();
});

test('Windows: Sysprep waits (bounded) for the SSM agent to register', async () => {
  const e = await groupWithBackup({ windows: true });
  // moto's SSM takes any instance at once: the error SendCommand gives before the agent registered is injected
  const notRegistered = (times: number) => ({
    RunSysprep: async (_i: unknown, real: () => Promise<unknown>, attempt: number) => {
      if (attempt <= times) throw Object.assign(new Error('Instances [[i-0]] not in a valid state for account'), { name: 'Ssm.InvalidInstanceIdException' });
      return real();
    },
  });
  const noRefresh = settings({ instanceRefresh: { enabled: false, minHealthyPercentage: 90, skipMatching: true } });
  const r = await run(backupEvent(e), noRefresh, { inject: notRegistered(2) as never });
  expectStatus(r, 'SUCCEEDED');
  expect(r.calls.filter((c) => c.state === 'RunSysprep').map((c) => c.error ?? 'ok')).toEqual(['Ssm.InvalidInstanceIdException', 'Ssm.InvalidInstanceIdException', 'ok']);
  // an agent that never registers: the retries end, and the run rolls back
  const never = await run(backupEvent(e), noRefresh, { inject: notRegistered(1000) as never });
  expectStatus(never, 'FAILED');
  expect(never.error).toBe('Ssm.InvalidInstanceIdException');
  expect(never.calls.filter((c) => c.state === 'RunSysprep')).toHaveLength(1 + agentNotYetRegistered.MaxAttempts!);
  expect(never.path).toEqual(expect.arrayContaining(['RestoreMaxSize', 'TerminateOnFailure', 'ReleaseClaim']));
});

test('an instance outside any Auto Scaling group ends as nothing to do', async () => {
  const { instanceId } = await launchInstance(ec2());
  const { ImageId } = await ec2().send(new CreateImageCommand({ InstanceId: instanceId, Name: `AwsBackup_${instanceId}` }));
  const r = await run(backupEvent({ instanceId, backupImageId: ImageId! }), settings());
  expectStatus(r, 'SUCCEEDED');
  expect(r.path).toEqual(['Start', 'LocateGroup', 'InAutoScalingGroup?', 'NothingToDo']);
  expect(r.calls.find((c) => c.state === 'LocateGroup')!.output.reason).toContain('not in an Auto Scaling group');
});

test('a failed image is deregistered with its snapshots and MaxSize restored; the launch template is untouched', async () => {
  const e = await groupWithBackup({ mixed: true });
  const r = await run(backupEvent(e), settings(), {
    inject: { ImagePollCheck: async (_i, real) => ({ Images: ((await real()).Images as object[]).map((i) => ({ ...i, State: 'failed', StateReason: { Code: 'Client.InternalError', Message: 'snapshot creation failed' } })) }) },
  });
  expectStatus(r, 'FAILED');
  expect(r.error).toBe('ImageFailed');
  expect(r.cause).toContain('snapshot creation failed');
  expect(r.path).toEqual(expect.arrayContaining(['RestoreMaxSize', 'TerminateOnFailure', 'RollbackImageDeregister', 'RollbackImageDeleteSnapshots']));
  expect(await pipelineImages(e.group)).toEqual([]);
  expect((await groupState(e.group)).MaxSize).toBe(4);
  expect((await defaultVersion(e.templateId)).VersionNumber).toBe(1);
});

const failedImage = {
  ImagePollCheck: async (_i: unknown, real: () => Promise<{ Images: object[] }>) => ({
    Images: (await real()).Images.map((i) => ({ ...i, State: 'failed', StateReason: { Code: 'Client.InternalError', Message: 'snapshot creation failed' } })),
  }),
};

test('a re-run after a failure launches a new temporary instance (ClientToken with the claim attempt) and succeeds', async () => {
  const e = await groupWithBackup();
  const event = backupEvent(e);
  const failed = await run(event, settings(), { inject: failedImage as never });
  expectStatus(failed, 'FAILED');
  const key = `ami-swap#${event.detail.backupJobId}`;
  expect((await claims(moto.url, res.table))[key]).toBe('RELEASED');
  // the test harness answers a repeated ClientToken as EC2 does (with the first, now terminated, instance)
  const again = await run(event, settings());
  expectStatus(again, 'SUCCEEDED');
  const [first, second] = [failed, again].map((r) => r.calls.find((c) => c.state === 'LaunchTemporaryInstance' && !c.error)!);
  expect(first.input.ClientToken).toBe(`swap-${event.detail.backupJobId}-1`);
  expect(second.input.ClientToken).toBe(`swap-${event.detail.backupJobId}-2`);
  expect(second.output.Instances[0].InstanceId).not.toBe(first.output.Instances[0].InstanceId);
  expect(again.calls.find((c) => c.state === 'CreateLaunchTemplateVersion')!.input.ClientToken).toBe(second.input.ClientToken);
  expect((await claims(moto.url, res.table))[key]).toBe('DONE');
});

test('two backup jobs of one group at once (one plan backs up every instance): one swaps, the other ends Superseded', async () => {
  const e = await groupWithBackup();
  const [a, b] = [backupEvent(e), backupEvent(e)];
  // b starts while a has clamped MaxSize and is launching its temporary instance
  let later: ReturnType<typeof run> | undefined;
  const first = await run(a, settings(), {
    inject: {
      LaunchTemporaryInstance: async (_i, real) => {
        later ??= run(b, settings());
        await later;
        return real();
      },
    },
  });
  const second = await later!;
  expectStatus(first, 'SUCCEEDED');
  expectStatus(second, 'SUCCEEDED');
  expect(second.path[second.path.length - 1]).toBe('Superseded');
  expect(second.calls.map((c) => c.state)).not.toEqual(expect.arrayContaining(['ClampMaxSize']));
  // the original MaxSize, one new launch template version, one image
  expect((await groupState(e.group)).MaxSize).toBe(4);
  expect((await defaultVersion(e.templateId)).VersionNumber).toBe(3);
  expect(await pipelineImages(e.group)).toHaveLength(1);
  const items = await claims(moto.url, res.table);
  expect([items[`ami-swap#${a.detail.backupJobId}`], items[`ami-swap#${b.detail.backupJobId}`]]).toEqual(['DONE', 'DONE']);
  expect(items[`${GROUP_LOCK_PREFIX}${e.group}`]).toBeUndefined();
});

test('a lock held by a live run supersedes; one left by a run that died is taken over with its original MaxSize', async () => {
  const e = await groupWithBackup();
  const ddb = new DynamoDBClient(motoClientConfig(moto.url, REGION));
  const lockOf = (expiresAt: number) =>
    ddb.send(
      new PutItemCommand({
        TableName: res.table,
        Item: { pk: { S: `${GROUP_LOCK_PREFIX}${e.group}` }, execution: { S: 'arn:aws:states:eu-west-1:111111111111:execution:swap:dead' }, expiresAt: { N: String(expiresAt) }, maxSize: { N: '4' } },
      }),
    );
  // what the other run left: MaxSize clamped to the desired capacity, and its lock holding the original
  await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: e.group, MaxSize: 2 }));
  const now = Math.floor(Date.now() / 1000);
  await lockOf(now + 3600);
  const held = await run(backupEvent(e), settings());
  expectStatus(held, 'SUCCEEDED');
  expect(held.path[held.path.length - 1]).toBe('Superseded');
  await lockOf(now - 60);
  const takeover = await run(backupEvent(e), settings());
  expectStatus(takeover, 'SUCCEEDED');
  expect(takeover.path[takeover.path.length - 1]).toBe('Done');
  expect(takeover.calls.find((c) => c.state === 'UpdateGroupLaunchTemplate')!.input.MaxSize).toBe(4);
  expect((await groupState(e.group)).MaxSize).toBe(4);
  expect((await claims(moto.url, res.table))[`${GROUP_LOCK_PREFIX}${e.group}`]).toBeUndefined();
});

test('a stopped execution (no Catch runs) is cleaned up by the recovery handler, and the backup job can run again', async () => {
  const e = await groupWithBackup();
  const event = backupEvent(e);
  const stopped = await run(event, settings(), { abortAt: 'InstancePollCheck' });
  expect(stopped.status).toBe('ABORTED');
  expect(stopped.path[stopped.path.length - 1]).toBe('InstancePollCheck'); // nothing ran after the stop
  const temp = stopped.calls.find((c) => c.state === 'LaunchTemporaryInstance' && !c.error)!.output.Instances[0].InstanceId;
  const key = `ami-swap#${event.detail.backupJobId}`;
  const lockKey = `${GROUP_LOCK_PREFIX}${e.group}`;
  // what a stopped execution leaves behind
  expect((await groupState(e.group)).MaxSize).toBe(2);
  expect(await claims(moto.url, res.table)).toMatchObject({ [key]: 'IN_PROGRESS', [lockKey]: 'LOCKED' });
  // the rule's event (AWS's documented sample, for this execution)
  const { event: ended } = sampleEvent('sfn-execution-status-change-aborted');
  Object.assign(ended.detail, { executionArn: stopped.executionArn, stateMachineArn: `arn:aws:states:${REGION}:${STAGING}:stateMachine:swap` });
  const report = await recoverStoppedRun(recoverClients(), ended, { tableName: res.table, topicArn: res.topicArn });
  expect(report.actions).toEqual([
    `MaxSize of Auto Scaling group ${e.group} restored to 4`,
    `lock of Auto Scaling group ${e.group} released`,
    `temporary instance ${temp} of backup job ${event.detail.backupJobId} terminated`,
    `claim ${key} released (the event may be sent again)`,
  ]);
  expect((await groupState(e.group)).MaxSize).toBe(4);
  expect(await instanceState(temp)).toMatch(/shutting-down|terminated/);
  const items = await claims(moto.url, res.table);
  expect([items[key], items[lockKey]]).toEqual(['RELEASED', undefined]);
  // a repeated status event finds nothing left; a succeeded or running execution is never touched
  expect((await recoverStoppedRun(recoverClients(), ended, { tableName: res.table, topicArn: res.topicArn })).actions).toEqual([]);
  const again = await run(event, settings());
  expectStatus(again, 'SUCCEEDED');
  expect(again.calls.find((c) => c.state === 'LaunchTemporaryInstance' && !c.error)!.input.ClientToken).toMatch(/-2$/);
});

/** An error moto never gives (it has no scaling activities to contend with), injected into one task. */
const failing = (name: string) => async () => {
  throw Object.assign(new Error(`${name} (injected)`), { name });
};

test('a roll-back that cannot restore MaxSize says so, and leaves lock and claim to the recovery handler', async () => {
  const e = await groupWithBackup();
  const event = backupEvent(e);
  const r = await run(event, settings(), { inject: { ...failedImage, RestoreMaxSize: failing('AutoScaling.ScalingActivityInProgressException') } as never });
  expectStatus(r, 'FAILED');
  expect(r.error).toBe('ImageFailed');
  const notice = r.calls.find((c) => c.state === 'NotifyFailure')!.input.Message as string;
  expect(notice).toContain('Clean-up incomplete');
  expect(notice).toMatch(/"MaxSizeNotRestored":\{"Error":"AutoScaling.ScalingActivityInProgressException"/);
  const key = `ami-swap#${event.detail.backupJobId}`;
  const lockKey = `${GROUP_LOCK_PREFIX}${e.group}`;
  expect(await claims(moto.url, res.table)).toMatchObject({ [key]: 'IN_PROGRESS', [lockKey]: 'LOCKED' });
  expect((await groupState(e.group)).MaxSize).toBe(2);
  // the execution ends FAILED: the rule hands it to the recovery handler
  const { event: ended } = sampleEvent('sfn-execution-status-change-failed');
  ended.detail.executionArn = r.executionArn;
  const report = await recoverStoppedRun(recoverClients(), ended, { tableName: res.table, topicArn: res.topicArn });
  expect(report.actions).toEqual([`MaxSize of Auto Scaling group ${e.group} restored to 4`, `lock of Auto Scaling group ${e.group} released`, `claim ${key} released (the event may be sent again)`]);
  expect((await groupState(e.group)).MaxSize).toBe(4);
});

/** The backup job of a run. */
const jobOf = (event: { detail: Record<string, unknown> }) => event.detail.backupJobId as string;

/** The swap's temporary instances of a backup job (any state): one per run that launched one. */
async function temporaryInstances(backupJobId: string) {
  const { Reservations = [] } = await ec2().send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${BACKUP_JOB_TAG}`, Values: [backupJobId] }] }));
  return Reservations.flatMap((r) => r.Instances ?? []);
}

/**
 * A done swap: the group launches the new version, the claim is done, the lock released, and the
 * same event again does nothing (no second temporary instance, image or version).
 */
async function expectSwapStands(e: Estate, event: ReturnType<typeof backupEvent>, imageId: string) {
  const v = await defaultVersion(e.templateId);
  expect([v.VersionNumber, v.LaunchTemplateData!.ImageId]).toEqual([3, imageId]);
  expect((await groupState(e.group)).MaxSize).toBe(4);
  const items = await claims(moto.url, res.table);
  expect([items[`ami-swap#${jobOf(event)}`], items[`${GROUP_LOCK_PREFIX}${e.group}`]]).toEqual(['DONE', undefined]);
  const again = await run(event, settings());
  expectStatus(again, 'SUCCEEDED');
  expect(again.path[again.path.length - 1]).toBe('AlreadyHandled');
  expect(again.calls.map((c) => c.state)).toEqual(['LocateGroup', 'ClaimBackupJob']);
  expect((await defaultVersion(e.templateId)).VersionNumber).toBe(3);
  expect((await pipelineImages(e.group)).map((i) => i.ImageId)).toEqual([imageId]);
  expect(await temporaryInstances(jobOf(event))).toHaveLength(1);
}

/** The notice of a run done with warnings (and no other notice). */
function warningNotice(r: LocalRunResult): string {
  expect(r.calls.filter((c) => /sns:publish/.test(c.resource)).map((c) => c.state)).toEqual(['NotifyDoneWithWarnings']);
  const notice = r.calls.find((c) => c.state === 'NotifyDoneWithWarnings')!.input;
  expect(notice.Subject).toBe('Auto Scaling group AMI swap done with warnings');
  return notice.Message as string;
}

function worstCase(s: AmiSwapSettings) {
  const { definition, loops } = amiSwapDefinition({ resolveFunctionArn: RESOLVE_ARN, retentionFunctionArn: RETENTION_ARN, claimsTable: res.table, topicArn: res.topicArn, settings: s });
  return worstCaseHistoryEvents(definition, loops, 128).total;
}

test('after the switch, a failing instance refresh is a warning on a done swap: the run succeeds, the claim stays done, the same event does nothing', async () => {
  const e = await groupWithBackup();
  const event = backupEvent(e);
  // moto has no instance refresh: the error StartInstanceRefresh gives while another refresh runs is injected
  const inProgress = async () => {
    throw Object.assign(new Error('An Instance Refresh is already in progress and blocks the execution of this Instance Refresh. (injected)'), { name: 'AutoScaling.InstanceRefreshInProgressException' });
  };
  const r = await run(event, settings(), { inject: { StartInstanceRefresh: inProgress } });
  expectStatus(r, 'SUCCEEDED');
  expect(r.path[r.path.length - 1]).toBe('DoneWithWarnings');
  expect(r.path).not.toContain('Rollback');
  expect(r.path.indexOf('Committed')).toBe(r.path.indexOf('UpdateGroupLaunchTemplate') + 1);
  const imageId = r.calls.find((c) => c.state === 'CreateImage')!.output.ImageId;
  // the steps after the failed one still ran
  expect(await instanceState(r.calls.find((c) => c.state === 'LaunchTemporaryInstance')!.output.Instances[0].InstanceId)).toBe('terminated');
  expect(r.calls.find((c) => c.state === 'ApplyRetention')!.error).toBeUndefined();
  // the result says what was left and what to do
  expect(r.output).toEqual({
    outcome: 'DONE_WITH_WARNINGS',
    backupJobId: jobOf(event),
    autoScalingGroup: e.group,
    imageId,
    launchTemplateId: e.templateId,
    launchTemplateVersion: 3,
    warnings: {
      InstanceRefreshNotStarted: {
        error: { Error: 'AutoScaling.InstanceRefreshInProgressException', Cause: expect.stringContaining('already in progress') },
        left: `the running instances of ${e.group} keep the image they were launched from until they are replaced`,
        todo: `start an instance refresh of the group once any refresh in progress has ended (aws autoscaling start-instance-refresh --auto-scaling-group-name ${e.group})`,
      },
    },
  });
  const notice = warningNotice(r);
  expect(notice).toContain(`AMI swap done with warnings. Auto Scaling group ${e.group} now launches image ${imageId} (launch template ${e.templateId} version 3), made from backup job ${jobOf(event)}`);
  expect(notice).toContain('[InstanceRefreshNotStarted] {"Error":"AutoScaling.InstanceRefreshInProgressException"');
  expect(notice).toContain(`To do: start an instance refresh of the group once any refresh in progress has ended (aws autoscaling start-instance-refresh --auto-scaling-group-name ${e.group}).`);
  expect(historyEventsOfRun(r)).toBeLessThanOrEqual(worstCase(settings()));
  await expectSwapStands(e, event, imageId);
});

test('after the switch, a retention step that cannot delete a snapshot is a warning on a done swap', async () => {
  const e = await groupWithBackup();
  const event = backupEvent(e);
  // an image of an earlier swap of this group: with keepImages 1, retention removes it
  const { ImageId: older } = await ec2().send(new CreateImageCommand({ InstanceId: e.instanceId, Name: `${e.group}-older` }));
  await ec2().send(new CreateTagsCommand({ Resources: [older!], Tags: [{ Key: PIPELINE_TAG, Value: AMI_SWAP_PIPELINE }, { Key: GROUP_TAG, Value: e.group }] }));
  // EC2 refuses to delete a snapshot another image still uses; moto deletes a deregistered image's
  // snapshots without asking. The real retention handler runs with a client that gets EC2's refusal.
  const refusing = new EC2Client(motoClientConfig(moto.url, REGION));
  refusing.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteSnapshotCommand') throw Object.assign(new Error('The snapshot is currently in use by ami-0123456789abcdef0 (injected)'), { name: 'InvalidSnapshot.InUse' });
      return next(args);
    },
    { step: 'initialize' },
  );
  const s = settings({ keepImages: 1 });
  const r = await run(event, s, { inject: { ApplyRetention: (input) => applyRetention(refusing, input) } });
  expectStatus(r, 'SUCCEEDED');
  expect(r.path[r.path.length - 1]).toBe('DoneWithWarnings');
  expect(r.path).not.toContain('Rollback');
  const imageId = r.calls.find((c) => c.state === 'CreateImage')!.output.ImageId;
  expect(r.output.outcome).toBe('DONE_WITH_WARNINGS');
  expect(Object.keys(r.output.warnings)).toEqual(['RetentionNotApplied']);
  expect(r.output.warnings.RetentionNotApplied).toMatchObject({
    error: { Error: 'InvalidSnapshot.InUse' },
    left: `images of ${e.group} beyond the newest 1 may be left, and snapshots of the images retention deregistered`,
    todo: expect.stringContaining(`aws ec2 describe-snapshots --owner-ids self --filters Name=tag:${GROUP_TAG},Values=${e.group}`),
  });
  const notice = warningNotice(r);
  expect(notice).toContain('AMI swap done with warnings.');
  expect(notice).toMatch(/\[RetentionNotApplied\] \{"Error":"InvalidSnapshot.InUse".*To do: nothing for the images: the next swap of the group applies retention again/);
  // what the refused step had done stays done: the older image is deregistered
  expect((await ec2().send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'image-id', Values: [older!] }] }))).Images).toEqual([]);
  expect(historyEventsOfRun(r)).toBeLessThanOrEqual(worstCase(s));
  await expectSwapStands(e, event, imageId);
});

test('a failure at the switch itself (before the commit point) rolls back, the old default version included', async () => {
  const e = await groupWithBackup();
  const event = backupEvent(e);
  const r = await run(event, settings(), { inject: { UpdateGroupLaunchTemplate: failing('AutoScaling.ScalingActivityInProgressException') } as never });
  expectStatus(r, 'FAILED');
  expect(r.error).toBe('AutoScaling.ScalingActivityInProgressException');
  expect(r.path).not.toContain('Committed');
  expect(r.path).toEqual(expect.arrayContaining(['Rollback', 'RestoreDefaultVersion', 'RestoreMaxSize', 'TerminateOnFailure', 'ReleaseClaim', 'NotifyFailure']));
  // a $Default user (the group) launches the old image again; the new version stays, not default
  expect((await defaultVersion(e.templateId)).VersionNumber).toBe(1);
  expect((await groupState(e.group)).MaxSize).toBe(4);
  expect(r.calls.find((c) => c.state === 'NotifyFailure')!.input.Message).toMatch(/^AMI swap failed\..*Clean-up complete\.$/);
  expect((await claims(moto.url, res.table))[`ami-swap#${jobOf(event)}`]).toBe('RELEASED');
});

test('a MarkDone failure after the switch is a warning: the claim stays IN_PROGRESS under a succeeded execution, and the same event still does nothing', async () => {
  const e = await groupWithBackup();
  const event = backupEvent(e);
  // DynamoDB errors beyond throttling cannot be produced by moto: injected
  const r = await run(event, settings(), { inject: { MarkDone: failing('DynamoDB.InternalServerErrorException') } as never });
  expectStatus(r, 'SUCCEEDED');
  expect(r.path[r.path.length - 1]).toBe('DoneWithWarnings');
  expect(r.path).not.toContain('Rollback');
  expect(Object.keys(r.output.warnings)).toEqual(['ClaimNotMarkedDone']);
  expect(r.output.warnings.ClaimNotMarkedDone.todo).toBe('set the claim\'s status to DONE in the claims table');
  expect(warningNotice(r)).toContain(`[ClaimNotMarkedDone] {"Error":"DynamoDB.InternalServerErrorException"`);
  expect((await claims(moto.url, res.table))[`ami-swap#${jobOf(event)}`]).toBe('IN_PROGRESS');
  expect((await claims(moto.url, res.table))[`${GROUP_LOCK_PREFIX}${e.group}`]).toBeUndefined();
  const again = await run(event, settings());
  expect(again.path[again.path.length - 1]).toBe('AlreadyHandled');
  expect((await defaultVersion(e.templateId)).VersionNumber).toBe(3);
  expect(await temporaryInstances(jobOf(event))).toHaveLength(1);
});

test('a run stopped after the switch: the recovery handler keeps the claim done and removes only what the run would have', async () => {
  const e = await groupWithBackup();
  const event = backupEvent(e);
  const stopped = await run(event, settings(), { abortAt: 'StartInstanceRefresh' });
  expect(stopped.status).toBe('ABORTED');
  const temp = stopped.calls.find((c) => c.state === 'LaunchTemporaryInstance' && !c.error)!.output.Instances[0].InstanceId;
  const imageId = stopped.calls.find((c) => c.state === 'CreateImage')!.output.ImageId;
  const key = `ami-swap#${jobOf(event)}`;
  const lockKey = `${GROUP_LOCK_PREFIX}${e.group}`;
  expect(await claims(moto.url, res.table)).toMatchObject({ [key]: 'DONE', [lockKey]: 'LOCKED' });
  expect(await instanceState(temp)).toBe('running');
  const { event: ended } = sampleEvent('sfn-execution-status-change-aborted');
  Object.assign(ended.detail, { executionArn: stopped.executionArn, stateMachineArn: `arn:aws:states:${REGION}:${STAGING}:stateMachine:swap` });
  const report = await recoverStoppedRun(recoverClients(), ended, { tableName: res.table, topicArn: res.topicArn });
  expect(report.actions).toEqual([
    `MaxSize of Auto Scaling group ${e.group} restored to 4`,
    `lock of Auto Scaling group ${e.group} released`,
    `temporary instance ${temp} of backup job ${jobOf(event)} terminated`,
    `claim ${key} stays DONE (${imageId}): the swap was committed before the execution ended, so a repeated event does nothing; an instance refresh and retention may not have run`,
  ]);
  expect(await instanceState(temp)).toMatch(/shutting-down|terminated/);
  expect((await recoverStoppedRun(recoverClients(), ended, { tableName: res.table, topicArn: res.topicArn })).actions).toEqual([]);
  await expectSwapStands(e, event, imageId);
});

test('a group with a MixedInstancesPolicy gets the new version through the policy', async () => {
  const e = await groupWithBackup({ mixed: true });
  const r = await run(backupEvent(e), settings());
  expectStatus(r, 'SUCCEEDED');
  expect(r.calls.find((c) => c.state === 'UpdateGroupMixedInstancesPolicy')!.input).toMatchObject({
    AutoScalingGroupName: e.group,
    MaxSize: 4,
    MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: e.templateId, Version: '$Default' } } },
  });
  const g = await groupState(e.group);
  expect(g.MixedInstancesPolicy?.LaunchTemplate?.Overrides?.length).toBe(2);
});

test('throttling on every third call, and the same backup event twice: one swap', async () => {
  const e = await groupWithBackup();
  const event = backupEvent(e);
  const [a, b] = await Promise.all([run(event, settings(), { throttleEvery: 3 }), run(event, settings(), { throttleEvery: 3 })]);
  expectStatus(a, 'SUCCEEDED');
  expectStatus(b, 'SUCCEEDED');
  expect([a, b].map((x) => x.path[x.path.length - 1]).sort()).toEqual(['AlreadyHandled', 'Done']);
  const errors = [...a.calls, ...b.calls].filter((c) => c.error);
  const throttled = errors.filter((c) => /RequestLimitExceeded|Throttl|TooManyRequests/.test(c.error!));
  expect(throttled.length).toBeGreaterThan(3);
  // the only other error is the losing run's claim
  expect(errors.filter((c) => !throttled.includes(c)).map((c) => c.error)).toEqual(['DynamoDB.ConditionalCheckFailedException']);
  expect((await defaultVersion(e.templateId)).VersionNumber).toBe(3);
  expect(await pipelineImages(e.group)).toHaveLength(1);
  const again = await run(event, settings());
  expect(again.path[again.path.length - 1]).toBe('AlreadyHandled');
});

test('image timeout: bounded polls, roll-back, and a worst-case history far below 25,000 events', async () => {
  const s = settings();
  const e = await groupWithBackup();
  const r = await run(backupEvent(e), s, { inject: { ImagePollCheck: async (_i, real) => ({ Images: ((await real()).Images as object[]).map((i) => ({ ...i, State: 'pending' })) }) } });
  expectStatus(r, 'FAILED');
  expect(r.error).toBe('ImageTimedOut');
  const { definition, loops } = amiSwapDefinition({ resolveFunctionArn: RESOLVE_ARN, retentionFunctionArn: RETENTION_ARN, claimsTable: res.table, topicArn: res.topicArn, settings: s });
  expect(r.calls.filter((c) => c.state === 'ImagePollCheck')).toHaveLength(loops.find((l) => l.backEdge.to === 'ImagePollDelay')!.iterations);
  const model = worstCaseHistoryEvents(definition, loops, 128);
  expect(historyEventsOfRun(r)).toBeLessThanOrEqual(model.total);
  expect(model.total).toBeLessThan(HISTORY_EVENT_LIMIT / 3);
  expect((await groupState(e.group)).MaxSize).toBe(4);
});

test('a retried run reuses the image an earlier attempt created (CreateImage has no ClientToken)', async () => {
  const e = await groupWithBackup();
  const backupJobId = randomUUID();
  // what an earlier attempt left behind: an image with the name fixed for this backup job
  const { ImageId: earlier } = await ec2().send(new CreateImageCommand({ InstanceId: e.instanceId, Name: imageName(e.group, backupJobId) }));
  const r = await run(backupEvent(e, backupJobId), settings());
  expectStatus(r, 'SUCCEEDED');
  expect(r.path).toContain('UseExistingImage');
  expect(r.calls.some((c) => c.state === 'CreateImage')).toBe(false);
  expect((await defaultVersion(e.templateId)).LaunchTemplateData!.ImageId).toBe(earlier);
});
