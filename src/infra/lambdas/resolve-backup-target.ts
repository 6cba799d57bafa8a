import { createHash } from 'node:crypto';
import { AutoScalingClient, AutoScalingGroup, DescribeAutoScalingGroupsCommand, MixedInstancesPolicy } from '@aws-sdk/client-auto-scaling';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, DescribeSubnetsCommand, EC2Client, Instance, ResponseLaunchTemplateData, RunInstancesRequest } from '@aws-sdk/client-ec2';
import { BACKUP_JOB_TAG } from '../state-machines/identifiers';
import { PipelineError, settingsFromEnv, tagValue } from './errors';

export const ASG_TAG = 'aws:autoscaling:groupName';

export interface ResolveBackupTargetSettings {
  /** Tags put on the temporary instance, e.g. the pipeline tag. */
  readonly tags: Record<string, string>;
  /** How long the group's lock is taken for: the swap's execution timeout. */
  readonly lockSeconds: number;
}

/** The part of a "Backup Job State Change" event the resolution reads. */
export interface BackupJobEvent {
  readonly resources?: string[];
  readonly detail?: { readonly backupJobId?: string; readonly resourceArn?: string; readonly resourceType?: string; readonly state?: string };
}

/**
 * What the workflow asks: `locate` the backed-up instance's group (before anything is claimed), or
 * `resolve` what the swap needs once the backup job is claimed, with the claim's attempt number
 * (the ClientTokens include it: a re-run after a failure must not get back the failed run's instance).
 */
export type BackupTargetRequest =
  | { readonly step: 'locate'; readonly event: BackupJobEvent }
  | { readonly step: 'resolve'; readonly event: BackupJobEvent; readonly attempt: number };

export interface NotInGroup {
  readonly inAsg: false;
  readonly backupJobId: string;
  readonly instanceId: string;
  readonly reason: string;
}

export interface LocatedGroup {
  readonly inAsg: true;
  readonly backupJobId: string;
  readonly instanceId: string;
  readonly asgName: string;
  /** The group lock's clock in epoch seconds (the workflow has no date arithmetic): now, and when a lock taken now expires. */
  readonly clock: { readonly now: number; readonly expiresAt: number };
}

export type BackupTarget =
  | NotInGroup
  | {
      readonly inAsg: true;
      readonly backupJobId: string;
      /** The recovery point: an AMI. */
      readonly imageId: string;
      readonly instanceId: string;
      readonly asgName: string;
      readonly maxSize: number;
      /** MaxSize while the swap runs: the current desired capacity, so no instance starts on the old image meanwhile. */
      readonly clampedMaxSize: number;
      readonly launchTemplateId: string;
      /** Number of the launch template's default version: the new version starts from it. */
      readonly defaultVersion: number;
      readonly usesMixedInstancesPolicy: boolean;
      /** The group's whole MixedInstancesPolicy with its launch template at $Default (overrides and distribution kept). */
      readonly mixedInstancesPolicy?: MixedInstancesPolicy;
      readonly windows: boolean;
      /** Name of the image to create; fixed per backup job, so a retried CreateImage finds its image. */
      readonly imageName: string;
      /** ClientToken for RunInstances and CreateLaunchTemplateVersion (≤ 64 characters), new for each attempt. */
      readonly clientToken: string;
      /** The RunInstances request of the temporary instance: network and placement from the launch template, no public IP. */
      readonly runInstances: RunInstancesRequest;
    };

/** The recovery point, the instance and its group, read from the event and EC2; never an error for an instance outside a group. */
async function locate(
  clients: { ec2: EC2Client; autoscaling: AutoScalingClient },
  event: BackupJobEvent,
): Promise<NotInGroup | (Omit<LocatedGroup, 'clock'> & { imageId: string; instance: Instance; group: AutoScalingGroup })> {
  const backupJobId = event.detail?.backupJobId;
  if (!backupJobId) throw new PipelineError('InvalidEvent', 'the event has no detail.backupJobId: not a "Backup Job State Change" event');
  const imageId = (event.resources ?? []).map((r) => /:image\/(ami-[0-9a-f]+)$/.exec(r)?.[1]).find(Boolean);
  if (!imageId) throw new PipelineError('NotAnImageRecoveryPoint', `backup job ${backupJobId}: no AMI ARN in resources ${JSON.stringify(event.resources ?? [])}`);
  const instanceId = /:instance\/(i-[0-9a-f]+)$/.exec(event.detail?.resourceArn ?? '')?.[1];
  if (!instanceId) throw new PipelineError('NotAnInstanceBackup', `backup job ${backupJobId}: resourceArn ${event.detail?.resourceArn} is not an EC2 instance`);

  const outside = (reason: string): NotInGroup => ({ inAsg: false, backupJobId, instanceId, reason });
  const instance = await describeInstance(clients.ec2, instanceId);
  if (!instance) return outside(`instance ${instanceId} no longer exists`);
  const asgName = tagValue(instance.Tags, ASG_TAG);
  if (!asgName) return outside(`instance ${instanceId} is not in an Auto Scaling group (no ${ASG_TAG} tag)`);
  const { AutoScalingGroups = [] } = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }));
  const group = AutoScalingGroups[0];
  if (!group) return outside(`Auto Scaling group ${asgName} no longer exists`);
  return { inAsg: true, backupJobId, instanceId, asgName, imageId, instance, group };
}

/**
 * `locate`: the group of a completed EC2 backup's instance. `resolve`: also its AMI and the group's
 * launch template (its default version, by number) and the temporary instance's request. An instance
 * outside any group (or a group deleted since) is "nothing to do", not an error.
 */
export async function resolveBackupTarget(
  clients: { ec2: EC2Client; autoscaling: AutoScalingClient },
  request: BackupTargetRequest,
  s: ResolveBackupTargetSettings,
  nowMs: number = Date.now(),
): Promise<BackupTarget | LocatedGroup> {
  const found = await locate(clients, request.event);
  if (!found.inAsg) return found;
  const { backupJobId, instanceId, asgName, imageId, instance, group } = found;
  if (request.step === 'locate') {
    const now = Math.floor(nowMs / 1000);
    return { inAsg: true, backupJobId, instanceId, asgName, clock: { now, expiresAt: now + s.lockSeconds } };
  }
  if (!Number.isInteger(request.attempt) || request.attempt < 1) throw new PipelineError('InvalidRequest', `attempt must be an integer >= 1, got ${JSON.stringify(request.attempt)}`);

  const spec = group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (!spec?.LaunchTemplateId && !spec?.LaunchTemplateName) {
    throw new PipelineError('UnsupportedLaunchConfiguration', `Auto Scaling group ${asgName} uses a launch configuration, not a launch template: migrate it to a launch template first`);
  }
  const { LaunchTemplateVersions = [] } = await clients.ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ ...(spec.LaunchTemplateId ? { LaunchTemplateId: spec.LaunchTemplateId } : { LaunchTemplateName: spec.LaunchTemplateName }), Versions: ['$Default'] }),
  );
  // '$Default' asks for the default version by flag, never by list position.
  const version = LaunchTemplateVersions.find((v) => v.DefaultVersion) ?? LaunchTemplateVersions[0];
  if (!version?.VersionNumber || !version.LaunchTemplateId) throw new PipelineError('LaunchTemplateNotFound', `Auto Scaling group ${asgName}: launch template ${spec.LaunchTemplateId ?? spec.LaunchTemplateName} has no default version`);

  const { Images = [] } = await clients.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  if (!Images[0]) throw new PipelineError('RecoveryPointImageNotFound', `backup job ${backupJobId}: image ${imageId} is not visible to this account`);
  const windows = (Images[0].Platform ?? '').toLowerCase() === 'windows' || /windows/i.test(Images[0].PlatformDetails ?? '');

  const clientToken = swapClientToken(backupJobId, request.attempt);
  return {
    inAsg: true,
    backupJobId,
    imageId,
    instanceId,
    asgName,
    maxSize: group.MaxSize ?? 0,
    clampedMaxSize: Math.max(group.DesiredCapacity ?? 0, group.MinSize ?? 0),
    launchTemplateId: version.LaunchTemplateId,
    defaultVersion: version.VersionNumber,
    usesMixedInstancesPolicy: !group.LaunchTemplate && !!group.MixedInstancesPolicy,
    ...(!group.LaunchTemplate && group.MixedInstancesPolicy
      ? {
          mixedInstancesPolicy: {
            ...group.MixedInstancesPolicy,
            LaunchTemplate: { ...group.MixedInstancesPolicy.LaunchTemplate, LaunchTemplateSpecification: { LaunchTemplateId: version.LaunchTemplateId, Version: '$Default' } },
          },
        }
      : {}),
    windows,
    imageName: imageName(asgName, backupJobId),
    clientToken,
    runInstances: await temporaryInstanceRequest(clients.ec2, imageId, instance, group, version.LaunchTemplateData ?? {}, clientToken, { ...s.tags, [BACKUP_JOB_TAG]: backupJobId, Name: `ami-swap-${asgName}`.slice(0, 255) }),
  };
}

/** `swap-<job>-<attempt>`; a job ID too long for 64 characters is hashed. */
export function swapClientToken(backupJobId: string, attempt: number): string {
  const token = `swap-${backupJobId}-${attempt}`;
  return token.length <= 64 ? token : `swap-${createHash('sha256').update(backupJobId).digest('hex').slice(0, 40)}-${attempt}`;
}

async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance | undefined> {
  try {
    const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return Reservations[0]?.Instances?.[0];
  } catch (e) {
    if ((e as Error).name === 'InvalidInstanceID.NotFound') return undefined;
    throw e;
  }
}

/**
 * Network and placement of the temporary instance, as the group would launch it: the launch
 * template's first interface (subnet, security groups), else the group's subnet in the launch
 * template's zone (else its first), else the backed-up instance's; the template's placement
 * (tenancy, placement group, host) without its zone, which the subnet decides; never a public IP;
 * IMDSv2 only.
 */
async function temporaryInstanceRequest(
  ec2: EC2Client,
  imageId: string,
  instance: Instance,
  group: AutoScalingGroup,
  lt: ResponseLaunchTemplateData,
  clientToken: string,
  tags: Record<string, string>,
): Promise<RunInstancesRequest> {
  const nic = lt.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);
  const subnetId = nic?.SubnetId ?? (await groupSubnet(ec2, group, lt.Placement?.AvailabilityZone)) ?? instance.SubnetId;
  const groups = nic?.Groups?.length ? nic.Groups : lt.SecurityGroupIds?.length ? lt.SecurityGroupIds : (instance.SecurityGroups ?? []).map((g) => g.GroupId!).filter(Boolean);
  const profile = lt.IamInstanceProfile?.Arn ? { Arn: lt.IamInstanceProfile.Arn } : lt.IamInstanceProfile?.Name ? { Name: lt.IamInstanceProfile.Name } : instance.IamInstanceProfile?.Arn ? { Arn: instance.IamInstanceProfile.Arn } : undefined;
  const { AvailabilityZone, AvailabilityZoneId, ...placement } = lt.Placement ?? {};
  return {
    ImageId: imageId,
    InstanceType: lt.InstanceType ?? instance.InstanceType,
    MinCount: 1,
    MaxCount: 1,
    ClientToken: clientToken,
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, Groups: groups, AssociatePublicIpAddress: false, DeleteOnTermination: true }],
    ...(Object.keys(placement).length ? { Placement: placement } : {}),
    ...(profile ? { IamInstanceProfile: profile } : {}),
    MetadataOptions: { HttpTokens: 'required' },
    TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
  };
}

/** The group's subnet in `zone` when the launch template names one (else its first subnet). */
async function groupSubnet(ec2: EC2Client, group: AutoScalingGroup, zone: string | undefined): Promise<string | undefined> {
  const ids = (group.VPCZoneIdentifier ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  if (!zone || ids.length < 2) return ids[0];
  const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids }));
  return Subnets.find((sn) => sn.AvailabilityZone === zone)?.SubnetId ?? ids[0];
}

/** AMI names: at most 128 characters of letters, digits, ( ) [ ] space . / - ' @ _. */
export function imageName(asgName: string, backupJobId: string): string {
  const suffix = `-${backupJobId}`;
  return `${asgName.replace(/[^A-Za-z0-9()[\] ./'@_-]/g, '_').slice(0, 128 - suffix.length)}${suffix}`;
}

let ec2: EC2Client | undefined;
let autoscaling: AutoScalingClient | undefined;
export const handler = (request: BackupTargetRequest) =>
  resolveBackupTarget({ ec2: (ec2 ??= new EC2Client({})), autoscaling: (autoscaling ??= new AutoScalingClient({})) }, request, settingsFromEnv<ResolveBackupTargetSettings>('RESOLVE_SETTINGS'));
