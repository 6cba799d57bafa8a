import { DescribeInstanceTypeOfferingsCommand, DescribeLaunchTemplatesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DescribeDocumentCommand } from '@aws-sdk/client-ssm';
import { reservedAddressProblem } from '../config/subnet-addresses';
import { RehostError } from '../core/errors';
import { forEachLimited } from './concurrency';
import { ipInCidr } from './net';
import { parseIsoDuration } from './duration';
import { launchConfiguration } from './launch-template';
import { type Mode, type NextStep } from './lifecycle';
import { kmsKeyFor, placementFor, postLaunchDocuments } from '../config/placement';
import { postLaunchConfigProblem } from './post-launch-config';
import type { ResolvedServer } from './resolve';
import { errorCode } from '../core/retry';
import { call, type Runtime } from './runtime';

/** A server preflight refused, with every reason found (not just the first). */
export interface PreflightFailure {
  readonly server: string;
  readonly sourceServerID?: string;
  readonly reasons: string[];
}

/** Preflight refused servers and the run was not told to continue without them. Nothing was mutated. */
export class PreflightError extends RehostError {
  constructor(public readonly failures: readonly PreflightFailure[]) {
    super(
      'refusal',
      `preflight refused ${failures.length} server${failures.length === 1 ? '' : 's'}; nothing was changed (use --continue-without-failing to run the others):\n` +
        failures.map((f) => `  ${f.server}${f.sourceServerID ? ` (${f.sourceServerID})` : ''}: ${f.reasons.join('; ')}`).join('\n'),
    );
    this.name = 'PreflightError';
  }
}

/** Servers preflighted at once. */
export const PREFLIGHT_CONCURRENCY = 8;

const NOT_FOUND = /NotFound|NoSuchEntity|InvalidDocument|InvalidGroup\.Malformed|InvalidSubnetID|InvalidLaunchTemplateId/;

/** The value of a read, or undefined when the service answers "not found". */
async function unlessNotFound<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (NOT_FOUND.test(errorCode(e))) return undefined;
    throw e;
  }
}

/** Runs a read that answers "not found" with an error code; returns the reason or undefined when it exists. */
async function exists<T>(read: () => Promise<T>, what: string, check?: (value: T) => string | undefined): Promise<string | undefined> {
  try {
    const v = await read();
    return check?.(v);
  } catch (e) {
    if (NOT_FOUND.test(errorCode(e))) return `${what} does not exist (${errorCode(e)})`;
    throw e;
  }
}

/** Caches one read per resource: a 500-server wave shares a handful of subnets and groups. */
class Memo {
  private readonly cache = new Map<string, Promise<unknown>>();
  get<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (!this.cache.has(key)) this.cache.set(key, read());
    return this.cache.get(key) as Promise<T>;
  }
}

/**
 * Replication healthy enough to launch: CONTINUOUS and lag under the threshold. A server that is still
 * in initial sync, stalled or lagging would launch from stale or incomplete data.
 */
export function replicationProblems(s: ResolvedServer['sourceServer'], maxLag: string): string[] {
  const info = s.dataReplicationInfo;
  const problems: string[] = [];
  const state = info?.dataReplicationState ?? 'unknown';
  if (state !== 'CONTINUOUS') {
    const err = info?.dataReplicationError?.error;
    problems.push(`replication is ${state}${err ? ` (${err}${info?.dataReplicationError?.rawError ? `: ${info.dataReplicationError.rawError}` : ''})` : ''}, expected CONTINUOUS`);
  }
  const lag = info?.lagDuration;
  if (lag === undefined || lag === null || lag === '') problems.push('replication lag (lagDuration) is not measured yet');
  else {
    let ms: number;
    try {
      ms = parseIsoDuration(lag);
    } catch (e) {
      problems.push(`lagDuration ${JSON.stringify(lag)} is not an ISO-8601 duration: ${(e as Error).message}`);
      return problems;
    }
    if (ms > parseIsoDuration(maxLag)) problems.push(`replication lag ${lag} exceeds runbook.maxReplicationLag ${maxLag}`);
  }
  return problems;
}

/**
 * Read-only checks before any mutating call: lifecycle allows the mode; for launches, replication,
 * the launch template, the placement's subnet/security groups/instance type/profile (existing and
 * fitting together), the KMS key, the SSM post-launch documents, and that the server's MGN launch
 * settings run every one of them on this mode's launch.
 */
export async function preflight(
  rt: Runtime,
  wave: string,
  mode: Mode,
  items: ReadonlyArray<{ resolved: ResolvedServer; step: NextStep }>,
  /** Filled with each launching server's launch template ID, so the run does not ask MGN again. */
  templates: Map<string, string | undefined> = new Map(),
): Promise<PreflightFailure[]> {
  const memo = new Memo();
  const { ssm } = rt.clients;
  const docs = postLaunchDocuments(rt.config, mode);
  const results: PreflightFailure[] = [];
  // A bounded number of servers at a time: MGN and EC2 throttle bursts (a wave may hold 1,000 servers).
  await forEachLimited(
    items,
    PREFLIGHT_CONCURRENCY,
    async ({ resolved, step }) => {
      const reasons: string[] = [];
      const s = resolved.sourceServer;
      if (step.kind === 'refuse') reasons.push(step.reason);
      if (step.kind === 'revert' && !s.dataReplicationInfo?.lagDuration) reasons.push('lagDuration is not set: MGN refuses ChangeServerLifeCycleState until replication measured a lag');
      if (step.kind === 'launch') {
        reasons.push(...replicationProblems(s, rt.config.runbook.maxReplicationLag));
        const p = placementFor(rt.config, resolved.server, mode, wave);
        const lc = await launchConfiguration(rt, resolved.sourceServerID);
        const ltId = lc.ec2LaunchTemplateID || undefined;
        templates.set(resolved.sourceServerID, ltId);
        const keyId = describableKeyId(rt, resolved.server);
        const checks = await Promise.all([
          ltId ? memo.get(`lt:${ltId}`, () => launchTemplateExists(rt, ltId)) : 'MGN has no launch template for it (GetLaunchConfiguration.ec2LaunchTemplateID is empty)',
          placementProblems(rt, memo, p),
          memo.get(`kms:${keyId}`, () => kmsKeyProblem(rt, keyId)),
          ...docs.map((name) => memo.get(`ssm:${name}`, () => exists(() => call(rt, 'ssm:DescribeDocument', () => ssm.send(new DescribeDocumentCommand({ Name: name }))), `SSM document ${name}`))),
          p.instanceProfile ? memo.get(`iam:${p.instanceProfile}`, () => instanceProfileProblem(rt, p.instanceProfile!)) : undefined,
          postLaunchConfigProblem(rt, resolved.sourceServerID, lc, mode === 'test' ? 'test' : 'cutover', docs),
        ]);
        reasons.push(...checks.flat().filter((r): r is string => !!r));
      }
      if (reasons.length) results.push({ server: resolved.server.name, sourceServerID: resolved.sourceServerID, reasons });
    },
  );
  // In wave order, whatever order the reads finished in.
  const order = new Map(items.map((i, n) => [i.resolved.server.name, n]));
  return results.sort((a, b) => order.get(a.server)! - order.get(b.server)!);
}

/** Subnet, security groups, instance type and fixed IP exist and fit together. */
async function placementProblems(rt: Runtime, memo: Memo, p: ReturnType<typeof placementFor>): Promise<string[]> {
  const { ec2 } = rt.clients;
  const subnet = await memo.get(`subnet:${p.subnetId}`, () => unlessNotFound(async () => (await call(rt, 'ec2:DescribeSubnets', () => ec2.send(new DescribeSubnetsCommand({ SubnetIds: [p.subnetId] })))).Subnets?.[0]));
  if (!subnet) return [`subnet ${p.subnetName} (${p.subnetId}) does not exist`];
  const problems: string[] = [];
  if (p.availabilityZone && subnet.AvailabilityZone !== p.availabilityZone) problems.push(`subnet ${p.subnetName} is in ${subnet.AvailabilityZone}, factory.yaml says ${p.availabilityZone}`);
  if (p.privateIp && subnet.CidrBlock && !ipInCidr(p.privateIp, subnet.CidrBlock)) problems.push(`private IP ${p.privateIp} is outside subnet ${p.subnetName} (${subnet.CidrBlock})`);
  const reserved = p.privateIp && subnet.CidrBlock ? reservedAddressProblem(p.privateIp, subnet.CidrBlock) : undefined;
  if (reserved) problems.push(reserved);
  for (const sg of p.securityGroups) {
    const group = await memo.get(`sg:${sg}`, () => unlessNotFound(async () => (await call(rt, 'ec2:DescribeSecurityGroups', () => ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] })))).SecurityGroups?.[0]));
    if (!group) problems.push(`security group ${sg} does not exist`);
    else if (group.VpcId !== subnet.VpcId) problems.push(`security group ${sg} is in ${group.VpcId}, subnet ${p.subnetName} in ${subnet.VpcId}`);
  }
  const az = subnet.AvailabilityZone!;
  const offered = await memo.get(`offer:${az}:${p.instanceType}`, async () => {
    const r = await call(rt, 'ec2:DescribeInstanceTypeOfferings', () =>
      ec2.send(
        new DescribeInstanceTypeOfferingsCommand({
          LocationType: 'availability-zone',
          Filters: [
            { Name: 'location', Values: [az] },
            { Name: 'instance-type', Values: [p.instanceType] },
          ],
        }),
      ),
    );
    return (r.InstanceTypeOfferings ?? []).some((o) => o.InstanceType === p.instanceType);
  });
  if (!offered) problems.push(`instance type ${p.instanceType} is not offered in ${az}`);
  return problems;
}

function launchTemplateExists(rt: Runtime, id: string): Promise<string | undefined> {
  return exists(() => call(rt, 'ec2:DescribeLaunchTemplates', () => rt.clients.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] }))), `launch template ${id}`);
}

/**
 * The target account's EBS key as the caller names it: an alias name resolves only in the caller's
 * own account, so a key of another account is named by its alias ARN there (arn:aws:kms:<region>:<account>:alias/<name>).
 */
export function describableKeyId(rt: Runtime, server: ResolvedServer['server']): string {
  const { account, keyId } = kmsKeyFor(rt.config, server);
  if (!keyId.startsWith('alias/')) return keyId;
  const target = rt.config.accounts.targets.find((t) => t.name === account)!;
  return `arn:aws:kms:${rt.config.region}:${target.accountId}:${keyId}`;
}

function kmsKeyProblem(rt: Runtime, keyId: string): Promise<string | undefined> {
  return exists(
    () => call(rt, 'kms:DescribeKey', () => rt.clients.kms.send(new DescribeKeyCommand({ KeyId: keyId }))),
    `KMS key ${keyId}`,
    (r) => (r.KeyMetadata?.KeyState === 'Enabled' ? undefined : `KMS key ${keyId} is ${r.KeyMetadata?.KeyState}, expected Enabled`),
  );
}

function instanceProfileProblem(rt: Runtime, name: string): Promise<string | undefined> {
  return exists(() => call(rt, 'iam:GetInstanceProfile', () => rt.clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))), `instance profile ${name}`);
}
