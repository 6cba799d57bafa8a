import { randomUUID } from 'node:crypto';
import { AutoScalingClient, CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand, DeleteAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { applyRetention } from '../../../src/infra/lambdas/apply-retention';
import { BackupTarget, resolveBackupTarget } from '../../../src/infra/lambdas/resolve-backup-target';
import { AMI_SWAP_PIPELINE, GROUP_TAG, PIPELINE_TAG } from '../../../src/infra/state-machines/identifiers';
import { motoClientConfig, sharedMotoUrl } from '../../support/moto';
import { launchInstance, publicImage, REGION } from './support/estate';

const cfg = motoClientConfig(sharedMotoUrl(), REGION);
const ec2 = new EC2Client(cfg);
const autoscaling = new AutoScalingClient(cfg);
const settings = { tags: { [PIPELINE_TAG]: AMI_SWAP_PIPELINE }, lockSeconds: 3600 };

/** A group of one instance in two subnets (zones a and b) on a launch template (or a launch configuration), and a backup image. */
async function estate(o: { lt?: RequestLaunchTemplateData; byName?: boolean; launchConfiguration?: boolean } = {}) {
  const { subnetId: subnetA } = await launchInstance(ec2);
  const { Subnets: [a] = [] } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetA] }));
  const { Subnet: b } = await ec2.send(new CreateSubnetCommand({ VpcId: a.VpcId!, CidrBlock: '10.0.2.0/24', AvailabilityZone: `${REGION}b` }));
  const sg = async (name: string) => (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${name}-${randomUUID().slice(0, 6)}`, Description: name, VpcId: a.VpcId! }))).GroupId!;
  const base = await publicImage(ec2, 'linux');
  const group = `g-${randomUUID().slice(0, 8)}`;
  const zones = `${subnetA},${b!.SubnetId!}`;
  if (o.launchConfiguration) {
    await autoscaling.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: `${group}-lc`, ImageId: base, InstanceType: 't3.micro' }));
    await autoscaling.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: group, MinSize: 1, MaxSize: 2, LaunchConfigurationName: `${group}-lc`, VPCZoneIdentifier: zones }));
  } else {
    const name = `${group}-lt`;
    const { LaunchTemplate } = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { ImageId: base, InstanceType: 't3.micro', ...o.lt } }));
    const spec = o.byName ? { LaunchTemplateName: name, Version: '$Default' } : { LaunchTemplateId: LaunchTemplate!.LaunchTemplateId!, Version: '$Default' };
    await autoscaling.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: group, MinSize: 1, MaxSize: 2, LaunchTemplate: spec, VPCZoneIdentifier: zones }));
  }
  const { AutoScalingGroups = [] } = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  const instanceId = AutoScalingGroups[0].Instances![0].InstanceId!;
  const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: `AwsBackup_${instanceId}_${randomUUID().slice(0, 6)}` }));
  const event = { resources: [`arn:aws:ec2:${REGION}::image/${ImageId}`], detail: { backupJobId: randomUUID(), resourceArn: `arn:aws:ec2:${REGION}:111111111111:instance/${instanceId}` } };
  return { group, instanceId, event, subnetA, subnetB: b!.SubnetId!, sg };
}

const resolve = (event: object, attempt = 1) => resolveBackupTarget({ ec2, autoscaling }, { step: 'resolve', event, attempt }, settings) as Promise<BackupTarget & { inAsg: true }>;

describe('resolve-backup-target', () => {
  test('a launch configuration instead of a launch template is an error that says what to do', async () => {
    const e = await estate({ launchConfiguration: true });
    await expect(resolve(e.event)).rejects.toMatchObject({ name: 'UnsupportedLaunchConfiguration', message: expect.stringContaining('migrate it to a launch template first') });
    // locating the group still works: the workflow claims the job before this error
    await expect(resolveBackupTarget({ ec2, autoscaling }, { step: 'locate', event: e.event }, settings, 1_000_000)).resolves.toEqual({
      inAsg: true,
      backupJobId: e.event.detail.backupJobId,
      instanceId: e.instanceId,
      asgName: e.group,
      clock: { now: 1000, expiresAt: 4600 },
    });
  });

  test('a group deleted since the backup is nothing to do', async () => {
    const e = await estate();
    await autoscaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: e.group, ForceDelete: true }));
    await expect(resolve(e.event)).resolves.toMatchObject({ inAsg: false, reason: `Auto Scaling group ${e.group} no longer exists` });
  });

  test('a launch template named (not by ID) resolves to its ID and default version', async () => {
    const e = await estate({ byName: true });
    const t = await resolve(e.event, 3);
    expect(t).toMatchObject({ inAsg: true, asgName: e.group, launchTemplateId: expect.stringMatching(/^lt-/), defaultVersion: 1, clientToken: `swap-${e.event.detail.backupJobId}-3` });
    await expect(resolve(e.event, 0)).rejects.toMatchObject({ name: 'InvalidRequest' });
  });

  test('network: the template\'s interface first, then its security groups with the group\'s subnet in the template\'s zone; placement without the zone', async () => {
    const plain = await estate();
    const sgNic = await plain.sg('nic');
    const withNic = await estate({ lt: { NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: plain.subnetB, Groups: [sgNic] }] } });
    expect((await resolve(withNic.event)).runInstances.NetworkInterfaces).toEqual([{ DeviceIndex: 0, SubnetId: plain.subnetB, Groups: [sgNic], AssociatePublicIpAddress: false, DeleteOnTermination: true }]);

    const zoned = await estate();
    const sgTemplate = await zoned.sg('template');
    const inZoneB = await estate({ lt: { SecurityGroupIds: [sgTemplate], Placement: { AvailabilityZone: `${REGION}b`, Tenancy: 'default' } } });
    const request = (await resolve(inZoneB.event)).runInstances;
    expect(request.NetworkInterfaces![0]).toMatchObject({ SubnetId: inZoneB.subnetB, Groups: [sgTemplate] });
    expect(request.Placement).toEqual({ Tenancy: 'default' });

    // no interface and no zone in the template: the group's first subnet, the backed-up instance's groups
    const fallback = (await resolve(plain.event)).runInstances;
    expect(fallback.NetworkInterfaces![0].SubnetId).toBe(plain.subnetA);
    expect(fallback.Placement).toBeUndefined();
  });
});

describe('apply-retention', () => {
  test('keep must be a whole number of at least 1', async () => {
    const r = { asgName: 'g', currentImageId: 'ami-1', pipelineTag: { key: PIPELINE_TAG, value: AMI_SWAP_PIPELINE }, groupTagKey: GROUP_TAG };
    for (const keep of [0, 1.5, -1]) await expect(applyRetention(ec2, { ...r, keep })).rejects.toMatchObject({ name: 'InvalidRetention' });
  });

  test('an image (and snapshot) someone else removed meanwhile is skipped, not an error', async () => {
    const { instanceId } = await launchInstance(ec2);
    const group = `g-${randomUUID().slice(0, 8)}`;
    const images: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: `${group}-${i}` }));
      await ec2.send(new CreateTagsCommand({ Resources: [ImageId!], Tags: [{ Key: PIPELINE_TAG, Value: AMI_SWAP_PIPELINE }, { Key: GROUP_TAG, Value: group }] }));
      images.push(ImageId!);
      await new Promise((r) => setTimeout(r, 1100)); // distinct CreationDate seconds
    }
    // another actor removes the oldest image and its snapshot between the listing and the removal: moto gives its real NotFound answers
    const { Images: [oldest] = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [images[0]] }));
    const racing = {
      send: async (command: { constructor: { name: string }; input: { ImageId?: string } }) => {
        if (command.constructor.name === 'DeregisterImageCommand' && command.input.ImageId === images[0]) {
          await ec2.send(new DeregisterImageCommand({ ImageId: images[0] }));
          await ec2.send(new DeleteSnapshotCommand({ SnapshotId: oldest.BlockDeviceMappings![0].Ebs!.SnapshotId! }));
        }
        return ec2.send(command as never);
      },
    } as unknown as EC2Client;
    const result = await applyRetention(racing, { asgName: group, keep: 2, currentImageId: images[2], pipelineTag: { key: PIPELINE_TAG, value: AMI_SWAP_PIPELINE }, groupTagKey: GROUP_TAG });
    expect(result.kept).toEqual([images[2], images[1]]);
    expect(result.removed.map((x) => x.imageId)).toEqual([images[0]]);
  });
});
