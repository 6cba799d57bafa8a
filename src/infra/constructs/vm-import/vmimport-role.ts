import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';

/** What VM Import does as the role: read the image, register snapshots and the AMI. */
export const VMIMPORT_ROLE_ACTIONS = {
  bucket: ['s3:GetBucketLocation', 's3:ListBucket'],
  objects: ['s3:GetObject'],
  images: ['ec2:ModifySnapshotAttribute', 'ec2:CopySnapshot', 'ec2:RegisterImage', 'ec2:Describe*'],
  // AWS documents GenerateDataKey* and ReEncrypt*: the symmetric operations of them (no data key pairs).
  targetKey: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
  bucketKey: ['kms:Decrypt'],
} as const;

export interface VmImportRoleProps {
  /**
   * Name of the role. VM Import assumes the role named in ImportImage's RoleName; the service default
   * is `vmimport`.
   * @default 'vmimport'
   */
  readonly roleName?: string;
  /** KMS keys the imported snapshots are encrypted with. @default none (unencrypted imports only) */
  readonly kmsKeyArns?: string[];
  /**
   * The import bucket and the key of its default encryption: VM Import reads the image as this role,
   * so S3 decrypts with the key on its behalf.
   * @default no SSE-KMS bucket
   */
  readonly bucket?: { readonly arn: string; readonly region: string; readonly kmsKeyArn: string };
  /** Permissions boundary of the role. @default none */
  readonly permissionsBoundary?: string;
}

/**
 * The VM Import service role (docs: "Required service role"): trusted by vmie.amazonaws.com only with
 * the external ID `vmimport` (a trust without it lets any VM Import caller use the role), allowed to
 * create snapshots and register the AMI, and to use the target key when importing encrypted.
 */
export class VmImportRole extends Construct {
  public readonly role: IamRole;
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: VmImportRoleProps = {}) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [
        {
          effect: 'Allow',
          principals: [{ type: 'Service', identifiers: ['vmie.amazonaws.com'] }],
          actions: ['sts:AssumeRole'],
          condition: [{ test: 'StringEquals', variable: 'sts:Externalid', values: ['vmimport'] }],
        },
      ],
    });
    this.role = new IamRole(this, 'role', {
      name: props.roleName ?? 'vmimport',
      description: 'VM Import/Export service role (rehost-factory)',
      assumeRolePolicy: trust.json,
      permissionsBoundary: props.permissionsBoundary,
    });
    this.roleName = this.role.name;
    const keys = props.kmsKeyArns ?? [];
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        {
          sid: 'ImportSnapshotsAndImage',
          actions: [...VMIMPORT_ROLE_ACTIONS.images],
          resources: ['*'],
        },
        ...(keys.length
          ? [
              {
                sid: 'EncryptWithTargetKey',
                actions: [...VMIMPORT_ROLE_ACTIONS.targetKey],
                resources: keys,
              },
            ]
          : []),
        ...(props.bucket
          ? [
              {
                sid: 'ReadEncryptedImages',
                actions: [...VMIMPORT_ROLE_ACTIONS.bucketKey],
                resources: [props.bucket.kmsKeyArn],
                condition: [
                  { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${props.bucket.region}.amazonaws.com`] },
                  { test: 'StringEquals', variable: 'kms:EncryptionContext:aws:s3:arn', values: [props.bucket.arn] },
                ],
              },
            ]
          : []),
      ],
    });
    new IamRolePolicy(this, 'import', { name: 'vm-import', role: this.role.name, policy: permissions.json });
  }
}
