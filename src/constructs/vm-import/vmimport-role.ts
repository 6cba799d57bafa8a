import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';

export interface VmImportRoleProps {
  /**
   * Name of the role. VM Import assumes the role named in ImportImage's RoleName; the service default
   * is `vmimport`.
   * @default 'vmimport'
   */
  readonly roleName?: string;
  /** KMS keys the imported snapshots are encrypted with. @default none (unencrypted imports only) */
  readonly kmsKeyArns?: string[];
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
    });
    this.roleName = this.role.name;
    const keys = props.kmsKeyArns ?? [];
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        {
          sid: 'ImportSnapshotsAndImage',
          actions: ['ec2:ModifySnapshotAttribute', 'ec2:CopySnapshot', 'ec2:RegisterImage', 'ec2:Describe*'],
          resources: ['*'],
        },
        ...(keys.length
          ? [
              {
                sid: 'EncryptWithTargetKey',
                actions: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
                resources: keys,
              },
            ]
          : []),
      ],
    });
    new IamRolePolicy(this, 'import', { name: 'vm-import', role: this.role.name, policy: permissions.json });
  }
}
