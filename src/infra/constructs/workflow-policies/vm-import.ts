import { PolicyStatement } from '../policy-document';
import { DescribedKey, describeKeyStatements } from './cutover';

/** The tag vm-import puts on the instances it launches (and that its later calls require). */
export const VM_IMPORT_SOURCE_TAG = { key: 'rehost-factory:source', value: 'vm-import' } as const;

/** What a VM Import run works on. */
export interface VmImportScope {
  readonly accountId: string;
  readonly region: string;
  /** The import bucket. */
  readonly bucket: string;
  /** Key prefix of uploaded images (uploads write only there). */
  readonly imagePrefix: string;
  /** The staging-account key that encrypts the bucket (S3 uses it on the uploader's behalf), by ARN or alias. */
  readonly bucketKey: DescribedKey;
  /** The service role VM Import assumes (read by preflight). */
  readonly vmimportRoleName: string;
  /** The EBS key the imported snapshots are encrypted with (described by preflight, used by EC2 at launch). */
  readonly targetKey: DescribedKey;
  /**
   * Roles the launched instances may get through their instance profile (iam:PassRole to EC2).
   * @default none: --launch with an instance profile is refused by IAM
   */
  readonly instanceRoleArns?: string[];
  /** Tag on instance roles that vm-import may pass besides the named ones. @default none */
  readonly instanceRoleTag?: { readonly key: string; readonly value: string };
}

/**
 * Exactly the calls of src/vm-import: preflight (bucket, vmimport role, target key, placement
 * subnet and groups), the resumable upload (multipart with SSE-KMS under the bucket key), ImportImage
 * and its polling, the optional launch (RunInstances with tags on creation, stop/start of its own
 * instance, status checks) and the integrity check (SSM agent ping, one AWS-RunShellScript or
 * AWS-RunPowerShellScript command on its own instance, the invocation's output), and the object's
 * deletion after a successful import.
 */
export function vmImportStatements(s: VmImportScope): PolicyStatement[] {
  const bucket = `arn:aws:s3:::${s.bucket}`;
  const ec2 = (rest: string) => `arn:aws:ec2:${s.region}:${s.accountId}:${rest}`;
  const ownInstance = { StringEquals: { [`aws:ResourceTag/${VM_IMPORT_SOURCE_TAG.key}`]: VM_IMPORT_SOURCE_TAG.value } };
  const out: PolicyStatement[] = [
    { Sid: 'ImportBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket },
    // --s3-key may name any object of the bucket; uploads and deletions stay under the image prefix.
    // HeadObject of the object and of the version just uploaded (its checksums).
    { Sid: 'ReadImages', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: `${bucket}/*` },
    // Deleting the imported version itself (the bucket is versioned: a plain delete would only add a marker).
    { Sid: 'UploadImages', Effect: 'Allow', Action: ['s3:PutObject', 's3:ListMultipartUploadParts', 's3:DeleteObjectVersion'], Resource: `${bucket}/${s.imagePrefix}*` },
    // SSE-KMS: S3 asks KMS for data keys (and to decrypt them for the parts of a multipart upload) as the uploader.
    {
      Sid: 'BucketKeyThroughS3',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: s.bucketKey.keyArn ?? `arn:aws:kms:${s.region}:${s.bucketKey.accountId}:key/*`,
      Condition: {
        StringEquals: { 'kms:ViaService': `s3.${s.region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': bucket },
        ...(s.bucketKey.keyArn ? {} : { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [s.bucketKey.alias!] } }),
      },
    },
    { Sid: 'VmimportRole', Effect: 'Allow', Action: 'iam:GetRole', Resource: `arn:aws:iam::${s.accountId}:role/${s.vmimportRoleName}` },
    ...describeKeyStatements('TargetKey', s.region, [s.targetKey]),
    {
      Sid: 'Reads',
      Effect: 'Allow',
      Action: ['ec2:DescribeImportImageTasks', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ssm:DescribeInstanceInformation', 'ssm:GetCommandInvocation'],
      Resource: '*',
    },
    // The task and the AMI it registers (ImportImage authorizes both as created resources); the task's tags on creation.
    { Sid: 'ImportImage', Effect: 'Allow', Action: 'ec2:ImportImage', Resource: [ec2('import-image-task/*'), `arn:aws:ec2:${s.region}::image/*`, `arn:aws:ec2:${s.region}::snapshot/*`] },
    { Sid: 'TagImportTask', Effect: 'Allow', Action: 'ec2:CreateTags', Resource: ec2('import-image-task/*'), Condition: { StringEquals: { 'ec2:CreateAction': 'ImportImage' } } },
    // --launch: the instance carries the vm-import tag from its creation, so the later calls can require it.
    {
      Sid: 'LaunchTaggedInstance',
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: [ec2('instance/*'), ec2('volume/*')],
      Condition: { StringEquals: { [`aws:RequestTag/${VM_IMPORT_SOURCE_TAG.key}`]: VM_IMPORT_SOURCE_TAG.value } },
    },
    // From images of this account only (an import registers the AMI in the importing account).
    { Sid: 'LaunchFromOwnImages', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: [`arn:aws:ec2:${s.region}::image/*`, `arn:aws:ec2:${s.region}::snapshot/*`], Condition: { StringEquals: { 'ec2:Owner': s.accountId } } },
    { Sid: 'LaunchInto', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: [ec2('subnet/*'), ec2('network-interface/*'), ec2('security-group/*')] },
    {
      Sid: 'TagOnLaunch',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: [ec2('instance/*'), ec2('volume/*')],
      Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances', [`aws:RequestTag/${VM_IMPORT_SOURCE_TAG.key}`]: VM_IMPORT_SOURCE_TAG.value } },
    },
    { Sid: 'OwnInstances', Effect: 'Allow', Action: ['ec2:StopInstances', 'ec2:StartInstances'], Resource: ec2('instance/*'), Condition: ownInstance },
    {
      Sid: 'ChecksumCommand',
      Effect: 'Allow',
      Action: 'ssm:SendCommand',
      Resource: [`arn:aws:ssm:${s.region}::document/AWS-RunShellScript`, `arn:aws:ssm:${s.region}::document/AWS-RunPowerShellScript`],
    },
    {
      Sid: 'ChecksumOnOwnInstances',
      Effect: 'Allow',
      Action: 'ssm:SendCommand',
      Resource: ec2('instance/*'),
      Condition: { StringEquals: { [`ssm:resourceTag/${VM_IMPORT_SOURCE_TAG.key}`]: VM_IMPORT_SOURCE_TAG.value } },
    },
    // Launching from snapshots under the target key: EC2 uses the key on the caller's behalf.
    {
      Sid: 'TargetKeyThroughEc2',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'],
      Resource: s.targetKey.keyArn ?? `arn:aws:kms:${s.region}:${s.targetKey.accountId}:key/*`,
      Condition: {
        StringEquals: { 'kms:ViaService': `ec2.${s.region}.amazonaws.com` },
        ...(s.targetKey.keyArn ? {} : { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [s.targetKey.alias!] } }),
      },
    },
  ];
  if (s.instanceRoleArns?.length) {
    out.push({ Sid: 'PassInstanceRoles', Effect: 'Allow', Action: 'iam:PassRole', Resource: s.instanceRoleArns, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } });
  }
  if (s.instanceRoleTag) {
    out.push({
      Sid: 'PassTaggedInstanceRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${s.accountId}:role/*`,
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com', [`iam:ResourceTag/${s.instanceRoleTag.key}`]: s.instanceRoleTag.value } },
    });
  }
  return out;
}
