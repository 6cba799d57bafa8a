import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutBucketEncryptionCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { FactoryConfig } from '../../../src/config/schema';
import { VmImportClients } from '../../../src/vm-import/run';
import { ebsKeyAlias, importBucketName, importTargetAccount } from '../../../src/config/vm-import-names';
import { Clock } from '../../../src/core/clock';
import { MOTO_ACCOUNT_HEADER, motoClientConfig } from '../../support/moto';
import { exampleConfig } from '../../support/synth';

/** The example estate's staging account: where the runbook's credentials (and so the import) live. */
export const STAGING_ACCOUNT = '111111111111';

/**
 * Clients of a moto started with `accountPerRequest` (directly or through the proxy), in `accountId`.
 * @default accountId the staging account
 */
export function clientsFor(url: string, accountId = STAGING_ACCOUNT): VmImportClients {
  const c = motoClientConfig(url);
  const clients = { s3: new S3Client(c), ec2: new EC2Client(c), kms: new KMSClient(c), ssm: new SSMClient(c), iam: new IAMClient(c) };
  for (const client of Object.values(clients)) inMotoAccount(client, accountId);
  return clients;
}

/** Makes every request of `client` name moto's account (a header moto reads; signing ignores it). */
function inMotoAccount(client: { middlewareStack: { add: (...a: never[]) => void } }, accountId: string): void {
  const add = client.middlewareStack.add as unknown as (
    mw: (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => Promise<unknown>,
    options: { step: 'build'; name: string },
  ) => void;
  add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers[MOTO_ACCOUNT_HEADER] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
}

export function destroyClients(c: VmImportClients): void {
  for (const client of Object.values(c)) (client as { destroy(): void }).destroy();
}

/** A clock whose sleeps return at once and advance time: bounded waits run in milliseconds. */
export function fastClock(start = Date.parse('2026-11-22T00:00:00Z')): Clock {
  let t = start;
  return { now: () => new Date(t), sleep: async (ms: number) => void (t += ms) };
}

export interface ImportEstate {
  readonly config: FactoryConfig;
  readonly keyArn: string;
  readonly bucket: string;
}

/**
 * What the vm-import and security stacks deploy, created directly in moto as in the example estate:
 * the target account's (222…) EBS key under its default alias in that account, and in the staging
 * account (111…) the versioned import bucket encrypted with that key, the vmimport role, and a target subnet and security
 * group that wiki01's cutover placement is pointed at.
 */
export async function prepareImportEstate(motoUrl: string): Promise<ImportEstate> {
  const base = exampleConfig('factory.yaml');
  const target = importTargetAccount(base);
  if (base.accounts.staging !== STAGING_ACCOUNT || target.accountId === STAGING_ACCOUNT) {
    throw new Error(`the example estate is expected to import in ${STAGING_ACCOUNT} with the key of another account`);
  }
  const c = clientsFor(motoUrl);
  const targetKms = clientsFor(motoUrl, target.accountId);
  try {
    const key = await targetKms.kms.send(new CreateKeyCommand({ Description: 'prod EBS key', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' }));
    await targetKms.kms.send(new CreateAliasCommand({ AliasName: ebsKeyAlias(base, target), TargetKeyId: key.KeyMetadata!.KeyId }));
    const bucket = importBucketName(base);
    await c.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await c.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    // As the vm-import stack's ImportBucket: SSE-KMS by default with the target key and Bucket Keys.
    await c.s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.KeyMetadata!.Arn }, BucketKeyEnabled: true }],
        },
      }),
    );
    await c.iam.send(new CreateRoleCommand({ RoleName: 'vmimport', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }));
    const vpc = await c.ec2.send(new CreateVpcCommand({ CidrBlock: '10.100.0.0/16' }));
    const subnet = await c.ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: '10.100.10.0/24', AvailabilityZone: 'eu-west-1a' }));
    const sg = await c.ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc.Vpc!.VpcId, GroupName: 'wiki', Description: 'wiki01' }));
    const subnetId = subnet.Subnet!.SubnetId!;
    const config: FactoryConfig = {
      ...base,
      network: { ...base.network, targetSubnets: base.network.targetSubnets.map((s) => (s.name === 'app-a' ? { ...s, subnetId } : s)) },
      waves: base.waves.map((w) => ({
        ...w,
        applications: w.applications.map((a) => ({
          ...a,
          servers: a.servers.map((s) => (s.name === 'wiki01' ? { ...s, cutover: { ...s.cutover, securityGroups: [sg.GroupId!] } } : s)),
        })),
      })),
    };
    return { config, keyArn: key.KeyMetadata!.Arn!, bucket };
  } finally {
    destroyClients(c);
    destroyClients(targetKms);
  }
}
