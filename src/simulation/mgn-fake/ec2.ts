import {
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type ResponseLaunchTemplateData,
  RunInstancesCommand,
  type RunInstancesRequest,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { IdGenerator } from './random';

/** Where launched instances and launch templates live. */
export interface Ec2Backend {
  /** Creates (or finds) the launch template MGN keeps for a source server; returns its ID. */
  createLaunchTemplate(sourceServerID: string, hostname: string): Promise<string>;
  /** Launches one instance from the launch template's default version; returns its ID. */
  runInstance(launchTemplateID: string, sourceServerID: string, clientToken: string): Promise<string>;
  terminateInstances(instanceIDs: string[]): Promise<void>;
}

/** Instance and template IDs without any EC2 behind them (no ec2Endpoint given). */
export class SyntheticEc2 implements Ec2Backend {
  constructor(private readonly ids: IdGenerator) {}

  async createLaunchTemplate(): Promise<string> {
    return this.ids.next('lt');
  }

  async runInstance(): Promise<string> {
    return this.ids.next('i');
  }

  async terminateInstances(): Promise<void> {}
}

/** MGN's launches as real EC2 calls against an endpoint (moto in tests and --simulate). */
export class EndpointEc2 implements Ec2Backend {
  private readonly client: EC2Client;
  private imageId?: Promise<string>;

  constructor(endpoint: string, region: string) {
    this.client = new EC2Client({
      endpoint,
      region,
      // An emulator accepts any credentials; never pick up the caller's real ones.
      credentials: { accessKeyId: 'mgn-fake', secretAccessKey: 'mgn-fake' },
      maxAttempts: 5,
    });
  }

  async createLaunchTemplate(sourceServerID: string, hostname: string): Promise<string> {
    const name = `mgn-${sourceServerID}`;
    try {
      const out = await this.client.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: name,
          ClientToken: name,
          LaunchTemplateData: {
            InstanceType: 't3.medium',
            TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: hostname }] }],
          },
          TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'AWSApplicationMigrationServiceSourceServerID', Value: sourceServerID }] }],
        }),
      );
      return out.LaunchTemplate!.LaunchTemplateId!;
    } catch (err) {
      // Seeding the same server twice into one EC2 (a re-used moto) finds the template it made before.
      if ((err as { name?: string }).name !== 'InvalidLaunchTemplateName.AlreadyExistsException') throw err;
      const found = await this.client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [name] }));
      return found.LaunchTemplates![0].LaunchTemplateId!;
    }
  }

  async runInstance(launchTemplateID: string, sourceServerID: string, clientToken: string): Promise<string> {
    const versions = await this.client.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateID, Versions: ['$Default'] }));
    const data = versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData ?? {};
    const out = await this.client.send(
      new RunInstancesCommand({
        MinCount: 1,
        MaxCount: 1,
        // MGN boots its converted image; the placement comes from the template's *default* version.
        ImageId: await this.convertedImage(),
        LaunchTemplate: { LaunchTemplateId: launchTemplateID, Version: '$Default' },
        ...explicitPlacement(data),
        ClientToken: clientToken,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'AWSApplicationMigrationServiceSourceServerID', Value: sourceServerID }] }],
      }),
    );
    return out.Instances![0].InstanceId!;
  }

  async terminateInstances(instanceIDs: string[]): Promise<void> {
    if (instanceIDs.length > 0) await this.client.send(new TerminateInstancesCommand({ InstanceIds: instanceIDs }));
  }

  /** Stands in for the AMI MGN converts from the replicated disks: a stable public image of the endpoint. */
  private convertedImage(): Promise<string> {
    this.imageId ??= this.client.send(new DescribeImagesCommand({ Owners: ['amazon'] })).then((out) => {
      const ids = (out.Images ?? []).map((i) => i.ImageId!).sort();
      if (ids.length === 0) throw new Error('MGN fake: the EC2 endpoint has no Amazon-owned image to launch converted servers from');
      return ids[0];
    });
    return this.imageId;
  }
}

/**
 * The default version's network placement and instance profile as explicit RunInstances members.
 * moto applies a template's instance type and tags but not its network interfaces, security groups
 * or instance profile; restating them (same values, so real EC2 would behave identically) puts the
 * instance where EC2 would.
 */
export function explicitPlacement(data: ResponseLaunchTemplateData): Partial<RunInstancesRequest> {
  const placement: Partial<RunInstancesRequest> = {};
  if (data.NetworkInterfaces?.length) {
    placement.NetworkInterfaces = data.NetworkInterfaces.map((n) => ({
      DeviceIndex: n.DeviceIndex ?? 0,
      ...(n.SubnetId ? { SubnetId: n.SubnetId } : {}),
      ...(n.Groups?.length ? { Groups: n.Groups } : {}),
      ...(n.PrivateIpAddress ? { PrivateIpAddress: n.PrivateIpAddress } : {}),
      ...(n.PrivateIpAddresses?.length && !n.PrivateIpAddress ? { PrivateIpAddresses: n.PrivateIpAddresses } : {}),
      ...(n.AssociatePublicIpAddress !== undefined ? { AssociatePublicIpAddress: n.AssociatePublicIpAddress } : {}),
      ...(n.DeleteOnTermination !== undefined ? { DeleteOnTermination: n.DeleteOnTermination } : {}),
      ...(n.Description ? { Description: n.Description } : {}),
    }));
  } else if (data.SecurityGroupIds?.length) {
    placement.SecurityGroupIds = data.SecurityGroupIds;
  }
  if (data.IamInstanceProfile?.Arn || data.IamInstanceProfile?.Name) placement.IamInstanceProfile = data.IamInstanceProfile;
  if (data.Placement?.AvailabilityZone) placement.Placement = { AvailabilityZone: data.Placement.AvailabilityZone };
  return placement;
}

/** Runs async work with at most `limit` in flight (EC2 emulators answer slowly under hundreds of parallel calls). */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so `active` never exceeds `limit`.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
