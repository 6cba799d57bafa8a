import {
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  Instance,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { createHash } from 'node:crypto';
import { FactoryConfig, Placement, Server } from '../config/schema';
import { Clock } from '../core/clock';
import { waitFor } from '../core/wait';
import { VmImportInputError } from './formats';

export interface LaunchOptions {
  readonly ec2: EC2Client;
  readonly config: FactoryConfig;
  readonly server: Server;
  /** Which of the server's placements to launch into. */
  readonly placement: 'test' | 'cutover';
  readonly imageId: string;
  /** Stop the instance once running, then start it again (e.g. to apply attributes set while stopped). */
  readonly stopFirst: boolean;
  readonly clock: Clock;
  readonly statusCheckTimeoutMinutes: number;
  readonly pollMs: number;
  readonly log: (line: string) => void;
}

export interface LaunchOutcome {
  readonly instanceId: string;
  readonly privateIp?: string;
  readonly subnetId: string;
  readonly statusChecks: { readonly system: string; readonly instance: string };
  readonly stoppedAndStarted: boolean;
}

/** The subnet ID of a placement, from network.targetSubnets. */
export function placementSubnetId(config: FactoryConfig, server: Server, placement: Placement): string {
  const subnet = config.network.targetSubnets.find((s) => s.name === placement.subnet);
  if (!subnet) {
    throw new Error(`server ${server.name}: placement subnet "${placement.subnet}" is not in network.targetSubnets`);
  }
  return subnet.subnetId;
}

/**
 * `--launch` starts the instance with the run's own credentials, in the account that imported the
 * image (only it has the AMI), not in the server's target account. So the placement's subnet and
 * security groups must be visible to the importing account: its own, or a subnet shared with it through
 * RAM (with security groups of its own). Checked before the upload, not after hours of import.
 */
export async function checkPlacementReachable(ec2: EC2Client, config: FactoryConfig, server: Server, which: 'test' | 'cutover'): Promise<void> {
  const placement = server[which];
  const subnetId = placementSubnetId(config, server, placement);
  const refuse = (what: string, e: unknown) =>
    new VmImportInputError(
      `server ${server.name}: the ${which} placement's ${what} is not visible to the importing account (${(e as Error).name || (e as Error).message}). ` +
        '--launch starts the instance in the account that imports the image: use a subnet and security groups of that account (or a subnet shared with it), ' +
        'or import without --launch and share or copy the AMI to the target account',
    );
  try {
    const r = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    if (!r.Subnets?.length) throw new Error('not found');
  } catch (e) {
    throw refuse(`subnet ${placement.subnet} (${subnetId})`, e);
  }
  if (!placement.securityGroups.length) return;
  try {
    const r = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: placement.securityGroups }));
    if ((r.SecurityGroups ?? []).length !== placement.securityGroups.length) throw new Error('not all found');
  } catch (e) {
    throw refuse(`security groups ${placement.securityGroups.join(', ')}`, e);
  }
}

/**
 * Launches one instance from the imported AMI into the server's placement (in the importing account,
 * see checkPlacementReachable) and waits for status checks 2/2. The ClientToken is derived from the AMI and the server, so a re-run finds the same instance
 * instead of launching a second one.
 */
export async function launchImported(o: LaunchOptions): Promise<LaunchOutcome> {
  const placement = o.server[o.placement];
  const subnetId = placementSubnetId(o.config, o.server, placement);
  const clientToken = createHash('sha256').update(`vm-import:${o.imageId}:${o.server.name}:${o.placement}`).digest('hex').slice(0, 64);
  const tags = { ...o.config.tags, ...o.server.tags, ...placement.tags, Name: o.server.name, 'rehost-factory:server': o.server.name, 'rehost-factory:source': 'vm-import' };
  const tagList = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  const r = await o.ec2.send(
    new RunInstancesCommand({
      ImageId: o.imageId,
      InstanceType: placement.instanceType as never,
      MinCount: 1,
      MaxCount: 1,
      ClientToken: clientToken,
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, Groups: placement.securityGroups, PrivateIpAddress: placement.privateIp }],
      IamInstanceProfile: placement.instanceProfile ? { Name: placement.instanceProfile } : undefined,
      MetadataOptions: { HttpTokens: 'required' },
      TagSpecifications: [
        { ResourceType: 'instance', Tags: tagList },
        { ResourceType: 'volume', Tags: tagList },
      ],
    }),
  );
  const instanceId = r.Instances?.[0]?.InstanceId;
  if (!instanceId) throw new Error(`RunInstances for ${o.server.name} returned no instance`);
  o.log(`launched ${instanceId} from ${o.imageId} in ${subnetId} (${placement.instanceType})`);
  const wait = { clock: o.clock, timeoutMinutes: o.statusCheckTimeoutMinutes, pollMs: o.pollMs, log: o.log };
  let instance = await waitForState(o.ec2, instanceId, 'running', wait);
  if (o.stopFirst) {
    await o.ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    await waitForState(o.ec2, instanceId, 'stopped', wait);
    await o.ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] }));
    instance = await waitForState(o.ec2, instanceId, 'running', wait);
  }
  const statusChecks = await waitFor({ ...wait, what: `status checks of ${instanceId}` }, async () => {
    const s = await o.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [instanceId], IncludeAllInstances: true }));
    const st = s.InstanceStatuses?.[0];
    const system = st?.SystemStatus?.Status ?? 'unknown';
    const inst = st?.InstanceStatus?.Status ?? 'unknown';
    const passed = Number(system === 'ok') + Number(inst === 'ok');
    const state = `${passed}/2 passed (system ${system}, instance ${inst}, ${st?.InstanceState?.Name ?? 'unknown'})`;
    if (st?.InstanceState?.Name && st.InstanceState.Name !== 'running') return { state, failure: `the instance is ${st.InstanceState.Name}` };
    return { state, value: passed === 2 ? { system, instance: inst } : undefined };
  });
  return { instanceId, privateIp: instance.PrivateIpAddress, subnetId, statusChecks, stoppedAndStarted: o.stopFirst };
}

async function waitForState(
  ec2: EC2Client,
  instanceId: string,
  wanted: 'running' | 'stopped',
  wait: { clock: Clock; timeoutMinutes: number; pollMs: number; log: (l: string) => void },
): Promise<Instance> {
  return waitFor({ ...wait, what: `${instanceId} to be ${wanted}` }, async () => {
    const r = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const i = r.Reservations?.[0]?.Instances?.[0];
    const name = i?.State?.Name ?? 'unknown';
    if (name === 'terminated' || name === 'shutting-down') return { state: name, failure: `${name}: ${i?.StateReason?.Message ?? 'no reason given'}` };
    return { state: name, value: name === wanted ? i : undefined };
  });
}
