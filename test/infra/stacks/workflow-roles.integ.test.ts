import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FactoryConfig } from '../../../src/config/schema';
import { synthToTemp } from '../../support/synth';
import { ROOT } from '../../support/tools';
import { editedExample } from './example-estate';
import { allowedBy, RequestContext, Statement } from './iam-matcher';

/**
 * The workflow roles over the synthesized JSON of the examples and variants the policy oracle does
 * not run (a long estate name, a target in the staging account): the apply role can manage every
 * resource every stack it applies creates (a model of the API calls the AWS provider makes per
 * resource type, checked against the role's policy by test/infra/stacks/iam-matcher.ts) and nothing of the
 * administrator's bootstrap; the plan role can change nothing and reaches target accounts only
 * through their plan roles. The oracle (test/infra/policy) checks the calls actually made.
 */
type Block = Record<string, Record<string, Record<string, unknown>>>;
interface StackJson { resource?: Block; data?: Block; variable?: Record<string, unknown>; provider?: { aws: Array<{ alias?: string }> } }

const STACKS = ['access', 'network', 'security', 'mgn', 'automation', 'vm-import'];
const GITHUB = '\ngithub:\n  repository: acme/dc2-migration\n';

interface Estate { readonly label: string; readonly config: FactoryConfig }
const ESTATES: Estate[] = [
  { label: 'factory.yaml', config: editedExample([]) },
  // Without a github section the example has no workflow roles: add one.
  { label: 'existing-vpc.yaml', config: editedExample([['\nnetwork:\n', `${GITHUB}\nnetwork:\n`]], 'existing-vpc.yaml') },
  // A 44-character estate name, which the automation stack cuts in its names (boundedName); role
  // and bucket names then need a shorter prefix and a name of their own.
  {
    label: 'factory.yaml with a long estate name',
    config: editedExample([
      ['name: acme-dc1\n', 'name: acme-data-centre-one-frankfurt-exit-prog\n'],
      ['  cutoverEnvironment: cutover\n', '  cutoverEnvironment: cutover\n  roleNamePrefix: rf\n'],
      ['  bucket:\n', '  bucket:\n    name: acme-dc1-exit-vm-import\n'],
    ]),
  },
  // A target account that is the staging account: its key, alias and Auto Scaling role are the apply role's.
  {
    label: 'factory.yaml with the target in the staging account',
    config: editedExample([
      ['accountId: "222222222222"', 'accountId: "111111111111"'],
      ['          - arn:aws:iam::222222222222:role/PlatformAdmin\n', '          - arn:aws:iam::111111111111:role/PlatformAdmin\n        createAutoScalingRole: true\n'],
    ]),
  },
];

function synth(config: FactoryConfig): Record<string, StackJson> {
  const { outdir } = synthToTemp(config);
  return Object.fromEntries(STACKS.map((s) => [s, JSON.parse(readFileSync(join(outdir, 'stacks', s, 'cdk.tf.json'), 'utf8')) as StackJson]));
}

/** A workflow role's statements: its inline policy, or the managed policies it is split into. */
function roleStatements(access: StackJson, suffix: 'plan' | 'apply'): { statements: Statement[]; attached: string[] } {
  const role = Object.entries(access.resource!.aws_iam_role).find(([, r]) => String(r.name).endsWith(`-${suffix}`))![0];
  const mine = (r: Record<string, unknown>) => r.role === `\${aws_iam_role.${role}.name}`;
  const parse = (p: Record<string, unknown>) => (JSON.parse(p.policy as string) as { Statement: Statement[] }).Statement;
  const attached = Object.values(access.resource!.aws_iam_role_policy_attachment ?? {}).filter(mine).map((a) => a.policy_arn as string);
  const managed = attached.map((arn) => {
    const m = /^\$\{aws_iam_policy\.([^.}]+)\.arn\}$/.exec(arn);
    if (!m) throw new Error(`${suffix} role has a managed policy that is not the stack's own: ${arn}`);
    return access.resource!.aws_iam_policy[m[1]];
  });
  const statements = [...Object.values(access.resource!.aws_iam_role_policy ?? {}).filter(mine), ...managed].flatMap(parse);
  return { statements, attached: attached.filter((a) => !a.startsWith('${aws_iam_policy.')) };
}

interface Need { readonly action: string; readonly resource: string; readonly context?: RequestContext }

/** Resolves `${<type>.<name>.<attr>}` references between resources of one stack to the ARN or name they stand for. */
class Model {
  constructor(private readonly stack: StackJson, private readonly region: string, private readonly account: string) {}

  /** Account of a resource of the stack: its provider's allowed account (a target account), else the staging account. */
  accountOf(r: Record<string, unknown>): string {
    const alias = /^aws\.(.+)$/.exec(String(r.provider ?? ''))?.[1];
    if (!alias) return this.account;
    const p = (this.stack.provider?.aws as unknown as Array<{ alias?: string; allowed_account_ids?: string[] }> | undefined)?.find((x) => x.alias === alias);
    return p?.allowed_account_ids?.[0] ?? this.account;
  }

  arn(service: string, rest: string): string {
    return `arn:aws:${service}:${this.region}:${this.account}:${rest}`;
  }
  role(name: string, path = '/'): string {
    return `arn:aws:iam::${this.account}:role${path}${name}`;
  }
  /** The resource a `${type.name.attr}` reference points at. */
  ref(value: unknown): Record<string, unknown> {
    const m = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(String(value));
    const target = m && this.stack.resource?.[m[1]]?.[m[2]];
    if (!target) throw new Error(`cannot resolve ${String(value)} within the stack`);
    return target;
  }
  roleArnOf(value: unknown): string {
    const r = this.ref(value);
    return this.role(String(r.name), (r.path as string | undefined) ?? '/');
  }

  needs(type: string, r: Record<string, unknown>): Need[] {
    const each = (actions: string[], resource: string, context?: RequestContext) => actions.map((action) => ({ action, resource, context }));
    const ec2 = (kind: string) => this.arn('ec2', `${kind}/${kind}-0example`);
    switch (type) {
      case 'aws_vpc': return each(['ec2:CreateVpc', 'ec2:ModifyVpcAttribute', 'ec2:DeleteVpc', 'ec2:CreateTags'], ec2('vpc'));
      case 'aws_subnet': return each(['ec2:CreateSubnet', 'ec2:ModifySubnetAttribute', 'ec2:DeleteSubnet', 'ec2:CreateTags'], ec2('subnet'));
      case 'aws_route_table': return each(['ec2:CreateRouteTable', 'ec2:DeleteRouteTable', 'ec2:CreateTags'], ec2('route-table'));
      case 'aws_route_table_association': return each(['ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable'], ec2('route-table'));
      case 'aws_security_group':
        return each(['ec2:CreateSecurityGroup', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:DeleteSecurityGroup', 'ec2:CreateTags'], ec2('security-group'));
      case 'aws_vpc_endpoint': return each(['ec2:CreateVpcEndpoint', 'ec2:ModifyVpcEndpoint', 'ec2:DeleteVpcEndpoints', 'ec2:CreateTags'], ec2('vpc-endpoint'));
      case 'aws_route53_resolver_endpoint':
        return [
          ...each(['route53resolver:CreateResolverEndpoint', 'route53resolver:UpdateResolverEndpoint', 'route53resolver:DeleteResolverEndpoint', 'route53resolver:AssociateResolverEndpointIpAddress',
            'route53resolver:DisassociateResolverEndpointIpAddress', 'route53resolver:TagResource'], this.arn('route53resolver', 'resolver-endpoint/rslvr-in-0example')),
          // Resolver creates the endpoint's network interfaces with the caller's permissions.
          ...each(['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface'], ec2('network-interface')),
        ];
      case 'aws_iam_openid_connect_provider':
        return each(['iam:CreateOpenIDConnectProvider', 'iam:UpdateOpenIDConnectProviderThumbprint', 'iam:AddClientIDToOpenIDConnectProvider', 'iam:TagOpenIDConnectProvider', 'iam:DeleteOpenIDConnectProvider'],
          `arn:aws:iam::${this.account}:oidc-provider/token.actions.githubusercontent.com`);
      case 'aws_iam_role': {
        const boundary = r.permissions_boundary ? { 'iam:PermissionsBoundary': String(r.permissions_boundary) } : undefined;
        return each(['iam:CreateRole', 'iam:UpdateRole', 'iam:UpdateAssumeRolePolicy', 'iam:UpdateRoleDescription', 'iam:TagRole', 'iam:UntagRole', 'iam:DeleteRole'], this.role(String(r.name), (r.path as string | undefined) ?? '/'), boundary);
      }
      case 'aws_iam_role_policy': {
        const role = this.ref(r.role);
        return each(['iam:PutRolePolicy', 'iam:DeleteRolePolicy'], this.roleArnOf(r.role), role.permissions_boundary ? { 'iam:PermissionsBoundary': String(role.permissions_boundary) } : undefined);
      }
      case 'aws_flow_log':
        return [
          ...each(['ec2:CreateFlowLogs', 'ec2:DeleteFlowLogs', 'ec2:CreateTags'], ec2('vpc-flow-log')),
          { action: 'ec2:CreateFlowLogs', resource: ec2('vpc') },
          { action: 'iam:PassRole', resource: this.roleArnOf(r.iam_role_arn), context: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' } },
        ];
      case 'aws_default_security_group': return each(['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:CreateTags'], ec2('security-group'));
      case 'aws_iam_role_policy_attachment': return each(['iam:AttachRolePolicy', 'iam:DetachRolePolicy'], this.roleArnOf(r.role), { 'iam:PolicyARN': String(r.policy_arn) });
      case 'aws_iam_service_linked_role': {
        const service = String(r.aws_service_name);
        const name = { 'autoscaling.amazonaws.com': 'AWSServiceRoleForAutoScaling' }[service];
        if (!name) throw new Error(`no role name modelled for the service-linked role of ${service}`);
        const arn = this.role(name, `/aws-service-role/${service}/`);
        return [
          { action: 'iam:CreateServiceLinkedRole', resource: arn, context: { 'iam:AWSServiceName': service } },
          ...each(['iam:TagRole', 'iam:UpdateRoleDescription', 'iam:DeleteServiceLinkedRole', 'iam:GetServiceLinkedRoleDeletionStatus'], arn),
        ];
      }
      case 'aws_kms_key':
        return [{ action: 'kms:CreateKey', resource: '*' }, ...each(['kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:TagResource', 'kms:UpdateKeyDescription', 'kms:ScheduleKeyDeletion'], this.arn('kms', 'key/0example'))];
      case 'aws_kms_alias':
        return [...each(['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'], this.arn('kms', String(r.name))), ...each(['kms:CreateAlias', 'kms:DeleteAlias'], this.arn('kms', 'key/0example'))];
      case 'aws_iam_policy': throw new Error('managed policies are the administrator\'s (access stack)');
      case 'aws_kms_grant': {
        // A grant on a key of another account (the Auto Scaling grant of the MGN account) is that key's.
        const key = this.ref(r.key_id);
        const keyArn = `arn:aws:kms:${this.region}:${this.accountOf(key)}:key/0example`;
        const alias = Object.values(this.stack.resource?.aws_kms_alias ?? {}).find((a) => String(a.target_key_id).includes(String(r.key_id).split('.')[1]))?.name;
        const context = { 'kms:GranteePrincipal': String(r.grantee_principal).replace(/^\$\{data\.aws_iam_role\.[^}]+\.arn\}$/, `arn:aws:iam::${this.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`), 'kms:GrantOperations': r.operations as string[], ...(alias ? { 'kms:ResourceAliases': [String(alias)] } : {}) };
        return [{ action: 'kms:CreateGrant', resource: keyArn, context }, ...each(['kms:RevokeGrant', 'kms:ListGrants'], keyArn, alias ? { 'kms:ResourceAliases': [String(alias)] } : undefined)];
      }
      case 'aws_ssm_document':
        return each(['ssm:CreateDocument', 'ssm:UpdateDocument', 'ssm:UpdateDocumentDefaultVersion', 'ssm:AddTagsToResource', 'ssm:DeleteDocument'], this.arn('ssm', `document/${String(r.name)}`));
      case 'aws_ssm_parameter': return each(['ssm:PutParameter', 'ssm:AddTagsToResource', 'ssm:DeleteParameter'], this.arn('ssm', `parameter${String(r.name)}`));
      case 'aws_cloudwatch_log_group':
        return [`log-group:${String(r.name)}`, `log-group:${String(r.name)}:*`].flatMap((g) => each(['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource', 'logs:DeleteLogGroup'], this.arn('logs', g)));
      case 'aws_cloudformation_stack': {
        const stackNeeds = each(['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack'], this.arn('cloudformation', `stack/${String(r.name)}/0example`));
        // CloudFormation creates the template's resources with the caller's credentials.
        const template = JSON.parse(String(r.template_body)) as { Resources: Record<string, { Type: string }> };
        const inner = Object.values(template.Resources).flatMap(({ Type }) => {
          const kind = { 'AWS::MGN::ReplicationConfigurationTemplate': ['ReplicationConfigurationTemplate', 'replication-configuration-template'], 'AWS::MGN::LaunchConfigurationTemplate': ['LaunchConfigurationTemplate', 'launch-configuration-template'] }[Type];
          if (!kind) throw new Error(`no API calls modelled for ${Type} in ${String(r.name)}`);
          return [{ action: `mgn:Create${kind[0]}`, resource: '*' }, ...each([`mgn:Update${kind[0]}`, `mgn:Delete${kind[0]}`, 'mgn:TagResource'], this.arn('mgn', `${kind[1]}/0example`))];
        });
        return [...stackNeeds, ...inner];
      }
      case 'aws_lambda_function':
        return [
          ...each(['lambda:CreateFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:TagResource', 'lambda:DeleteFunction'], this.arn('lambda', `function:${String(r.function_name)}`)),
          { action: 'iam:PassRole', resource: this.roleArnOf(r.role), context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
        ];
      case 'aws_sfn_state_machine':
        return [
          ...each(['states:CreateStateMachine', 'states:UpdateStateMachine', 'states:TagResource', 'states:DeleteStateMachine'], this.arn('states', `stateMachine:${String(r.name)}`)),
          { action: 'iam:PassRole', resource: this.roleArnOf(r.role_arn), context: { 'iam:PassedToService': 'states.amazonaws.com' } },
          // Logging: account-level log delivery actions, no resource-level permissions.
          ...(r.logging_configuration ? each(['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies'], '*') : []),
        ];
      case 'aws_cloudwatch_event_rule': return each(['events:PutRule', 'events:TagResource', 'events:DeleteRule'], this.arn('events', `rule/${String(r.name)}`));
      case 'aws_cloudwatch_event_target':
        return [
          ...each(['events:PutTargets', 'events:RemoveTargets'], this.arn('events', `rule/${String(this.ref(r.rule).name)}`)),
          ...(r.role_arn ? [{ action: 'iam:PassRole', resource: this.roleArnOf(r.role_arn), context: { 'iam:PassedToService': 'events.amazonaws.com' } }] : []),
        ];
      case 'aws_sns_topic': return each(['sns:CreateTopic', 'sns:SetTopicAttributes', 'sns:TagResource', 'sns:DeleteTopic'], this.arn('sns', String(r.name)));
      case 'aws_sns_topic_subscription': {
        const topic = this.arn('sns', String(this.ref(r.topic_arn).name));
        return [{ action: 'sns:Subscribe', resource: topic }, { action: 'sns:Unsubscribe', resource: `${topic}:0example` }];
      }
      case 'aws_dynamodb_table':
        return each(['dynamodb:CreateTable', 'dynamodb:UpdateTable', 'dynamodb:UpdateContinuousBackups', 'dynamodb:TagResource', 'dynamodb:DeleteTable'], this.arn('dynamodb', `table/${String(r.name)}`));
      case 'aws_sqs_queue':
        return each(['sqs:CreateQueue', 'sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:DeleteQueue'], this.arn('sqs', String(r.name)));
      case 'aws_sqs_queue_policy': {
        const queue = /^\$\{aws_sqs_queue\.([^.}]+)\.url\}$/.exec(String(r.queue_url));
        const name = queue && this.stack.resource?.aws_sqs_queue?.[queue[1]]?.name;
        if (!name) throw new Error(`cannot resolve ${String(r.queue_url)} within the stack`);
        return each(['sqs:SetQueueAttributes'], this.arn('sqs', String(name)));
      }
      case 'aws_cloudwatch_metric_alarm':
        return each(['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource', 'cloudwatch:DeleteAlarms'], this.arn('cloudwatch', `alarm:${String(r.alarm_name)}`));
      case 'aws_lambda_permission':
        return each(['lambda:AddPermission', 'lambda:RemovePermission'], this.arn('lambda', `function:${String(this.ref(r.function_name).function_name)}`));
      case 'aws_s3_bucket': return each(['s3:CreateBucket', 's3:PutBucketTagging', 's3:DeleteBucket'], `arn:aws:s3:::${String(r.bucket)}`);
      default: {
        const bucketConfig: Record<string, string[]> = {
          aws_s3_bucket_lifecycle_configuration: ['s3:PutLifecycleConfiguration'],
          // Deleting these configurations is authorized by the Put action (Service Authorization Reference).
          aws_s3_bucket_ownership_controls: ['s3:PutBucketOwnershipControls'],
          aws_s3_bucket_policy: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
          aws_s3_bucket_public_access_block: ['s3:PutBucketPublicAccessBlock'],
          aws_s3_bucket_server_side_encryption_configuration: ['s3:PutEncryptionConfiguration'],
          aws_s3_bucket_versioning: ['s3:PutBucketVersioning'],
        };
        if (bucketConfig[type]) return each(bucketConfig[type], `arn:aws:s3:::${String(this.ref(r.bucket).bucket)}`);
        throw new Error(`no API calls modelled for ${type}: add them to the model in workflow-roles.test.ts`);
      }
    }
  }
}

describe.each(ESTATES)('the apply role of $label', ({ config }) => {
  const stacks = synth(config);
  const { statements, attached } = roleStatements(stacks.access, 'apply');
  const region = config.region;
  const account = config.accounts.staging;
  const base: RequestContext = { 'aws:RequestedRegion': region, 'aws:RequestTag/rehost-factory:estate': config.name, 'aws:ResourceTag/rehost-factory:estate': config.name };

  it('can create, update, tag and delete every resource every stack creates with the staging account provider', () => {
    const denied: string[] = [];
    let checked = 0;
    for (const [stack, tf] of Object.entries(stacks)) {
      if (stack === 'access') continue; // the administrator's bootstrap
      const model = new Model(tf, region, account);
      for (const [type, byName] of Object.entries(tf.resource ?? {})) {
        for (const [name, r] of Object.entries(byName)) {
          if (r.provider) continue; // a target account's resource: its deploy role's business
          for (const need of model.needs(type, r)) {
            checked++;
            if (!allowedBy(statements, need.action, need.resource, { ...base, ...need.context })) denied.push(`${stack}/${type}.${name}: ${need.action} on ${need.resource}`);
          }
        }
      }
    }
    expect(denied).toEqual([]);
    expect(checked).toBeGreaterThan(50);
    // No AWS managed policy (ReadOnlyAccess and the like): only its own statements.
    expect(attached).toEqual([]);
  });

  it('reaches target accounts only through their deploy roles, and only the target accounts\' resources go there', () => {
    const targets = config.accounts.targets.filter((t) => t.accountId !== account);
    const assumable = statements.filter((s) => [s.Action].flat().includes('sts:AssumeRole')).flatMap((s) => [s.Resource].flat());
    expect(assumable.sort()).toEqual(targets.map((t) => `arn:aws:iam::${t.accountId}:role/${t.deployRoleName}`).sort());
    const elsewhere = Object.entries(stacks).flatMap(([s, tf]) =>
      Object.entries(tf.resource ?? {}).flatMap(([type, byName]) => Object.values(byName).filter((r) => r.provider).map(() => `${s}/${type}`)),
    );
    void statements;
    expect([...new Set(elsewhere)].every((w) => /^security\/aws_kms_(key|alias|grant)$|^security\/aws_iam_service_linked_role$/.test(w))).toBe(true);
  });

  it('names its resources: only network pieces, MGN templates, new keys, lists and log delivery are scoped to the Region instead', () => {
    const unnamed = statements.filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*'));
    expect(unnamed.map((s) => s.Sid).sort()).toEqual(['KmsCreateKey', 'ListsInRegion', 'NetworkAndMgnTemplatesInRegion', ...(stacks.automation.resource?.aws_sfn_state_machine ? ['StateMachineLogDelivery'] : [])].sort());
    for (const s of unnamed) expect(s.Condition?.StringEquals?.['aws:RequestedRegion']).toBe(region);
  });
});

describe('the apply role refuses what the estate does not own, and cannot widen any role', () => {
  const config = ESTATES[0].config;
  const { statements } = roleStatements(synth(config).access, 'apply');
  const ctx: RequestContext = { 'aws:RequestedRegion': 'eu-west-1' };
  const boundary = 'arn:aws:iam::111111111111:policy/rehost-factory-acme-dc1-boundary';
  it.each([
    // itself and the other workflow roles, the boundary, the OIDC provider
    ['iam:AttachRolePolicy', 'arn:aws:iam::111111111111:role/rehost-factory-acme-dc1-apply', { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' }],
    ['iam:PutRolePolicy', 'arn:aws:iam::111111111111:role/rehost-factory-acme-dc1-apply', { 'iam:PermissionsBoundary': boundary }],
    ['iam:UpdateAssumeRolePolicy', 'arn:aws:iam::111111111111:role/rehost-factory-acme-dc1-cutover', {}],
    ['iam:PutRolePolicy', 'arn:aws:iam::111111111111:role/rehost-factory-acme-dc1-vm-import', {}],
    ['iam:CreatePolicyVersion', boundary, {}],
    ['iam:UpdateOpenIDConnectProviderThumbprint', 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com', {}],
    // a role of the estate's names without the boundary, or with the boundary removed or replaced
    ['iam:CreateRole', 'arn:aws:iam::111111111111:role/acme-dc1-ami-swap', {}],
    ['iam:PutRolePolicy', 'arn:aws:iam::111111111111:role/acme-dc1-ami-swap', {}],
    ['iam:DeleteRolePermissionsBoundary', 'arn:aws:iam::111111111111:role/acme-dc1-ami-swap', { 'iam:PermissionsBoundary': boundary }],
    ['iam:PutRolePermissionsBoundary', 'arn:aws:iam::111111111111:role/acme-dc1-ami-swap', { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' }],
    // a role passed to another service than its own
    ['iam:PassRole', 'arn:aws:iam::111111111111:role/acme-dc1-ami-swap', { 'iam:PassedToService': 'ec2.amazonaws.com' }],
  ])('%s on %s', (action, resource, extra) => {
    expect(allowedBy(statements, action, resource, { ...ctx, ...(extra as RequestContext) })).toBeUndefined();
  });
  it('while it may create the estate\'s roles with the boundary and pass each to its service', () => {
    expect(allowedBy(statements, 'iam:CreateRole', 'arn:aws:iam::111111111111:role/acme-dc1-ami-swap', { ...ctx, 'iam:PermissionsBoundary': boundary })).toBeDefined();
    expect(allowedBy(statements, 'iam:PassRole', 'arn:aws:iam::111111111111:role/acme-dc1-ami-swap', { ...ctx, 'iam:PassedToService': 'states.amazonaws.com' })).toBeDefined();
  });
  it.each([
    ['iam:CreateRole', 'arn:aws:iam::111111111111:role/OrganizationAccountAccessRole'],
    ['iam:PutRolePolicy', 'arn:aws:iam::111111111111:role/acme-dc10-ami-swap'],
    ['lambda:UpdateFunctionCode', 'arn:aws:lambda:eu-west-1:111111111111:function:payroll'],
    ['dynamodb:DeleteTable', 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders'],
    ['s3:DeleteBucket', 'arn:aws:s3:::acme-audit-logs'],
    ['ec2:RunInstances', 'arn:aws:ec2:eu-west-1:111111111111:instance/*'],
    ['ec2:CreateVpc', 'arn:aws:ec2:us-east-1:111111111111:vpc/vpc-1'],
    ['kms:ScheduleKeyDeletion', 'arn:aws:kms:eu-west-1:111111111111:key/k'],
    ['sts:AssumeRole', 'arn:aws:iam::222222222222:role/OrganizationAccountAccessRole'],
  ])('%s on %s', (action, resource) => {
    expect(allowedBy(statements, action, resource, { ...ctx, 'aws:RequestedRegion': resource.split(':')[3] || 'eu-west-1' })).toBeUndefined();
  });
});

describe.each(ESTATES.slice(0, 2))('the plan role of $label', ({ config }) => {
  const stacks = synth(config);
  const { statements, attached } = roleStatements(stacks.access, 'plan');
  const READ = /^[a-z0-9-]+:(Describe|Get|List|Head|BatchGet|Search|Lookup|Query|Scan|Select|View|Check)[A-Za-z*]*$/;

  it('allows no mutating action and may assume only the target accounts\' plan roles', () => {
    expect(attached).toEqual([]);
    const allows = statements.filter((s) => s.Effect === 'Allow');
    const actions = allows.flatMap((s) => [s.Action].flat() as string[]);
    expect(allows.every((s) => !s.NotAction && !s.NotResource)).toBe(true);
    expect(actions.filter((a) => a !== 'sts:AssumeRole' && !READ.test(a))).toEqual([]);
    const targets = config.accounts.targets.filter((t) => t.accountId !== config.accounts.staging);
    const assumable = allows.filter((s) => [s.Action].flat().includes('sts:AssumeRole')).flatMap((s) => [s.Resource].flat());
    expect(assumable).toEqual(targets.map((t) => `arn:aws:iam::${t.accountId}:role/${t.planRoleName}`));
    for (const t of targets) expect(allowedBy(statements, 'sts:AssumeRole', `arn:aws:iam::${t.accountId}:role/${t.deployRoleName}`)).toBeUndefined();
    // State: read, never lock or write (plans run with -lock=false).
    for (const a of ['s3:PutObject', 's3:DeleteObject', 'dynamodb:PutItem', 'dynamodb:DeleteItem']) expect(allows.some((s) => [s.Action].flat().includes(a))).toBe(false);
  });

  it('reads no secret: Parameter Store outside the estate\'s path, Secrets Manager, kms:Decrypt, objects outside the state are denied whatever else allows them', () => {
    const region = config.region;
    const account = config.accounts.staging;
    const denied = (action: string, resource: string, ctx: RequestContext = {}) => allowedBy([...statements, { Effect: 'Allow', Action: '*', Resource: '*' }], action, resource, { 'aws:RequestedRegion': region, ...ctx });
    expect(denied('ssm:GetParameter', `arn:aws:ssm:${region}:${account}:parameter/rehost/ad/join-password`)).toBeUndefined();
    expect(denied('ssm:GetParametersByPath', `arn:aws:ssm:${region}:${account}:parameter/rehost`)).toBeUndefined();
    expect(denied('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${region}:${account}:secret:x`)).toBeUndefined();
    expect(denied('kms:Decrypt', `arn:aws:kms:${region}:${account}:key/k`, { 'kms:ViaService': `ssm.${region}.amazonaws.com` })).toBeUndefined();
    expect(denied('s3:GetObject', 'arn:aws:s3:::someone-elses-bucket/data.csv')).toBeUndefined();
    // the estate's own parameters stay readable (the mgn stack's post-launch values)
    expect(denied('ssm:GetParameter', `arn:aws:ssm:${region}:${account}:parameter/rehost-factory/${config.name}/post-launch/x/y`)).toBeDefined();
  });

  it('plans through the plan role of each target account: the provider switches on var.target_account_role', () => {
    const targets = config.accounts.targets.filter((t) => t.accountId !== config.accounts.staging);
    const providers = (stacks.security.provider?.aws ?? []).filter((p) => p.alias) as unknown as Array<{ alias: string; assume_role: Array<{ role_arn: string }> }>;
    expect(providers.map((p) => p.assume_role[0].role_arn)).toEqual(
      targets.map((t) => `\${(var.target_account_role == "plan") ? "arn:aws:iam::${t.accountId}:role/${t.planRoleName}" : "arn:aws:iam::${t.accountId}:role/${t.deployRoleName}"}`),
    );
    // Ephemeral, so a saved plan does not carry the plan role into apply.
    expect(stacks.security.variable?.target_account_role).toMatchObject({ default: 'deploy', ephemeral: true, type: 'string' });
  });
});

describe('the infra workflows pick the role of the target-account providers', () => {
  type Workflow = { jobs: Record<string, { steps: Array<{ run?: string }> }> };
  const read = (f: string) => parse(readFileSync(join(ROOT, '.github', 'workflows', f), 'utf8')) as Workflow;
  const terraformLines = (w: Workflow, job: string) => w.jobs[job].steps.flatMap((s) => (s.run ?? '').split('\n')).filter((l) => /^\s*terraform -chdir=\S+ (plan|apply) /.test(l));

  it.each([
    ['infra-plan.yml', 'plan', 'plan'],
    ['infra-apply.yml', 'replan', 'plan'],
    ['infra-apply.yml', 'apply', 'deploy'],
    ['drift.yml', 'detect', 'plan'],
  ])('%s job %s passes target_account_role=%s to every plan or apply of a stack that declares it', (file, job, role) => {
    const w = read(file);
    const lines = terraformLines(w, job);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toContain('"${role_var[@]}"');
    const script = w.jobs[job].steps.map((s) => s.run ?? '').join('\n');
    expect(script).toContain(`role_var=(-var "target_account_role=${role}")`);
    expect(script).toMatch(/jq -e '\.variable\.target_account_role' "cdktf\.out\/stacks\/\$stack\/cdk\.tf\.json"/);
  });
});
