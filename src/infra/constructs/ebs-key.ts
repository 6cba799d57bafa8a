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
  /**
   * The MGN account's Auto Scaling groups launch from images under this key (the AMI swap runs
   * there): its AWSServiceRoleForAutoScaling gets a grant (a role of another account gets nothing from
   * a key policy alone, and a service-linked role's own policy cannot be changed; a grant needs no
   * IAM policy). The grant is created with the stack's default provider, in the MGN account, whose
   * principals the key policy lets create exactly this grant (grantee and EBS operations).
   * @default false
   */
  readonly mgnAccountAutoScaling?: boolean;
  /** Principal of the MGN account that creates and revokes that grant (the apply role). @default any principal of the account allowed by its IAM policies */
  readonly mgnAccountGrantManager?: string;
  /** Principals of the MGN account that read the key's grants (the plan and apply roles: Terraform refreshes the grant). @default as mgnAccountGrantManager */
  readonly mgnAccountGrantReaders?: string[];
  /**
   * Roles of the MGN account that describe the key directly, not through a service (the preflights of
   * the cutover and vm-import workflows name it by its alias ARN).
   * @default none
   */
  readonly describers?: string[];
  /**
   * The MGN account's VM Import service role: VM Import encrypts the imported snapshots with the key
   * as this role, directly (no kms:ViaService).
   * @default none
   */
  readonly vmImportRoleArn?: string;
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
    const mgnAutoScaling = props.mgnAccountAutoScaling && props.mgnAccountId !== props.accountId;
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
    if (mgnAutoScaling) {
      // KMS checks that the grantee exists: read it first (the stack's default provider is the MGN account's).
      const grantee = new DataAwsIamRole(this, 'mgn-account-autoscaling-role', { name: AUTO_SCALING_ROLE_NAME });
      new KmsGrant(this, 'mgn-account-autoscaling-grant', {
        name: 'mgn-account-autoscaling',
        keyId: this.key.arn,
        granteePrincipal: grantee.arn,
        operations: EBS_GRANT_OPERATIONS,
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
  const autoScalingRoles = autoScalingRoleArn(p.accountId, partition);
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
      Principal: { AWS: autoScalingRoles },
      Action: EBS_KEY_USE_ACTIONS,
      Resource: '*',
    },
    {
      Sid: 'AutoScalingServiceLinkedRoleGrants',
      Effect: 'Allow',
      Principal: { AWS: autoScalingRoles },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    },
  ];
  // Roles of the MGN account, named through its root with aws:PrincipalArn: a key policy may name a
  // principal only once it exists, and these roles are created after the key.
  const mgnRoot = accountRoot(p.mgnAccountId, partition);
  if (p.mgnAccountAutoScaling && p.mgnAccountId !== p.accountId) {
    const manager: Record<string, Record<string, string>> = p.mgnAccountGrantManager ? { ArnEquals: { 'aws:PrincipalArn': p.mgnAccountGrantManager } } : {};
    statements.push(
      {
        Sid: 'MgnAccountAutoScalingGrant',
        Effect: 'Allow',
        Principal: { AWS: mgnRoot },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: {
          ...manager,
          StringEquals: { 'kms:GranteePrincipal': autoScalingRoleArn(p.mgnAccountId, partition) },
          'ForAllValues:StringEquals': { 'kms:GrantOperations': EBS_GRANT_OPERATIONS },
        },
      },
      { Sid: 'MgnAccountGrantRevoke', Effect: 'Allow', Principal: { AWS: mgnRoot }, Action: 'kms:RevokeGrant', Resource: '*', Condition: manager },
      {
        Sid: 'MgnAccountGrantRead',
        Effect: 'Allow',
        Principal: { AWS: mgnRoot },
        Action: 'kms:ListGrants',
        Resource: '*',
        ...(p.mgnAccountGrantReaders?.length ? { Condition: { ArnEquals: { 'aws:PrincipalArn': p.mgnAccountGrantReaders } } } : manager.ArnEquals ? { Condition: manager } : {}),
      },
    );
  }
  if (p.describers?.length) {
    statements.push({ Sid: 'DescribeFromWorkflows', Effect: 'Allow', Principal: { AWS: mgnRoot }, Action: 'kms:DescribeKey', Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': p.describers } } });
  }
  if (p.vmImportRoleArn) {
    statements.push({
      Sid: 'VmImportServiceRole',
      Effect: 'Allow',
      Principal: { AWS: mgnRoot },
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Resource: '*',
      Condition: { ArnEquals: { 'aws:PrincipalArn': p.vmImportRoleArn } },
    });
  }
  for (const [i, x] of (p.crossAccountPrincipals ?? []).entries()) {
    const principal = principalArn(x, partition);
    const account = /^\d{12}$/.test(x) ? x : x.split(':')[4];
    const sid = (kind: string) => `CrossAccount${kind}${(p.crossAccountPrincipals ?? []).length > 1 ? i + 1 : ''}`;
    statements.push(
      // Launches in that account use the key through EC2 only.
      { Sid: sid('UseThroughEc2'), Effect: 'Allow', Principal: { AWS: principal }, Action: EBS_KEY_USE_ACTIONS, Resource: '*', Condition: { StringEquals: { 'kms:ViaService': `ec2.${p.region}.amazonaws.com` } } },
      // That account grants its own Auto Scaling role (a role of another account gets nothing from a
      // key policy alone; a grant needs no IAM policy): only that role, only the operations EBS needs.
      {
        Sid: sid('GrantsForAutoScaling'),
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: {
          'ForAllValues:StringEquals': { 'kms:GrantOperations': EBS_GRANT_OPERATIONS },
          StringEquals: { 'kms:GranteePrincipal': autoScalingRoleArn(account, partition) },
        },
      },
    );
  }
  return policyDocument(statements);
}
