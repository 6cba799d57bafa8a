/**
 * The API calls the AWS provider (5.x) makes for the resource types the stacks use, as recorded by
 * the policy oracle (test/infra/policy) in plan, apply and destroy of both example estates against moto.
 * READ: what a plan (refresh) of a deployed estate calls; WRITE: what create, update, tag and delete
 * add. The workflow roles are built from these lists, scoped to the estate's resources.
 */
export const TERRAFORM_ACTIONS = {
  network: {
    read: [
      'ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups',
      'ec2:DescribeNetworkAcls', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribePrefixLists', 'ec2:DescribeVpcEndpoints',
      'ec2:DescribeFlowLogs', 'route53resolver:GetResolverEndpoint', 'route53resolver:ListResolverEndpointIpAddresses', 'route53resolver:ListTagsForResource',
    ],
    write: [
      'ec2:CreateVpc', 'ec2:DeleteVpc', 'ec2:ModifyVpcAttribute', 'ec2:CreateSubnet', 'ec2:DeleteSubnet', 'ec2:ModifySubnetAttribute',
      'ec2:CreateRouteTable', 'ec2:DeleteRouteTable', 'ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable', 'ec2:CreateSecurityGroup',
      'ec2:DeleteSecurityGroup', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress', 'ec2:CreateVpcEndpoint', 'ec2:ModifyVpcEndpoint', 'ec2:DeleteVpcEndpoints', 'ec2:CreateFlowLogs', 'ec2:DeleteFlowLogs',
      'ec2:CreateTags', 'ec2:DeleteTags',
      // aws_default_security_group reads the rules it revokes when it takes the group over (apply only).
      'ec2:DescribeSecurityGroupRules',
      // Route 53 Resolver creates and deletes the inbound endpoint's network interfaces with the caller's permissions.
      'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
      'route53resolver:CreateResolverEndpoint', 'route53resolver:UpdateResolverEndpoint', 'route53resolver:DeleteResolverEndpoint',
      'route53resolver:AssociateResolverEndpointIpAddress', 'route53resolver:DisassociateResolverEndpointIpAddress', 'route53resolver:TagResource', 'route53resolver:UntagResource',
    ],
  },
  /** The MGN templates: a CloudFormation stack whose handlers act with the caller's credentials. */
  mgnTemplates: {
    read: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
    write: [
      'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack', 'cloudformation:DescribeStackEvents',
      'mgn:CreateReplicationConfigurationTemplate', 'mgn:UpdateReplicationConfigurationTemplate', 'mgn:DeleteReplicationConfigurationTemplate', 'mgn:DescribeReplicationConfigurationTemplates',
      'mgn:CreateLaunchConfigurationTemplate', 'mgn:UpdateLaunchConfigurationTemplate', 'mgn:DeleteLaunchConfigurationTemplate', 'mgn:DescribeLaunchConfigurationTemplates',
      'mgn:TagResource', 'mgn:UntagResource',
    ],
  },
  roles: {
    read: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
    write: ['iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:ListInstanceProfilesForRole'],
  },
  kmsKeys: {
    read: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags', 'kms:ListAliases'],
    write: ['kms:CreateKey', 'kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation', 'kms:UpdateKeyDescription', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'],
  },
  kmsGrants: { read: ['kms:ListGrants'], write: ['kms:CreateGrant', 'kms:RetireGrant', 'kms:RevokeGrant'] },
  documents: {
    read: ['ssm:DescribeDocument', 'ssm:DescribeDocumentPermission', 'ssm:GetDocument', 'ssm:ListTagsForResource'],
    write: ['ssm:CreateDocument', 'ssm:UpdateDocument', 'ssm:UpdateDocumentDefaultVersion', 'ssm:DeleteDocument', 'ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource'],
  },
  parameters: {
    read: ['ssm:DescribeParameters', 'ssm:GetParameter', 'ssm:ListTagsForResource'],
    write: ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource'],
  },
  logGroups: {
    read: ['logs:DescribeLogGroups', 'logs:ListTagsForResource'],
    write: ['logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:AssociateKmsKey', 'logs:DisassociateKmsKey', 'logs:TagResource', 'logs:UntagResource'],
  },
  functions: {
    read: ['lambda:GetFunction', 'lambda:GetFunctionCodeSigningConfig', 'lambda:GetPolicy', 'lambda:ListVersionsByFunction'],
    write: ['lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:AddPermission', 'lambda:RemovePermission', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags'],
  },
  stateMachines: {
    read: ['states:DescribeStateMachine', 'states:ListStateMachineVersions', 'states:ListTagsForResource'],
    write: ['states:CreateStateMachine', 'states:UpdateStateMachine', 'states:DeleteStateMachine', 'states:TagResource', 'states:UntagResource', 'states:ValidateStateMachineDefinition'],
  },
  /** Account-level log delivery actions Step Functions checks on whoever configures a state machine's logging. */
  stateMachineLogDelivery: {
    read: [],
    write: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
  },
  rules: {
    read: ['events:DescribeRule', 'events:ListTargetsByRule', 'events:ListTagsForResource'],
    write: ['events:PutRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets', 'events:TagResource', 'events:UntagResource'],
  },
  topics: {
    read: ['sns:GetTopicAttributes', 'sns:GetSubscriptionAttributes', 'sns:ListTagsForResource'],
    write: ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:Unsubscribe', 'sns:TagResource', 'sns:UntagResource'],
  },
  queues: {
    read: ['sqs:GetQueueAttributes', 'sqs:ListQueueTags'],
    write: ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'],
  },
  tables: {
    read: ['dynamodb:DescribeTable', 'dynamodb:DescribeContinuousBackups', 'dynamodb:DescribeTimeToLive', 'dynamodb:ListTagsOfResource'],
    write: ['dynamodb:CreateTable', 'dynamodb:DeleteTable', 'dynamodb:UpdateTable', 'dynamodb:UpdateContinuousBackups', 'dynamodb:UpdateTimeToLive', 'dynamodb:TagResource', 'dynamodb:UntagResource'],
  },
  alarms: {
    read: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
    write: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'],
  },
  buckets: {
    read: [
      's3:ListBucket', 's3:GetBucketAcl', 's3:GetBucketCORS', 's3:GetBucketWebsite', 's3:GetBucketVersioning', 's3:GetAccelerateConfiguration',
      's3:GetBucketRequestPayment', 's3:GetBucketLogging', 's3:GetLifecycleConfiguration', 's3:GetReplicationConfiguration', 's3:GetEncryptionConfiguration',
      's3:GetBucketObjectLockConfiguration', 's3:GetBucketTagging', 's3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock', 's3:GetBucketOwnershipControls',
    ],
    write: [
      's3:CreateBucket', 's3:DeleteBucket', 's3:PutBucketTagging', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketPublicAccessBlock',
      's3:PutBucketOwnershipControls', 's3:PutBucketVersioning', 's3:PutEncryptionConfiguration', 's3:PutLifecycleConfiguration',
    ],
  },
  oidcProvider: {
    read: ['iam:GetOpenIDConnectProvider'],
    write: ['iam:CreateOpenIDConnectProvider', 'iam:DeleteOpenIDConnectProvider', 'iam:UpdateOpenIDConnectProviderThumbprint', 'iam:AddClientIDToOpenIDConnectProvider', 'iam:RemoveClientIDFromOpenIDConnectProvider', 'iam:TagOpenIDConnectProvider', 'iam:UntagOpenIDConnectProvider'],
  },
  managedPolicies: {
    read: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
    write: ['iam:CreatePolicy', 'iam:DeletePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:ListPolicyVersions', 'iam:TagPolicy', 'iam:UntagPolicy'],
  },
  serviceLinkedRoles: { read: ['iam:GetRole'], write: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:GetServiceLinkedRoleDeletionStatus', 'iam:UpdateRoleDescription', 'iam:TagRole', 'iam:UntagRole'] },
} as const;

export type TerraformFamily = keyof typeof TERRAFORM_ACTIONS;

/** The read actions of the given families (what a plan of them calls). */
export function terraformReads(families: readonly TerraformFamily[]): string[] {
  return [...new Set(families.flatMap((f): string[] => [...TERRAFORM_ACTIONS[f].read]))].sort();
}

/** Reads and writes of a family (what apply, update and destroy of it call). */
export function terraformActions(family: TerraformFamily): string[] {
  return [...new Set<string>([...TERRAFORM_ACTIONS[family].read, ...TERRAFORM_ACTIONS[family].write])].sort();
}
