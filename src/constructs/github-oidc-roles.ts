import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { policyDocument, PolicyStatement } from './policy-document';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** Terraform state the workflows read and lock. */
export interface StateBackendAccess {
  readonly bucket: string;
  readonly keyPrefix: string;
  /** Lock table when locking is DynamoDB. @default S3 lock files */
  readonly dynamodbTable?: string;
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
  /** Roles in target accounts the plan and apply roles assume (the security stack's providers). @default none */
  readonly targetDeployRoleArns?: string[];
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
 * - plan (read-only): any workflow run of the repository (pull requests included);
 * - apply: only the protected branch or the apply environment;
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
        name: `${props.namePrefix}-${name}`,
        description,
        maxSessionDuration: props.maxSessionDuration ?? 3600,
        assumeRolePolicy: githubTrustPolicy(this.providerArn, sub.op, sub.values),
      });
      if (statements.length) new IamRolePolicy(this, `${name}-policy`, { role: r.name, name: `${props.namePrefix}-${name}`, policy: policyDocument(statements) });
      if (name !== 'cutover') new IamRolePolicyAttachment(this, `${name}-read-only`, { role: r.name, policyArn: READ_ONLY });
      return r;
    };

    this.plan = role('plan', 'rehost-factory: terraform plan from pull requests (read-only)', { op: 'StringLike', values: [`${repo}:*`] }, [
      ...stateStatements(props, false),
      ...assumeTargets(props),
    ]);
    this.apply = role(
      'apply',
      'rehost-factory: terraform apply of the staging infrastructure',
      { op: 'StringEquals', values: [`${repo}:ref:refs/heads/${props.branch}`, `${repo}:environment:${props.applyEnvironment}`] },
      [...stateStatements(props, true), ...assumeTargets(props), ...applyStatements(props)],
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

function stateStatements(p: GithubOidcRolesProps, write: boolean): PolicyStatement[] {
  if (!p.stateBackend) return [];
  const prefix = p.stateBackend.keyPrefix.replace(/\/+$/, '');
  const objects = `arn:aws:s3:::${p.stateBackend.bucket}/${prefix}/*`;
  const out: PolicyStatement[] = [
    { Sid: 'StateRead', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${p.stateBackend.bucket}`, objects] },
    // Plans lock the state too (lock files next to the state, or a DynamoDB item).
    { Sid: 'StateLock', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${p.stateBackend.bucket}/${prefix}/*.tflock` },
  ];
  if (write) out.push({ Sid: 'StateWrite', Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${p.stateBackend.bucket}/${prefix}/*.tfstate` });
  if (p.stateBackend.dynamodbTable) {
    out.push({ Sid: 'StateLockTable', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], Resource: `arn:aws:dynamodb:${p.region}:${p.accountId}:table/${p.stateBackend.dynamodbTable}` });
  }
  return out;
}

function assumeTargets(p: GithubOidcRolesProps): PolicyStatement[] {
  return p.targetDeployRoleArns?.length ? [{ Sid: 'AssumeTargetDeployRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: p.targetDeployRoleArns }] : [];
}

function applyStatements(p: GithubOidcRolesProps): PolicyStatement[] {
  const iam = (kind: string) => `arn:aws:iam::${p.accountId}:${kind}/${p.namePrefix}-*`;
  return [
    {
      Sid: 'StagingInfrastructure',
      Effect: 'Allow',
      Action: ['ec2:*', 'route53resolver:*', 'ssm:*', 'logs:*', 'cloudformation:*', 'mgn:*', 'kms:*', 'events:*', 'states:*', 'lambda:*', 's3:*', 'sns:*'],
      Resource: '*',
      Condition: inRegion(p.region),
    },
    {
      Sid: 'OwnRolesAndPolicies',
      Effect: 'Allow',
      Action: ['iam:*Role*', 'iam:*Policy*', 'iam:TagRole', 'iam:UntagRole', 'iam:PassRole', 'iam:*InstanceProfile*'],
      Resource: [iam('role'), iam('policy'), iam('instance-profile'), `arn:aws:iam::${p.accountId}:role/vmimport`],
    },
    {
      Sid: 'GithubOidcProvider',
      Effect: 'Allow',
      Action: 'iam:*OpenIDConnectProvider*',
      Resource: `arn:aws:iam::${p.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`,
    },
    {
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: '*',
      Condition: { StringLike: { 'iam:AWSServiceName': ['mgn.amazonaws.com', 'autoscaling.amazonaws.com', 'route53resolver.amazonaws.com'] } },
    },
  ];
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
