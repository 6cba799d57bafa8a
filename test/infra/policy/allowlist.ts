/**
 * Actions a role is granted that the oracle's runs do not call, each with the reason it is needed.
 * Roles are named by kind (oracle.ts roleKind). An entry that the runs do observe, or that no role of
 * the kind is granted any more, fails the oracle too: the list cannot go stale.
 */
export interface AllowlistEntry {
  readonly kind: string;
  readonly actions: string[];
  readonly reason: string;
}

const DESTROY = 'terraform destroy (and the replacement of a resource) calls it; the oracle applies and plans, it does not destroy';
const UPDATE = 'terraform apply of a changed estate updates the resource in place; the oracle applies a new estate once';

export const ALLOWLIST: AllowlistEntry[] = [
  // apply
  {
    kind: 'apply',
    reason: DESTROY,
    actions: [
      'ec2:DeleteFlowLogs', 'ec2:DeleteNetworkInterface', 'ec2:DeleteRouteTable', 'ec2:DeleteSecurityGroup', 'ec2:DeleteSubnet', 'ec2:DeleteTags', 'ec2:DeleteVpc',
      'ec2:DeleteVpcEndpoints', 'ec2:DisassociateRouteTable', 'mgn:DeleteLaunchConfigurationTemplate', 'mgn:DeleteReplicationConfigurationTemplate',
      'route53resolver:DeleteResolverEndpoint', 'cloudformation:DeleteStack', 'lambda:DeleteFunction', 'lambda:RemovePermission', 'states:DeleteStateMachine',
      'events:DeleteRule', 'events:RemoveTargets', 'sns:DeleteTopic', 'sns:Unsubscribe', 'dynamodb:DeleteTable', 'sqs:DeleteQueue', 'cloudwatch:DeleteAlarms',
      'ssm:DeleteDocument', 'ssm:DeleteParameter', 'logs:DeleteLogGroup', 'logs:DeleteLogDelivery', 'iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:ListInstanceProfilesForRole',
      'kms:ScheduleKeyDeletion', 'kms:DeleteAlias', 'kms:RevokeGrant', 's3:DeleteBucket', 's3:DeleteBucketPolicy',
    ],
  },
  {
    kind: 'apply',
    reason: UPDATE,
    actions: [
      'ec2:ModifySubnetAttribute', 'ec2:ModifyVpcEndpoint', 'ec2:RevokeSecurityGroupIngress', 'mgn:UpdateLaunchConfigurationTemplate', 'mgn:UpdateReplicationConfigurationTemplate',
      'route53resolver:UpdateResolverEndpoint', 'route53resolver:AssociateResolverEndpointIpAddress', 'route53resolver:DisassociateResolverEndpointIpAddress',
      'cloudformation:UpdateStack', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'states:UpdateStateMachine',
      'dynamodb:UpdateTable', 'dynamodb:UpdateTimeToLive', 'ssm:UpdateDocument', 'ssm:UpdateDocumentDefaultVersion', 'logs:DeleteRetentionPolicy', 'logs:AssociateKmsKey',
      'logs:DisassociateKmsKey', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy', 'kms:PutKeyPolicy', 'kms:DisableKeyRotation',
      'kms:UpdateKeyDescription', 'kms:UpdateAlias',
    ],
  },
  {
    kind: 'apply',
    reason: 'tags that change after creation (factory.yaml tags, default_tags): the provider tags and untags existing resources',
    actions: [
      'route53resolver:TagResource', 'route53resolver:UntagResource', 'mgn:UntagResource', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags', 'states:TagResource',
      'states:UntagResource', 'events:TagResource', 'events:UntagResource', 'sns:TagResource', 'sns:UntagResource', 'dynamodb:TagResource', 'dynamodb:UntagResource',
      'sqs:TagQueue', 'sqs:UntagQueue', 'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'ssm:RemoveTagsFromResource', 'logs:TagResource', 'logs:UntagResource',
      'iam:TagRole', 'iam:UntagRole', 'kms:TagResource', 'kms:UntagResource', 'ssm:AddTagsToResource',
    ],
  },
  {
    kind: 'apply',
    reason: 'CloudFormation\'s handlers of the MGN template types read and wait on what they change (moto creates nothing for AWS::MGN::*)',
    actions: ['cloudformation:DescribeStackEvents', 'mgn:DescribeLaunchConfigurationTemplates', 'mgn:DescribeReplicationConfigurationTemplates'],
  },
  // the target accounts' deploy roles
  {
    kind: 'deploy',
    reason: `${UPDATE}; ${DESTROY}`,
    actions: ['kms:DeleteAlias', 'kms:DisableKeyRotation', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource', 'kms:UpdateAlias', 'kms:UpdateKeyDescription', 'kms:RetireGrant', 'kms:RevokeGrant'],
  },
  // cutover
  { kind: 'cutover', reason: 'read only when a server\'s launch configuration lacks a post-launch document (the estate\'s launch template sets them all)', actions: ['mgn:ListSourceServerActions'] },
  { kind: 'cutover', reason: 'read when a launch job fails, to report MGN\'s reason (the rehearsal\'s jobs succeed)', actions: ['mgn:DescribeJobLogItems'] },
  { kind: 'cutover', reason: 'a server that belongs to another application is moved out of it first (the rehearsal\'s servers start in none)', actions: ['mgn:DisassociateSourceServers'] },
  // vm-import
  { kind: 'vm-import', reason: 'an interrupted upload resumes: the parts S3 already has are listed', actions: ['s3:ListMultipartUploadParts'] },
  { kind: 'vm-import', reason: 'a placement with an instance profile passes its role to EC2 (wiki01\'s has none)', actions: ['iam:PassRole'] },
  // the pipelines' roles
  { kind: 'ami-swap', reason: 'Windows instances only: Sysprep with SSM and its outcome (the oracle swaps a Linux group)', actions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'] },
  { kind: 'ami-swap', reason: 'a failed swap deregisters the image it made and deletes its snapshots (RollbackImage; the oracle\'s swap succeeds)', actions: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'] },
  {
    kind: 'ami-re-encryption',
    reason: 'a failed copy is removed (CleanUpCopy), and with deregisterSource the MGN image after its copy (the examples keep it; the oracle\'s copy succeeds)',
    actions: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
  },
  { kind: 'resolve-backup-target', reason: 'only for a group over several subnets whose launch template names a zone: its subnet in that zone (the oracle\'s group has one subnet)', actions: ['ec2:DescribeSubnets'] },
  { kind: 'vmimport', reason: 'the VM Import service role policy AWS documents grants ec2:Describe* (the service\'s reads are not modelled one by one)', actions: ['ec2:Describe*'] },
];
