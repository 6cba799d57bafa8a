import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsGrant } from '@cdktf/provider-aws/lib/kms-grant';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { accountRoot, policyDocument, PolicyStatement, principalArn } from './policy-document';

/** What EBS needs from a key to encrypt, attach and re-encrypt volumes and snapshots. */
export const EBS_KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/** The grant operations a service-linked role needs for EBS volumes: decrypt, create data keys, re-encrypt, and pass grants on to EC2. */
export const EBS_GRANT_OPERATIONS = ['Decrypt', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'CreateGrant'];

export const AUTO_SCALING_ROLE_NAME = 'AWSServiceRoleForAutoScaling';

/** ARN of an account's Auto Scaling service-linked role, in the form AWS's key policy examples name it (with its path). */
export function autoScalingRoleArn(accountId: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/${AUTO_SCALING_ROLE_NAME}`;
}

export interface EbsKeyGrant {
  /** Name of the grant. */
  readonly name: string;
  /** Role that receives the grant. */
  readonly granteePrincipal: string;
  /** @default EBS_GRANT_OPERATIONS */
  readonly operations?: string[];
}

export interface EbsKeyProps {
  /** Provider of the account that owns the key (the key and its material stay there). */
  readonly provider?: AwsProvider;
  /** Account that owns the key. */
  readonly accountId: string;
  /** Region of the key; used in the kms:ViaService conditions. */
  readonly region: string;
  /** Alias, starting with "alias/". */
  readonly alias: string;
  /** Account where MGN runs: its EC2 and MGN use the key for replication and launched volumes. */
  readonly mgnAccountId: string;
  /**
   * Principals that administer the key.
   * @default the owning account's root (IAM policies of that account decide)
   */
  readonly adminPrincipals?: string[];
  /**
   * Other accounts (12 digits) or principals (ARNs) that may use the key and create grants for
   * EBS, e.g. an account whose Auto Scaling groups launch encrypted AMIs.
   * @default none
   */
  readonly crossAccountPrincipals?: string[];
  /**
   * Create the account's AWSServiceRoleForAutoScaling (aws_iam_service_linked_role) before the key.
   * The key policy names that role as Principal, and KMS refuses a policy naming a principal that
   * does not exist. false: the role must already exist (Auto Scaling creates it with the account's
   * first group); it is read with data aws_iam_role, so a missing role fails the plan by name
   * instead of failing CreateKey.
   * @default false: the role is an account-wide singleton that other stacks or estates may own
   */
  readonly createAutoScalingRole?: boolean;
  /** @default 30 */
  readonly deletionWindowDays?: number;
  /** Grants for service-linked roles the key policy cannot name. @default none */
  readonly grants?: EbsKeyGrant[];
  /** @default 'aws' */
  readonly partition?: string;
  /** @default 'EBS volumes of migrated servers' */
  readonly description?: string;
}

/**
 * A customer managed KMS key for the EBS volumes of migrated servers, in the account that runs them:
 * rotation on, a key policy that lets EC2 and MGN use it only through kms:ViaService, lets the
 * account's AWSServiceRoleForAutoScaling use it, admits the configured cross-account principals,
 * plus grants and an alias.
 */
export class EbsKey extends Construct {
  public readonly key: KmsKey;
  public readonly alias: KmsAlias;
  public readonly keyArn: string;
  public readonly aliasName: string;
  public readonly accountId: string;
  /**
   * Per cross-account principal given as an account ID: the command that account runs to give its
   * own AWSServiceRoleForAutoScaling a grant on this key (AWS's cross-account pattern).
   */
  public readonly autoScalingGrantCommands: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: EbsKeyProps) {
    super(scope, id);
    validateProps(props);
    this.accountId = props.accountId;
    this.aliasName = props.alias;
    const partition = props.partition ?? 'aws';
    // The key policy names the role: it must exist before CreateKey.
    const autoScalingRole = props.createAutoScalingRole
      ? new IamServiceLinkedRole(this, 'autoscaling-role', { provider: props.provider, awsServiceName: 'autoscaling.amazonaws.com' })
      : new DataAwsIamRole(this, 'autoscaling-role', { provider: props.provider, name: AUTO_SCALING_ROLE_NAME });
    this.key = new KmsKey(this, 'key', {
      provider: props.provider,
      description: props.description ?? 'EBS volumes of migrated servers',
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      keyUsage: 'ENCRYPT_DECRYPT',
      customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      policy: ebsKeyPolicy(props),
      dependsOn: [autoScalingRole],
    });
    this.keyArn = this.key.arn;
    this.alias = new KmsAlias(this, 'alias', { provider: props.provider, name: props.alias, targetKeyId: this.key.keyId });
    for (const g of props.grants ?? []) {
      new KmsGrant(this, `grant-${g.name}`, {
        provider: props.provider,
        name: g.name,
        keyId: this.key.keyId,
        granteePrincipal: g.granteePrincipal,
        operations: g.operations ?? EBS_GRANT_OPERATIONS,
      });
    }
    for (const account of (props.crossAccountPrincipals ?? []).filter((x) => /^\d{12}$/.test(x))) {
      this.autoScalingGrantCommands[account] =
        `aws kms create-grant --region ${props.region} --key-id ${this.keyArn} --grantee-principal ${autoScalingRoleArn(account, partition)} --operations ${EBS_GRANT_OPERATIONS.join(' ')}`;
    }
  }
}

function validateProps(p: EbsKeyProps): void {
  if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(p.alias) || p.alias.startsWith('alias/aws/')) {
    throw new Error(`EbsKey: alias "${p.alias}" must start with "alias/" and must not use the reserved "alias/aws/" prefix`);
  }
  if (p.deletionWindowDays !== undefined && (p.deletionWindowDays < 7 || p.deletionWindowDays > 30)) {
    throw new Error(`EbsKey: deletionWindowDays must be between 7 and 30, got ${p.deletionWindowDays}`);
  }
  for (const x of p.crossAccountPrincipals ?? []) {
    if (x === p.accountId) throw new Error(`EbsKey: crossAccountPrincipals must not contain the key's own account ${x}`);
  }
}

/** The key policy; in a key policy, Resource "*" means this key. */
export function ebsKeyPolicy(p: EbsKeyProps): string {
  const partition = p.partition ?? 'aws';
  const owner = accountRoot(p.accountId, partition);
  const services = [`ec2.${p.region}.amazonaws.com`, `mgn.${p.region}.amazonaws.com`];
  const users = [...new Set([p.accountId, p.mgnAccountId])];
  const statements: PolicyStatement[] = [
    {
      Sid: 'KeyAdministration',
      Effect: 'Allow',
      Principal: { AWS: p.adminPrincipals?.length ? [owner, ...p.adminPrincipals] : owner },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'UseThroughEc2AndMgn',
      Effect: 'Allow',
      Principal: { AWS: users.map((a) => accountRoot(a, partition)) },
      Action: EBS_KEY_USE_ACTIONS,
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': services, 'kms:CallerAccount': users } },
    },
    {
      Sid: 'GrantsForAwsResources',
      Effect: 'Allow',
      Principal: { AWS: users.map((a) => accountRoot(a, partition)) },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': services, 'kms:CallerAccount': users }, Bool: { 'kms:GrantIsForAWSResource': true } },
    },
    // AWS's documented pattern (EC2 Auto Scaling guide, "Required AWS KMS key policy for use with
    // encrypted volumes"): the service-linked role's own IAM policy cannot allow customer managed
    // keys, so the account root plus an aws:PrincipalArn condition would give it nothing; the key
    // policy must name the role itself.
    {
      Sid: 'AutoScalingServiceLinkedRoleUse',
      Effect: 'Allow',
      Principal: { AWS: autoScalingRoleArn(p.accountId, partition) },
      Action: EBS_KEY_USE_ACTIONS,
      Resource: '*',
    },
    {
      Sid: 'AutoScalingServiceLinkedRoleGrants',
      Effect: 'Allow',
      Principal: { AWS: autoScalingRoleArn(p.accountId, partition) },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    },
  ];
  const cross = (p.crossAccountPrincipals ?? []).map((x) => principalArn(x, partition));
  if (cross.length) {
    statements.push(
      { Sid: 'CrossAccountUse', Effect: 'Allow', Principal: { AWS: cross }, Action: EBS_KEY_USE_ACTIONS, Resource: '*' },
      // Another account creates a grant for its own service-linked role (e.g. Auto Scaling; a role
      // of another account gets nothing from a key policy alone, a grant needs no IAM policy): only
      // the operations EBS needs can be granted.
      {
        Sid: 'CrossAccountGrantsForEbs',
        Effect: 'Allow',
        Principal: { AWS: cross },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { 'ForAllValues:StringEquals': { 'kms:GrantOperations': EBS_GRANT_OPERATIONS } },
      },
    );
  }
  return policyDocument(statements);
}
