import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FactoryConfig } from '../../../src/config/schema';
import { applyRetention } from '../../../src/infra/lambdas/apply-retention';
import { recoverStoppedRun } from '../../../src/infra/lambdas/recover-stopped-run';
import { resolveBackupTarget } from '../../../src/infra/lambdas/resolve-backup-target';
import { resolveSourceImage } from '../../../src/infra/lambdas/resolve-source-image';
import { createRunbookClients, destroyClients } from '../../../src/runbook/clients';
import { runWave } from '../../../src/runbook/wave/run';
import { startSimulation } from '../../../src/simulation/simulate';
import { estateNames } from '../../../src/infra/stacks/estate-names';
import { runVmImport, VmImportClients } from '../../../src/vm-import/run';
import { automationNames, stateMachineNames as stateMachineRoleNames } from '../../../src/config/resource-names';
import { AMI_SWAP_PIPELINE, GROUP_TAG, PIPELINE_TAG } from '../../../src/infra/state-machines/identifiers';
import { ebsKeyAlias } from '../../../src/config/vm-import-names';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { motoApi } from './model';
import { clientOptions, inAccount, keysOf } from './estate-run';
import { Inspector, Principal, Recorder, startRecorder } from './recorder';
import { Authorization, principalContext } from './authorizations';
import { runLocally, TaskCall } from '../automation/support/local-run';
import { sampleEvent } from '../automation/support/fixtures';
import { publicImage } from '../automation/support/estate';
import { startAwsProxy } from '../../vm-import/support/aws-proxy';
import { HAPPY_IMPORT, importFake } from '../../vm-import/support/import-fake';
import { sparseImage } from '../../vm-import/support/images';
import { fastClock } from '../../vm-import/support/estate';

/** The MGN fake's own EC2 calls (MGN launching servers): the service's, not the estate's code. */
export const MGN_FAKE_KEY = 'mgn-fake';

/**
 * The wave runbook against the MGN fake (through a second recorder) and moto, with the cutover role's
 * key: wave-1 through test, cutover, finalize and archive; wave-2 through test and revert. The
 * rehearsal's own set-up (target network, instance profiles, MGN's seeding) signs as set-up; MGN's
 * launch templates get the tag MGN puts on them.
 */
export async function runbookFlow(rec: Recorder, label: string, c: FactoryConfig, registry: Map<string, Principal>, onFake: (url: string) => void, inspector?: Inspector): Promise<{ mgnRecorder: Recorder; log: string[] }> {
  const keys = keysOf(label);
  rec.register('simulation', { arn: 'setup:simulation', account: c.accounts.staging, kind: 'setup' });
  rec.register(MGN_FAKE_KEY, { arn: 'setup:mgn', account: c.accounts.staging, kind: 'setup' });
  const waves = ['wave-1', 'wave-2'];
  const sim = await startSimulation({ config: c, motoUrl: rec.url, waves });
  onFake(sim.fake.url);
  const mgnRecorder = await startRecorder(sim.fake.url, { name: 'mgn', registry, inspector });
  const log: string[] = [];
  const setupEc2 = new EC2Client(clientOptions(rec.url, keys.setup(c.accounts.staging), c.region));
  try {
    // MGN manages its launch templates and tags them so (the fake only tags the server ID).
    const lts = (await setupEc2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? [];
    const ids = lts.filter((l) => l.LaunchTemplateName?.startsWith('mgn-')).map((l) => l.LaunchTemplateId!);
    if (ids.length) await setupEc2.send(new CreateTagsCommand({ Resources: ids, Tags: [{ Key: 'AWSApplicationMigrationServiceManaged', Value: 'mgn.amazonaws.com' }] }));
    const clients = createRunbookClients(sim.config, {
      overrides: { credentials: { accessKeyId: keys.role('cutover'), secretAccessKey: 'oracle' } },
      env: { AWS_ENDPOINT_URL: rec.url, AWS_ENDPOINT_URL_MGN: mgnRecorder.url },
    });
    const rt = { config: sim.config, clients, clock: sim.clock, logger: { info: (l: string) => log.push(l), warn: (l: string) => log.push(`WARN ${l}`) }, tcpProbe: async () => true };
    try {
      for (const mode of ['test', 'cutover', 'finalize', 'archive'] as const) {
        const r = await runWave(rt, { wave: 'wave-1', mode });
        const bad = r.servers.filter((s) => !['succeeded', 'unchanged'].includes(s.outcome));
        if (bad.length) throw new Error(`wave-1 ${mode}: ${bad.map((s) => `${s.server} ${s.outcome} ${s.reason}`).join('; ')}`);
      }
      for (const mode of ['test', 'revert'] as const) {
        const r = await runWave(rt, { wave: 'wave-2', mode });
        const bad = r.servers.filter((s) => !['succeeded', 'unchanged'].includes(s.outcome));
        if (bad.length) throw new Error(`wave-2 ${mode}: ${bad.map((s) => `${s.server} ${s.outcome} ${s.reason}`).join('; ')}`);
      }
    } finally {
      destroyClients(clients);
    }
  } finally {
    setupEc2.destroy();
    await sim.fake.stop();
  }
  return { mgnRecorder, log };
}

/**
 * VM Import of wiki01 with the vm-import role's key: resumable upload into the import bucket (SSE-KMS
 * under the estate key), ImportImage (answered by the import fake: moto has no VM Import), launch
 * into its cutover placement with a stop/start, the integrity check, deletion of the object. The
 * recorder sits in front of the fake's proxy, which forwards the rest to moto.
 */
export async function vmImportFlow(rec: Recorder, motoUrl: string, label: string, c: FactoryConfig, registry: Map<string, Principal>, inspector: Inspector): Promise<{ importRecorder: Recorder; imageId?: string; keyId?: string }> {
  const keys = keysOf(label);
  const staging = c.accounts.staging;
  const direct = (() => {
    const o = { endpoint: motoUrl, region: c.region, credentials: { accessKeyId: 'oracle-direct', secretAccessKey: 'x' }, forcePathStyle: true };
    return { s3: inAccount(new S3Client(o), staging), ec2: inAccount(new EC2Client(o), staging), kms: inAccount(new KMSClient(o), staging), ssm: inAccount(new SSMClient(o), staging), iam: inAccount(new IAMClient(o), staging) } as VmImportClients;
  })();
  const fake = importFake(() => HAPPY_IMPORT, direct);
  const proxy = await startAwsProxy(motoUrl, fake.interceptor);
  const importRecorder = await startRecorder(proxy.url, { name: 'vm-import', accountPerPrincipal: true, registry, inspector });
  const setup = new EC2Client(clientOptions(rec.url, keys.setup(staging), c.region));
  let restore: (() => Promise<unknown>) | undefined;
  // The CLI's and the action's clients keep the SDK's standard retries.
  const o = { ...clientOptions(importRecorder.url, keys.role('vm-import'), c.region), maxAttempts: 3 };
  const clients: VmImportClients = { s3: new S3Client(o), ec2: new EC2Client(o), kms: new KMSClient(o), ssm: new SSMClient(o), iam: new IAMClient(o) };
  try {
    // wiki01's cutover placement: a subnet and group of the staging account (the importing account launches).
    const vpc = (await setup.send(new CreateVpcCommand({ CidrBlock: '10.100.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await setup.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.100.10.0/24', AvailabilityZone: `${c.region}a` }))).Subnet!.SubnetId!;
    const sg = (await setup.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: 'wiki', Description: 'wiki01' }))).GroupId!;
    const config: FactoryConfig = {
      ...c,
      network: { ...c.network, targetSubnets: c.network.targetSubnets.map((s) => (s.name === 'app-a' ? { ...s, subnetId: subnet } : s)) },
      waves: c.waves.map((w) => ({ ...w, applications: w.applications.map((a) => ({ ...a, servers: a.servers.map((s) => (s.name === 'wiki01' ? { ...s, cutover: { ...s.cutover, securityGroups: [sg] } } : s)) })) })),
    };
    // moto evaluates the bucket's TLS-only Deny against the plain HTTP the tests speak: the policy is
    // set aside during the run and put back before the oracle reads (and evaluates) it.
    const bucket = `${c.name}-vm-import-${staging}`;
    const tlsOnly = (await direct.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!;
    await direct.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    restore = () => direct.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: tlsOnly }));
    const image = sparseImage(6 * 1024 ** 2, 'wiki01.vmdk');
    const sums = 'a'.repeat(64) + '  /etc/hostname';
    const checksums = join(dirname(image), 'wiki01.sha256');
    writeFileSync(checksums, `${sums}\n`);
    fake.state.commandOutput = `${sums}\n`;
    const report = await runVmImport(
      { image: { path: image }, format: 'vmdk', os: 'linux', server: 'wiki01', licenseType: 'BYOL', launch: true, stopFirst: true, checksumsFile: checksums },
      { config, clients, clock: fastClock(), log: () => undefined },
    );
    if (report.outcome !== 'succeeded') throw new Error(`vm-import: ${report.error}`);
    return { importRecorder, imageId: report.import?.imageId, keyId: fake.state.importRequests[0]?.KmsKeyId };
  } catch (e) {
    const last = importRecorder.requests.slice(-3).map((r) => `${r.method} ${r.path} ${r.status} ${r.response.slice(0, 300)}`);
    throw new Error(`${(e as Error).message}\nlast requests:\n${last.join('\n')}`);
  } finally {
    await restore?.();
    for (const cl of [...Object.values(clients), ...Object.values(direct), setup]) (cl as { destroy(): void }).destroy();
    await proxy.stop();
  }
}

/** What a pipelines run recorded beyond the wire: the state machines' task calls (Lambda tasks are invoked in-process). */
export interface PipelineRun {
  readonly modelled: Authorization[];
  readonly calls: Array<{ machine: string; calls: TaskCall[] }>;
  /** Keys of the images the run started from (an MGN image and a backup are under the target account's EBS key). */
  readonly imageKeys: Map<string, string>;
}

/**
 * Both automation pipelines as deployed (the definitions and settings read back from moto), run in
 * aws-local-stepfunctions: each state machine's SDK calls sign with its role's key, each function's
 * with its role's; a swap stopped midway is cleaned up by the recovery function. The inputs are what
 * the estate's servers produce: an image MGN made of a launched server (the estate's tags), and a
 * backup of an instance of an Auto Scaling group of the estate.
 */
export async function pipelinesFlow(rec: Recorder, motoUrl: string, label: string, c: FactoryConfig): Promise<PipelineRun> {
  const staging = c.accounts.staging;
  const region = c.region;
  const n = automationNames(c.name);
  const key = (who: string) => `${keysOf(label).role('plan')}PIPE${who.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;
  const role = (name: string): Principal => ({ arn: `arn:aws:iam::${staging}:role/${name}`, account: staging, kind: 'role' });
  const fnArn = (name: string) => `arn:aws:lambda:${region}:${staging}:function:${name}`;
  const smArn = (name: string) => `arn:aws:states:${region}:${staging}:stateMachine:${name}`;
  for (const f of Object.values(n.functions)) rec.register(key(f), role(f));
  const setupKey = keysOf(label).setup(staging);
  const setup = { ec2: new EC2Client(clientOptions(rec.url, setupKey, region)), asg: new AutoScalingClient(clientOptions(rec.url, setupKey, region)) };
  const setupIam = new IAMClient(clientOptions(rec.url, setupKey, 'us-east-1'));
  const fn = (name: string) => {
    const o = clientOptions(rec.url, key(name), region);
    return { ec2: new EC2Client(o), autoscaling: new AutoScalingClient(o), dynamodb: new DynamoDBClient(o), sns: new SNSClient(o) };
  };
  const raw = motoApi(motoUrl, staging, region);
  const definitionOf = async (name: string) => {
    const d = (await raw('states', 'POST', '/', { 'x-amz-target': 'AWSStepFunctions.DescribeStateMachine' }, { stateMachineArn: smArn(name) })) as { definition: string };
    return JSON.parse(d.definition) as Parameters<typeof runLocally>[0];
  };
  const settings = async <T>(fnName: string, variable: string): Promise<T> => {
    const f = (await raw('lambda', 'GET', `/2015-03-31/functions/${fnName}`, {})) as { Configuration: { Environment?: { Variables?: Record<string, string> } } };
    return JSON.parse(f.Configuration.Environment!.Variables![variable]) as T;
  };
  const modelled: Authorization[] = [];
  const calls: PipelineRun['calls'] = [];
  const imageKeys = new Map<string, string>();
  // What the estate's launched servers are under: the first target account's EBS key (MGN's launch template names it).
  const target = c.accounts.targets[0];
  const targetKey = target.kms.existingKeyArn ?? `arn:aws:kms:${region}:${target.accountId}:${ebsKeyAlias(c, target)}`;
  const recoverRun = async (machine: string, executionArn: string) => {
    const recover = fn(n.functions.recoverStoppedRun);
    const recoverSettings = await settings<Parameters<typeof recoverStoppedRun>[2]>(n.functions.recoverStoppedRun, 'RECOVER_SETTINGS');
    modelled.push(...invokedByRule(c, n.stoppedRuns, fnArn(n.functions.recoverStoppedRun)));
    await recoverStoppedRun(recover, { detail: { executionArn, stateMachineArn: smArn(machine), status: 'ABORTED', name: 'stopped' } } as never, recoverSettings);
  };
  const machineRun = async (machine: string, event: object, lambdas: Record<string, (p: never) => Promise<unknown>>, extra: Partial<Parameters<typeof runLocally>[2]> = {}) => {
    // EventBridge starts the run with the rule's role; the run's SDK calls are the state machine role's.
    const names = stateMachineRoleNames(machine);
    modelled.push({ principal: role(names.startRole), action: 'states:StartExecution', resource: smArn(machine), resourceAccount: staging, context: principalContext(role(names.startRole), region), source: `events → ${machine}` });
    rec.register('testing', role(names.role));
    const r = await runLocally(await definitionOf(machine), event, { motoUrl: rec.url, region, lambdas: lambdas as never, ...extra });
    calls.push({ machine, calls: r.calls });
    for (const call of r.calls.filter((x) => x.resource.startsWith('arn:aws:lambda:'))) {
      modelled.push({ principal: role(names.role), action: 'lambda:InvokeFunction', resource: call.resource, resourceAccount: staging, context: principalContext(role(names.role), region), source: `${machine} ${call.state}` });
    }
    // moto has no instance refresh: the injected answer stands for the call, which the role makes on the group.
    for (const call of r.calls.filter((x) => x.resource.endsWith(':startInstanceRefresh'))) {
      const group = String((call.input as { AutoScalingGroupName: string }).AutoScalingGroupName);
      const g = (await setup.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }))).AutoScalingGroups![0];
      const tags = Object.fromEntries((g.Tags ?? []).map((t) => [`aws:ResourceTag/${t.Key}`, t.Value!]));
      modelled.push({ principal: role(names.role), action: 'autoscaling:StartInstanceRefresh', resource: g.AutoScalingGroupARN!, resourceAccount: staging, context: { ...principalContext(role(names.role), region), ...tags }, source: `${machine} ${call.state} (answered for moto)` });
    }
    return r;
  };
  try {
    const a = c.automation;
    if (a.amiReEncryption.enabled) {
      // An image of a server MGN launched: the estate's placement tags, MGN's source server tag.
      const base = await publicImage(setup.ec2, 'linux');
      const subnet = await sandboxSubnet(setup.ec2, region);
      const inst = (await setup.ec2.send(new RunInstancesCommand({ ImageId: base, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnet }))).Instances![0].InstanceId!;
      const image = (await setup.ec2.send(new CreateImageCommand({ InstanceId: inst, Name: `mgn-${inst}` }))).ImageId!;
      await setup.ec2.send(new CreateTagsCommand({ Resources: [image], Tags: [{ Key: a.amiReEncryption.sourceImageTagKey, Value: 's-1234567890abcdef0' }, { Key: 'rehost-factory:estate', Value: c.name }, { Key: 'rehost-factory:wave', Value: 'wave-1' }] }));
      const { event } = sampleEvent('ec2-ami-state-change-available');
      event.detail.ImageId = image;
      event.resources = [`arn:aws:ec2:${region}::image/${image}`];
      const f = fn(n.functions.resolveSourceImage);
      const s = await settings<Parameters<typeof resolveSourceImage>[2]>(n.functions.resolveSourceImage, 'RESOLVE_SETTINGS');
      imageKeys.set(image, targetKey);
      const lambdas = { [fnArn(n.functions.resolveSourceImage)]: (e: never) => resolveSourceImage(f.ec2, e, s) };
      const r = await machineRun(n.reEncryption, event, lambdas, { inject: tagOnCreate(setup.ec2) });
      if (r.status !== 'SUCCEEDED') throw new Error(`re-encryption ${r.status}: ${r.error} ${r.cause}`);
      // A copy stopped midway: the recovery function removes the unfinished copy.
      const image2 = (await setup.ec2.send(new CreateImageCommand({ InstanceId: inst, Name: `mgn-${inst}-2` }))).ImageId!;
      await setup.ec2.send(new CreateTagsCommand({ Resources: [image2], Tags: [{ Key: a.amiReEncryption.sourceImageTagKey, Value: 's-1234567890abcdef0' }, { Key: 'rehost-factory:estate', Value: c.name }, { Key: 'rehost-factory:wave', Value: 'wave-1' }] }));
      imageKeys.set(image2, targetKey);
      event.detail.ImageId = image2;
      event.resources = [`arn:aws:ec2:${region}::image/${image2}`];
      const stopped = await machineRun(n.reEncryption, event, lambdas, { inject: tagOnCreate(setup.ec2), abortAt: 'CopyPollCheck' });
      if (stopped.status !== 'ABORTED') throw new Error(`re-encryption stop: ${stopped.status}`);
      await recoverRun(n.reEncryption, stopped.executionArn);
    }
    if (a.amiSwap.enabled) {
      const profile = c.waves.flatMap((w) => w.applications.flatMap((ap) => ap.servers)).map((sv) => sv.cutover.instanceProfile).find(Boolean);
      if (profile) await instanceRole(setupIam, profile);
      const g = await estateGroup(setup.ec2, setup.asg, region, c.name, profile);
      imageKeys.set(g.backupImageId, targetKey);
      // Images of earlier swaps of the group beyond keepImages, for the retention to remove.
      for (let i = 0; i <= a.amiSwap.keepImages; i++) {
        const old = (await setup.ec2.send(new CreateImageCommand({ InstanceId: g.instanceId, Name: `${g.name}-old-${i}` }))).ImageId!;
        // Tagged as the swap tags its images: the image and its snapshots.
        const { Images = [] } = await setup.ec2.send(new DescribeImagesCommand({ ImageIds: [old] }));
        const snapshots = (Images[0]?.BlockDeviceMappings ?? []).map((b) => b.Ebs?.SnapshotId).filter((x): x is string => !!x);
        await setup.ec2.send(new CreateTagsCommand({ Resources: [old, ...snapshots], Tags: [{ Key: PIPELINE_TAG, Value: AMI_SWAP_PIPELINE }, { Key: GROUP_TAG, Value: g.name }] }));
      }
      const jobEvent = (jobId: string) => {
        const { event } = sampleEvent('backup-job-state-change-completed-ec2');
        event.region = region;
        event.account = staging;
        event.resources = [`arn:aws:ec2:${region}::image/${g.backupImageId}`];
        event.detail.resourceArn = `arn:aws:ec2:${region}:${staging}:instance/${g.instanceId}`;
        event.detail.backupJobId = jobId;
        return event;
      };
      const resolveFn = fn(n.functions.resolveBackupTarget);
      const retentionFn = fn(n.functions.applyRetention);
      const resolveSettings = await settings<Parameters<typeof resolveBackupTarget>[2]>(n.functions.resolveBackupTarget, 'RESOLVE_SETTINGS');
      const lambdas = {
        [fnArn(n.functions.resolveBackupTarget)]: (e: never) => resolveBackupTarget({ ec2: resolveFn.ec2, autoscaling: resolveFn.autoscaling }, e, resolveSettings),
        [fnArn(n.functions.applyRetention)]: (e: never) => applyRetention(retentionFn.ec2, e),
      };
      const inject = { ...tagOnCreate(setup.ec2), StartInstanceRefresh: async () => ({ InstanceRefreshId: 'refresh-0001' }) };
      const ok = await machineRun(n.amiSwap, jobEvent(randomUUID()), lambdas, { inject });
      if (ok.status !== 'SUCCEEDED') throw new Error(`AMI swap ${ok.status}: ${ok.error} ${ok.cause}`);
      // A run stopped after it launched its temporary instance: the recovery function cleans up.
      const stopped = await machineRun(n.amiSwap, jobEvent(randomUUID()), lambdas, { inject, abortAt: 'CreateImage' });
      if (stopped.status !== 'ABORTED') throw new Error(`AMI swap stop: ${stopped.status}`);
      await recoverRun(n.amiSwap, stopped.executionArn);
    }
  } finally {
    rec.register('testing', { arn: 'setup:testing', account: staging, kind: 'setup' });
    setup.ec2.destroy();
    setup.asg.destroy();
    setupIam.destroy();
  }
  void estateNames;
  return { modelled, calls, imageKeys };
}

/** EventBridge invoking a function through its resource policy (the rule's ARN as aws:SourceArn). */
function invokedByRule(c: FactoryConfig, rule: string, functionArn: string): Authorization[] {
  const service: Principal = { arn: 'events.amazonaws.com', account: c.accounts.staging, kind: 'service' };
  return [{
    principal: service,
    action: 'lambda:InvokeFunction',
    resource: functionArn,
    resourceAccount: c.accounts.staging,
    context: { 'aws:SourceArn': `arn:aws:events:${c.region}:${c.accounts.staging}:rule/${rule}`, 'aws:SourceAccount': c.accounts.staging },
    source: `events rule ${rule} → function`,
  }];
}

async function sandboxSubnet(ec2: EC2Client, region: string): Promise<string> {
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  return (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24', AvailabilityZone: `${region}a` }))).Subnet!.SubnetId!;
}

/** The role behind an instance profile of the estate's placements (named like the profile). */
async function instanceRole(iam: IAMClient, name: string): Promise<void> {
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust })).catch(() => undefined);
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name })).catch(() => undefined);
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name })).catch(() => undefined);
}

/** An Auto Scaling group of the estate (group and launch template tagged with it) and a backup image of one of its instances. */
async function estateGroup(ec2: EC2Client, asg: AutoScalingClient, region: string, estate: string, profile?: string) {
  const subnet = await sandboxSubnet(ec2, region);
  const base = await publicImage(ec2, 'linux');
  const name = `web-${randomUUID().slice(0, 8)}`;
  const tags = [{ Key: 'rehost-factory:estate', Value: estate }];
  const lt = (
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `${name}-lt`,
        LaunchTemplateData: { ImageId: base, InstanceType: 't3.micro', ...(profile ? { IamInstanceProfile: { Name: profile } } : {}) },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: tags }],
      }),
    )
  ).LaunchTemplate!.LaunchTemplateId!;
  await ec2.send(new CreateTagsCommand({ Resources: [lt], Tags: tags }));
  await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: 1, MaxSize: 4, DesiredCapacity: 2, VPCZoneIdentifier: subnet, LaunchTemplate: { LaunchTemplateId: lt, Version: '$Default' }, Tags: [{ Key: 'rehost-factory:estate', Value: estate, PropagateAtLaunch: true }] }));
  const { AutoScalingGroups = [] } = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  const instanceId = AutoScalingGroups[0].Instances![0].InstanceId!;
  const backupImageId = (await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: `AwsBackup_${instanceId}_${randomUUID().slice(0, 8)}` }))).ImageId!;
  return { name, lt, instanceId, backupImageId };
}

/**
 * EC2 tags an image and its snapshots from TagSpecifications at creation; moto ignores CopyImage's and
 * refuses CreateImage's snapshot specification. The request keeps what the workflow sent (moto gets
 * it without the snapshot specification of CreateImage), and the tags are applied as EC2 would, by
 * the set-up principal.
 */
function tagOnCreate(ec2: EC2Client): NonNullable<Parameters<typeof runLocally>[2]['inject']> {
  type Spec = { ResourceType: string; Tags: Array<{ Key: string; Value: string }> };
  const create = (dropSnapshotSpec: boolean) => async (input: { TagSpecifications?: Spec[] }, real: (payload?: object) => Promise<{ ImageId?: string }>) => {
    const specs = input.TagSpecifications ?? [];
    const out = await real(dropSnapshotSpec ? { ...input, TagSpecifications: specs.filter((s) => s.ResourceType !== 'snapshot') } : input);
    const imageId = out.ImageId!;
    const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    const snapshots = (Images[0]?.BlockDeviceMappings ?? []).map((b) => b.Ebs?.SnapshotId).filter((x): x is string => !!x);
    for (const s of specs) {
      const resources = s.ResourceType === 'image' ? [imageId] : s.ResourceType === 'snapshot' ? snapshots : [];
      if (resources.length) await ec2.send(new CreateTagsCommand({ Resources: resources, Tags: s.Tags }));
    }
    return out;
  };
  return { CopyImage: create(false), CreateImage: create(true) };
}
