import { BY_EXECUTION_INDEX, PIPELINE_TAG } from '../../state-machines/identifiers';
import { PolicyStatement } from '../policy-document';

/** The tag that marks the estate's resources (provider default_tags, placement tags of launched servers). */
export const ESTATE_TAG_KEY = 'rehost-factory:estate';

/** What every pipeline needs: its claims, its notifications, its functions. */
export interface PipelineResources {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly claimsTableArn: string;
  readonly topicArn: string;
  readonly functionArns: string[];
  /** The estate's name: the value of ESTATE_TAG_KEY on what the pipelines may act on. */
  readonly estate: string;
  /**
   * Key the notification topic is encrypted with: publishing needs it through SNS.
   * @default an unencrypted topic
   */
  readonly topicKeyArn?: string;
}

function ec2Arn(r: Pick<PipelineResources, 'partition' | 'region' | 'accountId'>, type: string, owned = true): string {
  // Images and snapshots of EC2 carry no account in their ARN.
  return `arn:${r.partition}:ec2:${r.region}:${owned && type !== 'image' ? r.accountId : ''}:${type}/*`;
}

/**
 * Claims are taken, completed and released by conditional UpdateItem; the swap's group lock is
 * deleted when the run ends (DeleteItem). No pipeline writes whole items (PutItem).
 */
function common(r: PipelineResources, claimActions: string[] = ['dynamodb:UpdateItem']): PolicyStatement[] {
  return [
    { Sid: 'Claims', Effect: 'Allow', Action: claimActions, Resource: r.claimsTableArn },
    ...notify(r),
    { Sid: 'Functions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: r.functionArns },
  ];
}

/** sns:Publish to the topic and, for an encrypted topic, the data key SNS asks KMS for on the publisher's behalf. */
export function notify(r: Pick<PipelineResources, 'topicArn' | 'topicKeyArn' | 'region'>): PolicyStatement[] {
  return [
    { Sid: 'Notify', Effect: 'Allow', Action: 'sns:Publish', Resource: r.topicArn },
    ...(r.topicKeyArn
      ? [{ Sid: 'NotifyEncrypted', Effect: 'Allow' as const, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: r.topicKeyArn, Condition: { StringEquals: { 'kms:ViaService': `sns.${r.region}.amazonaws.com` } } }]
      : []),
  ];
}

/** Only the estate's groups and launch templates (tagged ESTATE_TAG_KEY = estate) are the swap's to change. */
const estateTagged = (estate: string) => ({ StringEquals: { [`aws:ResourceTag/${ESTATE_TAG_KEY}`]: estate } });

const taggedBy = (pipeline: string) => ({ StringEquals: { [`aws:ResourceTag/${PIPELINE_TAG}`]: pipeline } });
const requestTag = (pipeline: string) => ({ [`aws:RequestTag/${PIPELINE_TAG}`]: pipeline });

/**
 * Tags only on creation, by the given actions, and only with the pipeline tag: the role cannot tag an
 * existing resource (which would make it one the role may change or delete).
 */
function tagOnCreate(pipeline: string, actions: string[], resources: string[]): PolicyStatement {
  return { Sid: 'TagOnCreate', Effect: 'Allow', Action: 'ec2:CreateTags', Resource: resources, Condition: { StringEquals: { 'ec2:CreateAction': actions, ...requestTag(pipeline) } } };
}

/**
 * The re-encryption workflow: copy any image, but only into a copy tagged (in CopyImage itself) with
 * its pipeline tag; share and delete only what carries that tag; encrypt with the target keys only;
 * decrypt sources only through EC2 and only with keys of the staging account (where MGN's images are).
 */
export function reEncryptionStatements(r: PipelineResources & { targetKeyArns: string[]; sourceImageTagKey: string; deregisterSource: boolean }): PolicyStatement[] {
  const image = `arn:${r.partition}:ec2:${r.region}::image/*`;
  const snapshot = `arn:${r.partition}:ec2:${r.region}::snapshot/*`;
  const statements: PolicyStatement[] = [
    ...common(r),
    { Sid: 'ReadImages', Effect: 'Allow', Action: 'ec2:DescribeImages', Resource: '*' },
    // Source and new image and snapshots: resource-level CopyImage permissions (since October 2024).
    { Sid: 'CopyIntoTaggedCopies', Effect: 'Allow', Action: 'ec2:CopyImage', Resource: [image, snapshot], Condition: { StringEquals: requestTag('ami-re-encryption') } },
    // Only the estate's images are copied (and then shared): a source (an existing AMI, ami-...) must
    // carry the estate's tag, which MGN copies from the launch template onto what it launches. The
    // new image is authorized as image/* and is not matched here.
    {
      Sid: 'DenyCopyOfOtherImages',
      Effect: 'Deny',
      Action: 'ec2:CopyImage',
      Resource: `arn:${r.partition}:ec2:*::image/ami-*`,
      Condition: { StringNotEquals: { [`aws:ResourceTag/${ESTATE_TAG_KEY}`]: r.estate } },
    },
    tagOnCreate('ami-re-encryption', ['CopyImage'], [image, snapshot]),
    { Sid: 'ShareAndRemoveOwnCopies', Effect: 'Allow', Action: ['ec2:ModifyImageAttribute', 'ec2:ModifySnapshotAttribute', 'ec2:DeregisterImage', 'ec2:DeleteSnapshot'], Resource: [image, snapshot], Condition: taggedBy('ami-re-encryption') },
    // EC2 uses the keys on the role's behalf while copying (MGN's images are under the target key too).
    {
      Sid: 'EncryptWithTargetKeys',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      Resource: r.targetKeyArns,
      Condition: { StringEquals: { 'kms:ViaService': `ec2.${r.region}.amazonaws.com` } },
    },
    {
      Sid: 'DecryptSourcesThroughEc2',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:DescribeKey'],
      Resource: `arn:${r.partition}:kms:${r.region}:${r.accountId}:key/*`,
      Condition: { StringEquals: { 'kms:ViaService': `ec2.${r.region}.amazonaws.com` } },
    },
  ];
  if (r.deregisterSource) {
    statements.push({
      Sid: 'RemoveMgnSources',
      Effect: 'Allow',
      Action: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
      Resource: [image, snapshot],
      Condition: { Null: { [`aws:ResourceTag/${r.sourceImageTagKey}`]: 'false' } },
    });
  }
  return statements;
}

/**
 * The swap workflow: launch, image and terminate only its own temporary instances; change only the
 * estate's launch templates and groups (tagged with its name); pass only the estate's instance roles
 * (named by the placements' instance profiles, or tagged with its name) and only to EC2; Sysprep only
 * on its own instances; the EBS keys of the target accounts and of the staging account through EC2.
 */
export function amiSwapStatements(
  r: PipelineResources & {
    sysprepDocument: string;
    /** EBS keys of the target accounts (backups of servers launched under them are encrypted with them). */
    targetKeyArns: string[];
    /** Roles the temporary instance may get from its launch template's instance profile. @default only roles tagged with the estate */
    instanceRoleNames?: string[];
  },
): PolicyStatement[] {
  const p = r.partition;
  const image = `arn:${p}:ec2:${r.region}::image/*`;
  const snapshot = `arn:${p}:ec2:${r.region}::snapshot/*`;
  const instance = ec2Arn(r, 'instance');
  const document = r.sysprepDocument.startsWith('AWS') ? `arn:${p}:ssm:${r.region}::document/${r.sysprepDocument}` : `arn:${p}:ssm:${r.region}:${r.accountId}:document/${r.sysprepDocument}`;
  return [
    ...common(r, ['dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
    { Sid: 'Read', Effect: 'Allow', Action: ['ec2:DescribeImages', 'ec2:DescribeInstanceStatus', 'ssm:GetCommandInvocation'], Resource: '*' },
    { Sid: 'LaunchTaggedInstance', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: instance, Condition: { StringEquals: requestTag('ami-swap') } },
    {
      Sid: 'LaunchFrom',
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: [image, snapshot, ec2Arn(r, 'subnet'), ec2Arn(r, 'network-interface'), ec2Arn(r, 'security-group'), ec2Arn(r, 'volume'), ec2Arn(r, 'key-pair')],
    },
    { Sid: 'LaunchFromEstateTemplates', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: ec2Arn(r, 'launch-template'), Condition: estateTagged(r.estate) },
    tagOnCreate('ami-swap', ['RunInstances', 'CreateImage'], [instance, image, snapshot]),
    ...(r.instanceRoleNames?.length
      ? [{ Sid: 'PassInstanceRoles', Effect: 'Allow' as const, Action: 'iam:PassRole', Resource: r.instanceRoleNames.map((n) => `arn:${p}:iam::${r.accountId}:role/${n}`), Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }]
      : []),
    {
      Sid: 'PassEstateInstanceRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:${p}:iam::${r.accountId}:role/*`,
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com', [`iam:ResourceTag/${ESTATE_TAG_KEY}`]: r.estate } },
    },
    { Sid: 'OwnTemporaryInstances', Effect: 'Allow', Action: ['ec2:CreateImage', 'ec2:TerminateInstances'], Resource: instance, Condition: taggedBy('ami-swap') },
    { Sid: 'ImageResources', Effect: 'Allow', Action: 'ec2:CreateImage', Resource: [image, snapshot] },
    { Sid: 'RemoveOwnImages', Effect: 'Allow', Action: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'], Resource: [image, snapshot], Condition: taggedBy('ami-swap') },
    { Sid: 'LaunchTemplates', Effect: 'Allow', Action: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'], Resource: ec2Arn(r, 'launch-template'), Condition: estateTagged(r.estate) },
    {
      Sid: 'Groups',
      Effect: 'Allow',
      Action: ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:StartInstanceRefresh'],
      Resource: `arn:${p}:autoscaling:${r.region}:${r.accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
      Condition: estateTagged(r.estate),
    },
    { Sid: 'SysprepDocument', Effect: 'Allow', Action: 'ssm:SendCommand', Resource: document },
    { Sid: 'SysprepOwnInstances', Effect: 'Allow', Action: 'ssm:SendCommand', Resource: instance, Condition: { StringEquals: { [`ssm:resourceTag/${PIPELINE_TAG}`]: 'ami-swap' } } },
    {
      Sid: 'EncryptedBackupsThroughEc2',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      Resource: [`arn:${p}:kms:${r.region}:${r.accountId}:key/*`, ...r.targetKeyArns],
      Condition: { StringEquals: { 'kms:ViaService': `ec2.${r.region}.amazonaws.com` } },
    },
  ];
}

/** resolve-source-image reads images. */
export function resolveSourceImageStatements(): PolicyStatement[] {
  return [{ Sid: 'ReadImages', Effect: 'Allow', Action: 'ec2:DescribeImages', Resource: '*' }];
}

/** resolve-backup-target reads instances, images, launch templates, subnets and groups. */
export function resolveBackupTargetStatements(): PolicyStatement[] {
  return [
    { Sid: 'Read', Effect: 'Allow', Action: ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeLaunchTemplateVersions', 'ec2:DescribeSubnets', 'autoscaling:DescribeAutoScalingGroups'], Resource: '*' },
  ];
}

/** apply-retention removes only the swap's own images and snapshots. */
export function retentionStatements(r: { partition: string; region: string }): PolicyStatement[] {
  return [
    { Sid: 'ReadImages', Effect: 'Allow', Action: 'ec2:DescribeImages', Resource: '*' },
    {
      Sid: 'RemoveOwnImages',
      Effect: 'Allow',
      Action: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
      Resource: [`arn:${r.partition}:ec2:${r.region}::image/*`, `arn:${r.partition}:ec2:${r.region}::snapshot/*`],
      Condition: taggedBy('ami-swap'),
    },
  ];
}

/**
 * recover-stopped-run: the claims a stopped execution held (by the index), the MaxSize of the groups
 * it locked, its temporary instances and its unfinished copies (both by the pipeline tag only).
 */
export function recoverStatements(r: Omit<PipelineResources, 'functionArns'> & { amiSwap: boolean; reEncryption: boolean }): PolicyStatement[] {
  const p = r.partition;
  const statements: PolicyStatement[] = [
    { Sid: 'FindHeldItems', Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${r.claimsTableArn}/index/${BY_EXECUTION_INDEX}` },
    { Sid: 'ReleaseHeldItems', Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: r.claimsTableArn },
    ...notify(r),
  ];
  if (r.amiSwap) {
    statements.push(
      {
        Sid: 'RestoreMaxSize',
        Effect: 'Allow',
        Action: 'autoscaling:UpdateAutoScalingGroup',
        Resource: `arn:${p}:autoscaling:${r.region}:${r.accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
        Condition: estateTagged(r.estate),
      },
      { Sid: 'FindTemporaryInstances', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
      { Sid: 'TerminateTemporaryInstances', Effect: 'Allow', Action: 'ec2:TerminateInstances', Resource: ec2Arn(r, 'instance'), Condition: taggedBy('ami-swap') },
    );
  }
  if (r.reEncryption) {
    statements.push(
      { Sid: 'FindCopies', Effect: 'Allow', Action: 'ec2:DescribeImages', Resource: '*' },
      { Sid: 'RemoveUnfinishedCopies', Effect: 'Allow', Action: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'], Resource: [`arn:${p}:ec2:${r.region}::image/*`, `arn:${p}:ec2:${r.region}::snapshot/*`], Condition: taggedBy('ami-re-encryption') },
    );
  }
  return statements;
}
