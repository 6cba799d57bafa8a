import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { workflowRoleName } from '../config/resource-names';
import { policyDocument, PolicyStatement } from './policy-document';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** Terraform state the workflows read and lock. */
export interface StateBackendAccess {
  readonly bucket: string;
  readonly keyPrefix: string;
  /** Lock table when locking is DynamoDB. @default S3 lock files */
  readonly dynamodbTable?: string;
}

/**
 * What the apply role may manage besides its own roles and the OIDC provider: the estate's
 * resources, by the names the stacks give them. Resources known only by generated IDs (VPC pieces,
 * Resolver endpoints, MGN templates, new KMS keys) are scoped to the Region instead.
 */
export interface ApplyScope {
  /**
   * Start of every name of the estate's Lambda functions, state machines, EventBridge rules, SNS
   * topics, SQS queues, CloudWatch alarms, DynamoDB tables, SSM documents, CloudFormation stacks and
   * pipeline roles (e.g. "acme-dc1-").
   */
  readonly namePrefix: string;
  /** Start of the estate's Parameter Store names, e.g. "/rehost-factory/acme-dc1/". */
  readonly parameterPrefix: string;
  /** Log groups whose names do not start with /aws/lambda/ or /aws/vendedlogs/states/ + namePrefix. @default none */
  readonly logGroupNames?: string[];
  /** Roles whose names start with neither prefix (e.g. vmimport, a name VM Import fixes). @default none */
  readonly roleNames?: string[];
  /** S3 buckets the stacks create. @default none */
  readonly bucketNames?: string[];
  /**
   * KMS keys the stacks create in this account (a target account that is the staging account):
   * their aliases, and the tag every resource of the estate carries (provider default_tags) that
   * binds the keys' management.
   * @default none: no KMS key rights
   */
  readonly kmsKeys?: { readonly aliases: string[]; readonly tag: { readonly key: string; readonly value: string } };
  /** Services whose service-linked role the stacks create (e.g. autoscaling.amazonaws.com). @default none */
  readonly serviceLinkedRoles?: string[];
  /**
   * The stacks create Step Functions state machines with logging: their creator needs the
   * account-level log delivery actions, which have no resource-level permissions.
   * @default false
   */
  readonly stateMachineLogDelivery?: boolean;
}

export interface GithubOidcRolesProps {
  /** "owner/repo" whose workflows assume the roles. */
  readonly repository: string;
  /** Protected branch that may apply. */
  readonly branch: string;
  /** GitHub environment of the apply job. */
  readonly applyEnvironment: string;
  /** GitHub environment of cutover, finalize and revert jobs. */
  readonly cutoverEnvironment: string;
  /** Account of the roles (the staging account). */
  readonly accountId: string;
  readonly region: string;
  /** Prefix of role names; apply may manage roles and policies with this prefix. */
  readonly namePrefix: string;
  /**
   * Create the account's GitHub OIDC provider. There is one per account: set false when another
   * stack owns it.
   * @default true
   */
  readonly createProvider?: boolean;
  /** Write-capable roles in target accounts that the apply role assumes (the security stack's providers). @default none */
  readonly targetDeployRoleArns?: string[];
  /** Read-only roles in target accounts that the plan role assumes while the workflows plan. @default none */
  readonly targetPlanRoleArns?: string[];
  /** What the apply role manages. */
  readonly applyScope: ApplyScope;
  /** S3 state backend. @default local state: no state permissions */
  readonly stateBackend?: StateBackendAccess;
  /** SSM documents the cutover role may run on launched instances. @default none */
  readonly ssmDocumentArns?: string[];
  /** Session duration in seconds. @default 3600 */
  readonly maxSessionDuration?: number;
}

const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

/**
 * The GitHub OIDC provider and the three roles the workflows assume:
 * - plan (read-only): any workflow run of the repository (pull requests included); reads the state
 *   and assumes only the read-only plan roles of the target accounts;
 * - apply: only the protected branch or the apply environment; manages the estate's resources by
 *   the names the stacks give them (ApplyScope) and assumes the target accounts' deploy roles;
 * - cutover: only the cutover environment; MGN actions, and EC2 limited to what cutover needs.
 * Every trust policy pins `aud` to sts.amazonaws.com and `sub` to the repository.
 */
export class GithubOidcRoles extends Construct {
  public readonly providerArn: string;
  public readonly plan: IamRole;
  public readonly apply: IamRole;
  public readonly cutover: IamRole;

  constructor(scope: Construct, id: string, props: GithubOidcRolesProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository)) throw new Error(`GithubOidcRoles: repository must be "owner/repo", got "${props.repository}"`);
    for (const [field, v] of [['branch', props.branch], ['applyEnvironment', props.applyEnvironment], ['cutoverEnvironment', props.cutoverEnvironment]] as const) {
      if (!v || /[*?]/.test(v)) throw new Error(`GithubOidcRoles: ${field} must be a plain name without wildcards (it pins the sub claim), got "${v}"`);
    }
    for (const n of ['cutover', 'apply', 'plan']) {
      const roleName = workflowRoleName(props.namePrefix, n);
      if (roleName.length > 64) throw new Error(`GithubOidcRoles: role name "${roleName}" has ${roleName.length} characters; IAM allows 64: shorten github.roleNamePrefix`);
    }
    if (props.createProvider ?? true) {
      const provider = new IamOpenidConnectProvider(this, 'provider', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: ['sts.amazonaws.com'],
        // IAM no longer checks these for GitHub (it trusts its own CA list), but provider 5.x requires the list.
        thumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1', '1c58a3a8518e8759bf075b76b750d4f2df264fcd'],
      });
      this.providerArn = provider.arn;
    } else {
      this.providerArn = `arn:aws:iam::${props.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
    }
    const repo = `repo:${props.repository}`;
    const role = (name: string, description: string, sub: { op: 'StringEquals' | 'StringLike'; values: string[] }, statements: PolicyStatement[]) => {
      const r = new IamRole(this, name, {
        name: workflowRoleName(props.namePrefix, name),
        description,
        maxSessionDuration: props.maxSessionDuration ?? 3600,
        assumeRolePolicy: githubTrustPolicy(this.providerArn, sub.op, sub.values),
      });
      if (statements.length) new IamRolePolicy(this, `${name}-policy`, { role: r.name, name: workflowRoleName(props.namePrefix, name), policy: policyDocument(statements) });
      if (name !== 'cutover') new IamRolePolicyAttachment(this, `${name}-read-only`, { role: r.name, policyArn: READ_ONLY });
      return r;
    };

    // Trusted for any ref (pull requests of every branch): reads only, and reaches target accounts
    // only through their read-only plan roles.
    this.plan = role('plan', 'rehost-factory: terraform plan from pull requests (read-only)', { op: 'StringLike', values: [`${repo}:*`] }, [
      ...stateStatements(props, false),
      ...assume('AssumeTargetPlanRoles', props.targetPlanRoleArns),
    ]);
    this.apply = role(
      'apply',
      'rehost-factory: terraform apply of the staging infrastructure',
      { op: 'StringEquals', values: [`${repo}:ref:refs/heads/${props.branch}`, `${repo}:environment:${props.applyEnvironment}`] },
      [...stateStatements(props, true), ...assume('AssumeTargetDeployRoles', props.targetDeployRoleArns), ...applyStatements(props)],
    );
    this.cutover = role('cutover', 'rehost-factory: wave test launches, cutover, finalize and revert', { op: 'StringEquals', values: [`${repo}:environment:${props.cutoverEnvironment}`] }, cutoverStatements(props));
  }
}

export function githubTrustPolicy(providerArn: string, op: 'StringEquals' | 'StringLike', subs: string[]): string {
  return policyDocument([
    {
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      // Merged per operator: with StringEquals for sub, a second StringEquals key would replace aud's.
      Condition:
        op === 'StringEquals'
          ? { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com', [`${GITHUB_OIDC_HOST}:sub`]: subs } }
          : { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: subs } },
    },
  ]);
}

function inRegion(region: string) {
  return { StringEquals: { 'aws:RequestedRegion': region } };
}

/**
 * State access. The workflows plan with -lock=false (a plan changes nothing, and a read-only role
 * cannot take the lock), so plans only read: the state objects, and with DynamoDB locking the
 * table's digest item the S3 backend checks the state against. apply also locks and writes.
 */
function stateStatements(p: GithubOidcRolesProps, write: boolean): PolicyStatement[] {
  if (!p.stateBackend) return [];
  const prefix = p.stateBackend.keyPrefix.replace(/\/+$/, '');
  const bucket = `arn:aws:s3:::${p.stateBackend.bucket}`;
  const out: PolicyStatement[] = [{ Sid: 'StateRead', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [bucket, `${bucket}/${prefix}/*`] }];
  if (write) {
    out.push(
      { Sid: 'StateLock', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `${bucket}/${prefix}/*.tflock` },
      { Sid: 'StateWrite', Effect: 'Allow', Action: 's3:PutObject', Resource: `${bucket}/${prefix}/*.tfstate` },
    );
  }
  if (p.stateBackend.dynamodbTable) {
    out.push({
      Sid: write ? 'StateLockTable' : 'StateDigestRead',
      Effect: 'Allow',
      Action: write ? ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] : 'dynamodb:GetItem',
      Resource: `arn:aws:dynamodb:${p.region}:${p.accountId}:table/${p.stateBackend.dynamodbTable}`,
    });
  }
  return out;
}

function assume(sid: string, roleArns: string[] | undefined): PolicyStatement[] {
  return roleArns?.length ? [{ Sid: sid, Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArns }] : [];
}

/**
 * What terraform apply of every stack needs, scoped to the names the stacks give their resources
 * (ApplyScope). Service-wide action wildcards are bounded by those resources.
 */
function applyStatements(p: GithubOidcRolesProps): PolicyStatement[] {
  const s = p.applyScope;
  const { region, accountId: account } = p;
  const arn = (service: string, rest: string) => `arn:aws:${service}:${region}:${account}:${rest}`;
  const iamArn = (rest: string) => `arn:aws:iam::${account}:${rest}`;
  const n = s.namePrefix;
  const logGroups = [`/aws/lambda/${n}*`, `/aws/vendedlogs/states/${n}*`, ...(s.logGroupNames ?? []).flatMap((g) => [g, `${g}:*`])];
  const out: PolicyStatement[] = [
    {
      // VPC pieces, the Resolver's endpoint and its network interfaces, MGN templates (created
      // through CloudFormation with these credentials): known only by generated IDs.
      Sid: 'NetworkAndMgnTemplatesInRegion',
      Effect: 'Allow',
      Action: [
        'ec2:*Vpc', 'ec2:*Vpcs', 'ec2:*VpcAttribute', 'ec2:*Subnet', 'ec2:*SubnetAttribute', 'ec2:*RouteTable', 'ec2:*SecurityGroup',
        'ec2:*SecurityGroupIngress', 'ec2:*SecurityGroupEgress', 'ec2:*VpcEndpoint', 'ec2:*VpcEndpoints', 'ec2:*NetworkInterface',
        'ec2:*NetworkInterfacePermission', 'ec2:CreateTags', 'ec2:DeleteTags',
        'route53resolver:*ResolverEndpoint', 'route53resolver:*ResolverEndpointIpAddress', 'route53resolver:TagResource', 'route53resolver:UntagResource',
        'mgn:*ReplicationConfigurationTemplate', 'mgn:*LaunchConfigurationTemplate', 'mgn:TagResource', 'mgn:UntagResource',
      ],
      Resource: '*',
      Condition: inRegion(region),
    },
    { Sid: 'CloudFormationStacks', Effect: 'Allow', Action: 'cloudformation:*', Resource: arn('cloudformation', `stack/${n}*/*`) },
    { Sid: 'LambdaFunctions', Effect: 'Allow', Action: 'lambda:*', Resource: arn('lambda', `function:${n}*`) },
    { Sid: 'StateMachines', Effect: 'Allow', Action: 'states:*', Resource: arn('states', `stateMachine:${n}*`) },
    { Sid: 'EventRules', Effect: 'Allow', Action: 'events:*', Resource: arn('events', `rule/${n}*`) },
    { Sid: 'Topics', Effect: 'Allow', Action: 'sns:*', Resource: arn('sns', `${n}*`) },
    { Sid: 'Tables', Effect: 'Allow', Action: 'dynamodb:*', Resource: arn('dynamodb', `table/${n}*`) },
    { Sid: 'Queues', Effect: 'Allow', Action: 'sqs:*', Resource: arn('sqs', `${n}*`) },
    {
      Sid: 'Alarms',
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'cloudwatch:ListTagsForResource'],
      Resource: arn('cloudwatch', `alarm:${n}*`),
    },
    { Sid: 'SsmDocumentsAndParameters', Effect: 'Allow', Action: 'ssm:*', Resource: [arn('ssm', `document/${n}*`), arn('ssm', `parameter${s.parameterPrefix}*`)] },
    { Sid: 'LogGroups', Effect: 'Allow', Action: 'logs:*', Resource: logGroups.map((g) => arn('logs', `log-group:${g}`)) },
    {
      Sid: 'OwnRoles',
      Effect: 'Allow',
      // Create/Get/Update/Delete/Tag/Untag/PassRole, Put/Delete/Attach/DetachRolePolicy, the trust policy.
      Action: ['iam:*Role', 'iam:*RolePolicy', 'iam:*RolePolicies', 'iam:*RoleDescription', 'iam:*AssumeRolePolicy', 'iam:ListRoleTags'],
      Resource: [iamArn(`role/${p.namePrefix}-*`), iamArn(`role/${n}*`), ...(s.roleNames ?? []).map((r) => iamArn(`role/${r}`))],
    },
    { Sid: 'GithubOidcProvider', Effect: 'Allow', Action: 'iam:*OpenIDConnectProvider*', Resource: iamArn(`oidc-provider/${GITHUB_OIDC_HOST}`) },
  ];
  if (s.stateMachineLogDelivery) {
    out.push({
      Sid: 'StateMachineLogDelivery',
      Effect: 'Allow',
      Action: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies'],
      Resource: '*',
      Condition: inRegion(region),
    });
  }
  if (s.bucketNames?.length) out.push({ Sid: 'Buckets', Effect: 'Allow', Action: 's3:*', Resource: s.bucketNames.map((b) => `arn:aws:s3:::${b}`) });
  if (s.kmsKeys?.aliases.length) {
    // CreateKey has no resource: the request must carry the estate's tag, and the key's later
    // management is bound to it.
    const { key, value } = s.kmsKeys.tag;
    const tagged = (kind: 'RequestTag' | 'ResourceTag') => ({ StringEquals: { 'aws:RequestedRegion': region, [`aws:${kind}/${key}`]: value } });
    out.push(
      { Sid: 'KmsCreateKey', Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*', Condition: tagged('RequestTag') },
      { Sid: 'KmsOwnKeys', Effect: 'Allow', Action: 'kms:*', Resource: arn('kms', 'key/*'), Condition: tagged('ResourceTag') },
      { Sid: 'KmsAliases', Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'], Resource: s.kmsKeys.aliases.map((a) => arn('kms', a)) },
    );
  }
  if (s.serviceLinkedRoles?.length) {
    const roles = s.serviceLinkedRoles.map((svc) => iamArn(`role/aws-service-role/${svc}/*`));
    out.push(
      { Sid: 'CreateServiceLinkedRoles', Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: roles, Condition: { StringEquals: { 'iam:AWSServiceName': s.serviceLinkedRoles } } },
      { Sid: 'ServiceLinkedRoles', Effect: 'Allow', Action: ['iam:DeleteServiceLinkedRole', 'iam:GetServiceLinkedRoleDeletionStatus', 'iam:UpdateRoleDescription', 'iam:TagRole', 'iam:UntagRole'], Resource: roles },
    );
  }
  return out;
}

function cutoverStatements(p: GithubOidcRolesProps): PolicyStatement[] {
  const launchedByMgn = { StringEquals: { 'aws:ResourceTag/AWSApplicationMigrationServiceManaged': 'mgn.amazonaws.com', 'aws:RequestedRegion': p.region } };
  const out: PolicyStatement[] = [
    { Sid: 'Read', Effect: 'Allow', Action: ['mgn:Describe*', 'mgn:Get*', 'mgn:List*', 'ec2:Describe*', 'ec2:GetConsoleOutput', 'ssm:Describe*', 'ssm:Get*', 'ssm:List*', 'kms:DescribeKey'], Resource: '*' },
    {
      Sid: 'MgnLifecycle',
      Effect: 'Allow',
      Action: [
        'mgn:StartTest', 'mgn:StartCutover', 'mgn:FinalizeCutover', 'mgn:ChangeServerLifeCycleState', 'mgn:TerminateTargetInstances',
        'mgn:RetryDataReplication', 'mgn:MarkAsArchived', 'mgn:DisconnectFromService', 'mgn:UpdateLaunchConfiguration',
        'mgn:CreateWave', 'mgn:UpdateWave', 'mgn:CreateApplication', 'mgn:UpdateApplication', 'mgn:AssociateApplications',
        'mgn:AssociateSourceServers', 'mgn:DisassociateApplications', 'mgn:DisassociateSourceServers', 'mgn:TagResource',
        'mgn:PutSourceServerAction', 'mgn:PutTemplateAction',
      ],
      Resource: `arn:aws:mgn:${p.region}:${p.accountId}:*`,
    },
    // MGN launches from the default version of each source server's launch template: the runbook adds
    // a version and makes it the default, only on templates MGN manages.
    { Sid: 'MgnLaunchTemplates', Effect: 'Allow', Action: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'], Resource: `arn:aws:ec2:${p.region}:${p.accountId}:launch-template/*`, Condition: launchedByMgn },
    { Sid: 'MgnInstances', Effect: 'Allow', Action: ['ec2:StartInstances', 'ec2:StopInstances', 'ec2:RebootInstances'], Resource: `arn:aws:ec2:${p.region}:${p.accountId}:instance/*`, Condition: launchedByMgn },
  ];
  if (p.ssmDocumentArns?.length) {
    out.push({
      Sid: 'BootstrapAndChecks',
      Effect: 'Allow',
      Action: 'ssm:SendCommand',
      Resource: [...p.ssmDocumentArns, `arn:aws:ec2:${p.region}:${p.accountId}:instance/*`],
    });
  }
  return out;
}
