import { CreateImageCommand, CreateTagsCommand, DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AmiReEncryptionSettings, amiReEncryptionSection } from '../../../src/config/sections/automation';
import { resolveSourceImage, ResolveSourceImageSettings } from '../../../src/infra/lambdas/resolve-source-image';
import { HISTORY_EVENT_LIMIT, worstCaseHistoryEvents } from '../../../src/infra/state-machines/history';
import { backoffSchedule } from '../../../src/infra/state-machines/polling';
import { PIPELINE_TAG, reEncryptionDefinition } from '../../../src/infra/state-machines/re-encryption';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { recoverStoppedRun } from '../../../src/infra/lambdas/recover-stopped-run';
import { motoClientConfig, MotoServer, startMoto } from '../../support/moto';
import { claims, createPipelineResources, launchInstance, REGION } from './support/estate';
import { sampleEvent } from './support/fixtures';
import { expectStatus, historyEventsOfRun, LocalRunResult, runLocally } from './support/local-run';
import { tagOnCreateModel } from './support/tag-on-create';

const STAGING = '111111111111';
const RESOLVE_ARN = `arn:aws:lambda:${REGION}:${STAGING}:function:resolve-source-image`;
const SERVER = 's-1234567890abcdef0';

let moto: MotoServer;
let res: Awaited<ReturnType<typeof createPipelineResources>>;

beforeAll(async () => {
  moto = await startMoto({ accountId: STAGING });
  res = await createPipelineResources(moto.url);
});
afterAll(() => moto?.stop());

function settings(over: Partial<AmiReEncryptionSettings> = {}): AmiReEncryptionSettings {
  return { ...amiReEncryptionSection.parse({}), ...over };
}

function lambdaSettings(s: AmiReEncryptionSettings): ResolveSourceImageSettings {
  return {
    stagingAccountId: STAGING,
    sourceImageTagKey: s.sourceImageTagKey,
    waveTagKey: s.waveTagKey,
    targetAccountTagKey: s.targetAccountTagKey,
    pipelineTagKey: PIPELINE_TAG,
    targets: [
      { name: 'prod', accountId: '222222222222', keyArn: res.keyArn },
      { name: 'staging', accountId: STAGING, keyArn: res.keyArn },
    ],
    serverTargets: {},
  };
}

/** An image as MGN leaves it: made from an instance, tagged with its source server and wave. */
async function mgnImage(ec2: EC2Client, tags: Record<string, string> = { AWSApplicationMigrationServiceSourceServerID: SERVER, 'rehost-factory:wave': 'wave-1' }): Promise<string> {
  const { instanceId } = await launchInstance(ec2);
  const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: `mgn-${instanceId}` }));
  await ec2.send(new CreateTagsCommand({ Resources: [ImageId!], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  return ImageId!;
}

function eventFor(imageId: string) {
  const { event } = sampleEvent('ec2-ami-state-change-available');
  event.detail.ImageId = imageId;
  event.resources = [`arn:aws:ec2:${REGION}::image/${imageId}`];
  return event;
}

function run(imageId: string, s: AmiReEncryptionSettings, extra: Partial<Parameters<typeof runLocally>[2]> = {}) {
  const { definition } = reEncryptionDefinition({ region: REGION, resolveFunctionArn: RESOLVE_ARN, claimsTable: res.table, topicArn: res.topicArn, settings: s });
  return runLocally(definition, eventFor(imageId), {
    motoUrl: moto.url,
    region: REGION,
    lambdas: { [RESOLVE_ARN]: (e) => resolveSourceImage(res.ec2, e, lambdaSettings(s)) },
    ...extra,
    inject: { ...tagOnCreateModel(res.ec2), ...extra.inject },
  });
}

async function imagesFrom(source: string) {
  const { Images = [] } = await res.ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:rehost-factory:source-image', Values: [source] }] }));
  return Images;
}

test('happy path: encrypted copy with the target key, tagged, shared with its snapshots, source removed', async () => {
  const source = await mgnImage(res.ec2);
  const { Images: [src] = [] } = await res.ec2.send(new DescribeImagesCommand({ ImageIds: [source] }));
  const sourceSnapshots = src.BlockDeviceMappings!.map((b) => b.Ebs?.SnapshotId).filter(Boolean) as string[];
  const r = await run(source, settings({ deregisterSource: true }));
  expectStatus(r, 'SUCCEEDED');
  expect(r.path).toEqual(expect.arrayContaining(['CopyImage', 'ShareSnapshots', 'ShareImage', 'RemoveSourceDeregister', 'MarkDone', 'NotifySuccess']));
  // no CreateTags after the copy: an untagged copy is one the role could not clean up
  expect(r.calls.filter((c) => /createTags/.test(c.resource))).toEqual([]);
  // moto accepts and ignores Encrypted/KmsKeyId and TagSpecifications: the request is what proves them.
  const copyCall = r.calls.find((c) => c.state === 'CopyImage')!;
  expect(copyCall.input).toMatchObject({ SourceImageId: source, SourceRegion: REGION, Encrypted: true, KmsKeyId: res.keyArn });
  const specs = Object.fromEntries((copyCall.input.TagSpecifications as Array<{ ResourceType: string; Tags: Array<{ Key: string; Value: string }> }>).map((t) => [t.ResourceType, Object.fromEntries(t.Tags.map((x) => [x.Key, x.Value]))]));
  expect(specs.image).toMatchObject({ [PIPELINE_TAG]: 'ami-re-encryption', 'rehost-factory:source-image': source, 'rehost-factory:source-server': SERVER, 'rehost-factory:wave': 'wave-1' });
  expect(specs.snapshot).toEqual({ [PIPELINE_TAG]: 'ami-re-encryption', 'rehost-factory:source-image': source });
  expect(copyCall.input.ClientToken).toMatch(/^re-encrypt-[0-9a-f]{40}-1$/);
  const [copy] = await imagesFrom(source);
  expect(copy.ImageId).toBe(copyCall.output.ImageId);
  expect(Object.fromEntries(copy.Tags!.map((t) => [t.Key, t.Value]))).toMatchObject({ [PIPELINE_TAG]: 'ami-re-encryption', 'rehost-factory:source-server': SERVER, 'rehost-factory:wave': 'wave-1', 'rehost-factory:target-account': 'prod' });
  // shared: the launch permission and each snapshot's create-volume permission name the target account
  const shareCall = r.calls.find((c) => c.state === 'ShareImage')!;
  expect(shareCall.input).toEqual({ ImageId: copy.ImageId, LaunchPermission: { Add: [{ UserId: '222222222222' }] } });
  const snapshotShares = r.calls.filter((c) => c.state === 'ShareSnapshot');
  expect(snapshotShares.length).toBeGreaterThan(0);
  for (const s of snapshotShares) expect(s.input).toMatchObject({ Attribute: 'createVolumePermission', OperationType: 'add', UserIds: ['222222222222'] });
  // the source image and its snapshots are gone
  expect((await res.ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'image-id', Values: [source] }] }))).Images).toEqual([]);
  const { Snapshots = [] } = await res.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  expect(Snapshots.map((s) => s.SnapshotId)).not.toEqual(expect.arrayContaining(sourceSnapshots.slice(0, 1)));
  expect((await claims(moto.url, res.table))[`ami-re-encryption#${source}`]).toBe('DONE');
  expect(r.calls.find((c) => c.state === 'NotifySuccess')!.input.Message).toContain('with the key of target account prod, shared with it, snapshots included.');
  expect(r.path[r.path.length - 1]).toBe('Done');
  expect(r.output).toEqual({ outcome: 'DONE', sourceImageId: source, sourceServerId: SERVER, wave: 'wave-1', imageId: copy.ImageId, targetAccount: 'prod', shared: 'shared with it, snapshots included' });
});

test('a target that is the staging account itself: nothing is shared, and the notice does not say it was', async () => {
  const source = await mgnImage(res.ec2, { AWSApplicationMigrationServiceSourceServerID: SERVER, 'rehost-factory:target-account': 'staging' });
  const r = await run(source, settings());
  expectStatus(r, 'SUCCEEDED');
  expect(r.path).not.toEqual(expect.arrayContaining(['ShareImage']));
  const message = r.calls.find((c) => c.state === 'NotifySuccess')!.input.Message as string;
  expect(message).toContain('target account staging, kept in the staging account, which is the target (nothing shared).');
  expect(message).not.toContain('shared with');
});

/** moto makes copies `available` at once: these inject the copy's state into the poll (the one task moto cannot model). */
const copyState = (State: string, StateReason?: { Code: string; Message: string }) => ({
  CopyPollCheck: async (_input: unknown, real: () => Promise<{ Images: object[] }>) => {
    const out = await real();
    return { Images: out.Images.map((i) => ({ ...i, State, ...(StateReason ? { StateReason } : {}) })) };
  },
});

test('image copy failed: the partial copy is deregistered with its snapshots, the claim released, the failure notified', async () => {
  const source = await mgnImage(res.ec2);
  const r = await run(source, settings(), { inject: copyState('failed', { Code: 'Server.InternalError', Message: 'Copy failed: InternalError' }) as never });
  expectStatus(r, 'FAILED');
  expect(r.error).toBe('CopyFailed');
  expect(r.cause).toContain('Copy failed: InternalError');
  expect(r.path).toEqual(expect.arrayContaining(['CleanUpCopyDeregister', 'CleanUpCopyDeleteSnapshots', 'ReleaseClaim', 'NotifyFailure', 'Failed']));
  expect(await imagesFrom(source)).toEqual([]);
  const copySnapshots = r.calls.filter((c) => c.state === 'CleanUpCopyDeleteSnapshot');
  expect(copySnapshots.length).toBeGreaterThan(0);
  expect(copySnapshots.every((c) => !c.error)).toBe(true);
  expect((await claims(moto.url, res.table))[`ami-re-encryption#${source}`]).toBe('RELEASED');
  const notice = r.calls.find((c) => c.state === 'NotifyFailure')!;
  expect(notice.input.Message).toEqual(expect.stringContaining(source));
  expect(notice.input.Message).toContain(SERVER);
  expect(notice.input.Message).toContain('wave-1');
  expect(notice.input.Message).toContain('CopyFailed');
  expect(notice.input.Message).toMatch(/Clean-up complete\.$/);
  // the source image is untouched after a failed copy
  expect((await res.ec2.send(new DescribeImagesCommand({ ImageIds: [source] }))).Images?.[0]?.State).toBe('available');
});

test('a re-run after a failed copy sends a new ClientToken (the claim counts attempts) and succeeds', async () => {
  const source = await mgnImage(res.ec2);
  const failed = await run(source, settings(), { inject: copyState('failed', { Code: 'Server.InternalError', Message: 'Copy failed' }) as never });
  expectStatus(failed, 'FAILED');
  // the test harness answers a repeated ClientToken as EC2 does: with the first (now deregistered) copy
  const again = await run(source, settings());
  expectStatus(again, 'SUCCEEDED');
  const [first, second] = [failed, again].map((r) => r.calls.find((c) => c.state === 'CopyImage' && !c.error)!);
  expect(first.input.ClientToken).toMatch(/-1$/);
  expect(second.input.ClientToken).toBe(first.input.ClientToken.replace(/-1$/, '-2'));
  expect(second.output.ImageId).not.toBe(first.output.ImageId);
  expect((await imagesFrom(source)).map((i) => i.ImageId)).toEqual([second.output.ImageId]);
  expect((await claims(moto.url, res.table))[`ami-re-encryption#${source}`]).toBe('DONE');
});

test('a stopped execution: the recovery handler removes the unfinished copy and releases the claim; a re-run copies again', async () => {
  const source = await mgnImage(res.ec2);
  const stopped = await run(source, settings(), { abortAt: 'CopyPollCheck' });
  expect(stopped.status).toBe('ABORTED');
  expect(stopped.path[stopped.path.length - 1]).toBe('CopyPollCheck'); // nothing ran after the stop
  const [copy] = await imagesFrom(source);
  expect(copy.ImageId).toBe(stopped.calls.find((c) => c.state === 'CopyImage')!.output.ImageId);
  const { event: ended } = sampleEvent('sfn-execution-status-change-timed-out');
  ended.detail.executionArn = stopped.executionArn;
  const cfg = motoClientConfig(moto.url, REGION);
  const clients = { dynamodb: new DynamoDBClient(cfg), autoscaling: new AutoScalingClient(cfg), ec2: res.ec2, sns: new SNSClient(cfg) };
  const report = await recoverStoppedRun(clients, ended, { tableName: res.table, topicArn: res.topicArn });
  expect(report.actions).toEqual([expect.stringMatching(new RegExp(`^unfinished copy ${copy.ImageId} \\(available\\) of ${source} deregistered, 1 snapshot\\(s\\) deleted$`)), `claim ami-re-encryption#${source} released (the event may be sent again)`]);
  expect(await imagesFrom(source)).toEqual([]);
  const again = await run(source, settings());
  expectStatus(again, 'SUCCEEDED');
  expect((await imagesFrom(source)).map((i) => i.ImageId)).toEqual([again.calls.find((c) => c.state === 'CopyImage')!.output.ImageId]);
});

test('a partial copy the clean-up could not remove is named in the notice and left, with its claim, to the recovery handler', async () => {
  const source = await mgnImage(res.ec2);
  // moto lets this role deregister anything: the denial is injected
  const denied = async () => {
    throw Object.assign(new Error('You are not authorized to perform this operation (injected)'), { name: 'Ec2.UnauthorizedOperation' });
  };
  const r = await run(source, settings(), { inject: { ...copyState('failed', { Code: 'Server.InternalError', Message: 'Copy failed' }), CleanUpCopyDeregister: denied } as never });
  expectStatus(r, 'FAILED');
  const notice = r.calls.find((c) => c.state === 'NotifyFailure')!.input.Message as string;
  expect(notice).toMatch(/Clean-up incomplete .*"PartialCopyLeft":\{"Error":"Ec2.UnauthorizedOperation"/);
  expect((await claims(moto.url, res.table))[`ami-re-encryption#${source}`]).toBe('IN_PROGRESS');
  const { event: ended } = sampleEvent('sfn-execution-status-change-failed');
  ended.detail.executionArn = r.executionArn;
  const cfg = motoClientConfig(moto.url, REGION);
  const report = await recoverStoppedRun({ dynamodb: new DynamoDBClient(cfg), autoscaling: new AutoScalingClient(cfg), ec2: res.ec2, sns: new SNSClient(cfg) }, ended, { tableName: res.table, topicArn: res.topicArn });
  expect(report.actions).toHaveLength(2);
  expect(await imagesFrom(source)).toEqual([]);
  expect((await claims(moto.url, res.table))[`ami-re-encryption#${source}`]).toBe('RELEASED');
});

/** The notice of a run done with warnings (and no other notice). */
function warningNotice(r: LocalRunResult): string {
  expect(r.calls.filter((c) => /sns:publish/.test(c.resource)).map((c) => c.state)).toEqual(['NotifyDoneWithWarnings']);
  const notice = r.calls.find((c) => c.state === 'NotifyDoneWithWarnings')!.input;
  expect(notice.Subject).toBe('AMI re-encryption done with warnings');
  return notice.Message as string;
}

/** The same event again does nothing: no second copy. */
async function expectNothingTwice(source: string, copyId: string) {
  const again = await run(source, settings({ deregisterSource: true }));
  expectStatus(again, 'SUCCEEDED');
  expect(again.path[again.path.length - 1]).toBe('AlreadyHandled');
  expect(again.calls.some((c) => c.state === 'CopyImage')).toBe(false);
  expect((await imagesFrom(source)).map((i) => i.ImageId)).toEqual([copyId]);
}

test('after sharing, a source removal the role is refused is a warning on a done re-encryption: the copy stays, the claim stays done', async () => {
  const source = await mgnImage(res.ec2);
  // moto evaluates no IAM policy (nor a service control policy): EC2's refusal is injected
  const denied = async () => {
    throw Object.assign(new Error('You are not authorized to perform this operation. (injected)'), { name: 'Ec2.UnauthorizedOperation' });
  };
  const s = settings({ deregisterSource: true });
  const r = await run(source, s, { inject: { RemoveSourceDeregister: denied } as never });
  expectStatus(r, 'SUCCEEDED');
  expect(r.path[r.path.length - 1]).toBe('DoneWithWarnings');
  expect(r.path).not.toContain('CleanUpCopy');
  expect(r.path.indexOf('Committed')).toBe(r.path.indexOf('ShareImage') + 1);
  const copyId = r.calls.find((c) => c.state === 'CopyImage')!.output.ImageId;
  expect(r.output).toEqual({
    outcome: 'DONE_WITH_WARNINGS',
    sourceImageId: source,
    sourceServerId: SERVER,
    wave: 'wave-1',
    imageId: copyId,
    targetAccount: 'prod',
    shared: 'shared with it, snapshots included',
    warnings: {
      SourceNotRemoved: {
        error: { Error: 'Ec2.UnauthorizedOperation', Cause: expect.stringContaining('not authorized') },
        left: `source image ${source} or some of its snapshots are left (deregisterSource is set)`,
        todo: `deregister image ${source} if it is still registered, and delete the snapshots it used (aws ec2 describe-images --image-ids ${source} lists them while it is registered)`,
      },
    },
  });
  const notice = warningNotice(r);
  expect(notice).toContain(`AMI re-encryption done with warnings. Image ${source} of source server ${SERVER} (wave wave-1) was re-encrypted as ${copyId} with the key of target account prod, shared with it, snapshots included;`);
  expect(notice).toContain('[SourceNotRemoved] {"Error":"Ec2.UnauthorizedOperation"');
  expect(notice).toContain(`To do: deregister image ${source} if it is still registered`);
  expect((await claims(moto.url, res.table))[`ami-re-encryption#${source}`]).toBe('DONE');
  const { definition, loops } = reEncryptionDefinition({ region: REGION, resolveFunctionArn: RESOLVE_ARN, claimsTable: res.table, topicArn: res.topicArn, settings: s });
  expect(historyEventsOfRun(r)).toBeLessThanOrEqual(worstCaseHistoryEvents(definition, loops, 128).total);
  await expectNothingTwice(source, copyId);
});

test('a MarkDone failure after sharing is a warning: the copy stays, the claim stays IN_PROGRESS under a succeeded execution, the same event does nothing', async () => {
  const source = await mgnImage(res.ec2);
  const r = await run(source, settings(), { inject: { MarkDone: async () => Promise.reject(Object.assign(new Error('injected: moto has no such failure'), { name: 'DynamoDB.InternalServerErrorException' })) } as never });
  expectStatus(r, 'SUCCEEDED');
  expect(r.path[r.path.length - 1]).toBe('DoneWithWarnings');
  expect(r.path).not.toContain('ReleaseClaim');
  expect(Object.keys(r.output.warnings)).toEqual(['ClaimNotMarkedDone']);
  expect(warningNotice(r)).toContain('[ClaimNotMarkedDone] {"Error":"DynamoDB.InternalServerErrorException"');
  expect((await claims(moto.url, res.table))[`ami-re-encryption#${source}`]).toBe('IN_PROGRESS');
  await expectNothingTwice(source, r.calls.find((c) => c.state === 'CopyImage')!.output.ImageId);
});

test('a run stopped after sharing: the recovery handler keeps the shared copy and the done claim', async () => {
  const source = await mgnImage(res.ec2);
  const stopped = await run(source, settings({ deregisterSource: true }), { abortAt: 'RemoveSourceDeregister' });
  expect(stopped.status).toBe('ABORTED');
  const copyId = stopped.calls.find((c) => c.state === 'CopyImage')!.output.ImageId;
  expect((await claims(moto.url, res.table))[`ami-re-encryption#${source}`]).toBe('DONE');
  const { event: ended } = sampleEvent('sfn-execution-status-change-aborted');
  ended.detail.executionArn = stopped.executionArn;
  const cfg = motoClientConfig(moto.url, REGION);
  const report = await recoverStoppedRun({ dynamodb: new DynamoDBClient(cfg), autoscaling: new AutoScalingClient(cfg), ec2: res.ec2, sns: new SNSClient(cfg) }, ended, { tableName: res.table, topicArn: res.topicArn });
  expect(report.actions).toEqual([]);
  expect((await claims(moto.url, res.table))[`ami-re-encryption#${source}`]).toBe('DONE');
  await expectNothingTwice(source, copyId);
});

test('copy timeout: polls exactly the backoff schedule, then cleans up; far below the history limit', async () => {
  const s = settings();
  const source = await mgnImage(res.ec2);
  const r = await run(source, s, { inject: copyState('pending') as never });
  expectStatus(r, 'FAILED');
  expect(r.error).toBe('CopyTimedOut');
  const schedule = backoffSchedule(s.copyPolling);
  expect(schedule.reduce((a, b) => a + b, 0)).toBe(s.copyPolling.timeoutMinutes * 60);
  expect(r.calls.filter((c) => c.state === 'CopyPollCheck')).toHaveLength(schedule.length);
  expect(await imagesFrom(source)).toEqual([]);
  // the worst case of the definition bounds this run, and stays far from 25,000 events
  const { definition, loops } = reEncryptionDefinition({ region: REGION, resolveFunctionArn: RESOLVE_ARN, claimsTable: res.table, topicArn: res.topicArn, settings: s });
  // Upper bound: every retry spent on every task, 128 volumes (the most an instance can attach).
  const model = worstCaseHistoryEvents(definition, loops, 128);
  expect(historyEventsOfRun(r)).toBeLessThanOrEqual(model.total);
  expect(model.total).toBeLessThan(HISTORY_EVENT_LIMIT / 3);
  const withSourceRemoval = reEncryptionDefinition({ region: REGION, resolveFunctionArn: RESOLVE_ARN, claimsTable: res.table, topicArn: res.topicArn, settings: settings({ deregisterSource: true }) });
  expect(worstCaseHistoryEvents(withSourceRemoval.definition, withSourceRemoval.loops, 128).total).toBeLessThan(HISTORY_EVENT_LIMIT / 3);
  // the 12-hour poll itself is a small share of it
  expect(model.parts['loop CopyPollDelay']).toBeLessThan(HISTORY_EVENT_LIMIT / 10);
});

test('throttling on every third call: every task retries with backoff and the run succeeds with one copy', async () => {
  const source = await mgnImage(res.ec2);
  const r = await run(source, settings(), { throttleEvery: 3 });
  expectStatus(r, 'SUCCEEDED');
  const throttled = r.calls.filter((c) => c.error);
  expect(throttled.length).toBeGreaterThanOrEqual(Math.floor(r.calls.length / 3) - 1);
  for (const c of throttled) expect(c.error).toMatch(/RequestLimitExceeded|Throttl|TooManyRequests/);
  expect(r.events.filter((e) => e.type === 'StateRetried').length).toBe(throttled.length);
  expect(await imagesFrom(source)).toHaveLength(1);
});

test('the same event twice, at the same time: one copy, the other run ends as already handled', async () => {
  const source = await mgnImage(res.ec2);
  const [a, b] = await Promise.all([run(source, settings()), run(source, settings())]);
  expectStatus(a, 'SUCCEEDED');
  expectStatus(b, 'SUCCEEDED');
  const ends = [a, b].map((r) => r.path[r.path.length - 1]).sort();
  expect(ends).toEqual(['AlreadyHandled', 'Done']);
  expect(await imagesFrom(source)).toHaveLength(1);
  // and again later: still nothing new
  const c = await run(source, settings());
  expect(c.path[c.path.length - 1]).toBe('AlreadyHandled');
  expect(c.calls.some((x) => x.state === 'CopyImage')).toBe(false);
});

test('near misses: an image MGN did not make, and the pipeline\'s own copy, start nothing', async () => {
  const plain = await mgnImage(res.ec2, { Name: 'golden-image' });
  const r1 = await run(plain, settings());
  expectStatus(r1, 'SUCCEEDED');
  expect(r1.path).toEqual(['Start', 'ResolveSourceImage', 'IsMgnImage?', 'NotSelected']);
  const source = await mgnImage(res.ec2);
  await run(source, settings());
  const [copy] = await imagesFrom(source);
  const r2 = await run(copy.ImageId!, settings());
  expect(r2.path[r2.path.length - 1]).toBe('NotSelected');
  expect(r2.calls.find((c) => c.state === 'ResolveSourceImage')!.output).toMatchObject({ selected: false, reason: 'image is a copy made by rehost-factory' });
});
