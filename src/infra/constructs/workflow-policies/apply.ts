import { PolicyStatement } from '../policy-document';
import { DescribedKey } from './cutover';
import { StateBackendAccess, stateStatements } from './plan';
import { terraformActions, TerraformFamily, TERRAFORM_ACTIONS } from './terraform-actions';

/** A role the stacks create (the apply role creates it with the boundary and passes it to one service). */
export interface ServiceRoleRef {
  readonly name: string;
  /** Service principal the role is passed to (lambda.amazonaws.com, ...). @default not passed (a service uses it by name) */
  readonly service?: string;
}

/**
 * What the apply role may manage: the estate's resources, by the names the stacks give them.
 * Resources known only by generated IDs (VPC pieces, Resolver endpoints, MGN templates, new KMS keys)
 * are scoped to the Region instead.
 */
export interface ApplyScope {
  readonly accountId: string;
  readonly region: string;
  /**
   * Start of every name of the estate's Lambda functions, state machines, EventBridge rules, SNS
   * topics, SQS queues, CloudWatch alarms, DynamoDB tables, SSM documents and CloudFormation stacks
   * (e.g. "acme-dc1-").
   */
  readonly namePrefix: string;
  /** Start of the estate's Parameter Store names, e.g. "/rehost-factory/acme-dc1/". */
  readonly parameterPrefix: string;
  /** Resource families the estate's stacks (other than the access stack) have. */
  readonly families: readonly TerraformFamily[];
  /** SSM documents named outside namePrefix (runbook.ssmDocumentPrefix), granted by exact name. @default none */
  readonly documentNames?: string[];
  /** Log groups whose names do not start with /aws/lambda/ or /aws/vendedlogs/states/ + namePrefix. @default none */
  readonly logGroupNames?: string[];
  /** Roles the stacks create, each created with the boundary and passed to its service. @default none */
  readonly serviceRoles?: ServiceRoleRef[];
  /** The managed policy every role apply creates must carry as its permissions boundary. */
  readonly boundaryPolicyArn: string;
  /**
   * What apply must never change (the administrator's bootstrap): the workflow roles, the boundary
   * policy, the OIDC provider.
   */
  readonly protectedArns: string[];
  /** Aliases of keys apply must never change (the bootstrap secrets key). @default none */
  readonly protectedKeyAliases?: string[];
  /** S3 buckets the stacks create. @default none */
  readonly bucketNames?: string[];
  /**
   * KMS keys the stacks create in this account: their aliases, and the tag every resource of the
   * estate carries (provider default_tags) that binds the keys' management.
   */
  readonly kmsKeys: { readonly aliases: string[]; readonly tag: { readonly key: string; readonly value: string } };
  /** The stacks create KMS grants on the keys of kmsKeys. @default false */
  readonly ownKeyGrants?: boolean;
  /** Services whose service-linked role the stacks create (e.g. autoscaling.amazonaws.com). @default none */
  readonly serviceLinkedRoles?: string[];
  /** Existing roles the stacks read with data sources (e.g. this account's AWSServiceRoleForAutoScaling). @default none */
  readonly readRoleArns?: string[];
  /**
   * Grants apply creates on other accounts' keys for a role of this account (the Auto Scaling role's
   * grant on the target EBS keys): only that grantee, only the EBS operations.
   * @default none
   */
  readonly keyGrants?: { readonly keys: DescribedKey[]; readonly grantee: string; readonly operations: string[] };
  /** S3 state backend. @default local state */
  readonly stateBackend?: StateBackendAccess;
  /** Write-capable roles in target accounts that the apply role assumes. @default none */
  readonly targetDeployRoleArns?: string[];
}

const has = (s: ApplyScope, f: TerraformFamily) => s.families.includes(f);
/** Actions of families that authorize only on "*" (list and describe calls). */
const WILDCARD_ONLY = new Set(['logs:DescribeLogGroups', 'ssm:DescribeParameters', 'kms:ListAliases', 'kms:CreateKey', 'states:ValidateStateMachineDefinition', 'cloudformation:ListStacks']);

/**
 * What terraform apply (and destroy) of the estate's stacks calls, scoped to the names the stacks
 * give their resources. It cannot change what the administrator bootstraps (workflow roles, their
 * boundary, the OIDC provider, the secrets key): explicit denies, whatever else would allow it. Every
 * role it creates or whose policy it writes must carry the boundary (iam:PermissionsBoundary), the
 * boundary cannot be removed, and a role is passed only to its own service (iam:PassedToService).
 */
export function applyStatements(s: ApplyScope): PolicyStatement[] {
  const { region, accountId: account } = s;
  const arn = (service: string, rest: string) => `arn:aws:${service}:${region}:${account}:${rest}`;
  const iamArn = (rest: string) => `arn:aws:iam::${account}:${rest}`;
  const n = s.namePrefix;
  const inRegion = { StringEquals: { 'aws:RequestedRegion': region } };
  const named = (families: TerraformFamily[]) => families.filter((f) => has(s, f)).flatMap((f) => terraformActions(f)).filter((a) => !WILDCARD_ONLY.has(a));
  const wildcardOnly = [...new Set(s.families.flatMap((f) => terraformActions(f)).filter((a) => WILDCARD_ONLY.has(a)))].sort();
  const out: PolicyStatement[] = [...stateStatements(s, true)];
  if (s.targetDeployRoleArns?.length) out.push({ Sid: 'AssumeTargetDeployRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: s.targetDeployRoleArns });
  const network = [...(has(s, 'network') ? terraformActions('network') : []), ...(has(s, 'mgnTemplates') ? TERRAFORM_ACTIONS.mgnTemplates.write.filter((a) => a.startsWith('mgn:')) : [])];
  if (network.length) {
    // VPC pieces, the Resolver's endpoint and its network interfaces, MGN templates (created through
    // CloudFormation with these credentials): known only by generated IDs.
    out.push({ Sid: 'NetworkAndMgnTemplatesInRegion', Effect: 'Allow', Action: [...new Set(network)].sort(), Resource: '*', Condition: inRegion });
  }
  if (wildcardOnly.length) out.push({ Sid: 'ListsInRegion', Effect: 'Allow', Action: wildcardOnly, Resource: '*', Condition: inRegion });
  const byName: Array<[string, TerraformFamily, string | string[]]> = [
    ['CloudFormationStacks', 'mgnTemplates', arn('cloudformation', `stack/${n}*/*`)],
    ['LambdaFunctions', 'functions', arn('lambda', `function:${n}*`)],
    ['StateMachines', 'stateMachines', arn('states', `stateMachine:${n}*`)],
    ['EventRules', 'rules', arn('events', `rule/${n}*`)],
    ['Topics', 'topics', arn('sns', `${n}*`)],
    ['Tables', 'tables', arn('dynamodb', `table/${n}*`)],
    ['Queues', 'queues', arn('sqs', `${n}*`)],
    ['Alarms', 'alarms', arn('cloudwatch', `alarm:${n}*`)],
    ['SsmDocuments', 'documents', [arn('ssm', `document/${n}*`), ...(s.documentNames ?? []).map((d) => arn('ssm', `document/${d}`))]],
    ['Parameters', 'parameters', arn('ssm', `parameter${s.parameterPrefix}*`)],
  ];
  for (const [sid, family, resource] of byName) {
    if (!has(s, family)) continue;
    const actions = named([family]).filter((a) => !(family === 'mgnTemplates' && a.startsWith('mgn:')));
    if (actions.length) out.push({ Sid: sid, Effect: 'Allow', Action: actions, Resource: resource });
  }
  if (has(s, 'logGroups')) {
    const groups = [`/aws/lambda/${n}*`, `/aws/vendedlogs/states/${n}*`, ...(s.logGroupNames ?? [])];
    out.push({ Sid: 'LogGroups', Effect: 'Allow', Action: named(['logGroups']), Resource: groups.flatMap((g) => [arn('logs', `log-group:${g}`), arn('logs', `log-group:${g}:*`)]) });
  }
  if (has(s, 'stateMachineLogDelivery')) {
    // Step Functions checks these account-level log delivery actions (no resource-level permissions) on whoever configures logging.
    out.push({ Sid: 'StateMachineLogDelivery', Effect: 'Allow', Action: [...TERRAFORM_ACTIONS.stateMachineLogDelivery.write], Resource: '*', Condition: inRegion });
  }
  if (s.bucketNames?.length && has(s, 'buckets')) out.push({ Sid: 'Buckets', Effect: 'Allow', Action: terraformActions('buckets'), Resource: s.bucketNames.map((b) => `arn:aws:s3:::${b}`) });
  const roles = s.serviceRoles ?? [];
  if (roles.length) {
    const roleArns = roles.map((r) => iamArn(`role/${r.name}`));
    const boundary = { StringEquals: { 'iam:PermissionsBoundary': s.boundaryPolicyArn } };
    const bounded = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'];
    out.push(
      // Every role apply creates, and every policy it writes on one, carries the estate's boundary.
      { Sid: 'ServiceRolesWithBoundary', Effect: 'Allow', Action: bounded, Resource: roleArns, Condition: boundary },
      { Sid: 'ServiceRoles', Effect: 'Allow', Action: terraformActions('roles').filter((a) => !bounded.includes(a)), Resource: roleArns },
    );
    for (const service of [...new Set(roles.map((r) => r.service).filter((x): x is string => !!x))].sort()) {
      out.push({
        Sid: `Pass${service.split('.')[0].replace(/^./, (c) => c.toUpperCase()).replace(/-(.)/g, (_, c: string) => c.toUpperCase())}Roles`,
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: roles.filter((r) => r.service === service).map((r) => iamArn(`role/${r.name}`)),
        Condition: { StringEquals: { 'iam:PassedToService': service } },
      });
    }
  }
  if (s.readRoleArns?.length) out.push({ Sid: 'ReadRoles', Effect: 'Allow', Action: 'iam:GetRole', Resource: s.readRoleArns });
  if (s.kmsKeys.aliases.length) {
    // CreateKey has no resource: the request must carry the estate's tag, and the key's later
    // management is bound to it.
    const { key, value } = s.kmsKeys.tag;
    const tagged = (kind: 'RequestTag' | 'ResourceTag') => ({ StringEquals: { 'aws:RequestedRegion': region, [`aws:${kind}/${key}`]: value } });
    const keyActions = [
      ...terraformActions('kmsKeys').filter((a) => !['kms:CreateKey', 'kms:ListAliases', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'].includes(a)),
      ...(s.ownKeyGrants ? terraformActions('kmsGrants') : []),
    ];
    out.push(
      { Sid: 'KmsCreateKey', Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*', Condition: tagged('RequestTag') },
      { Sid: 'KmsOwnKeys', Effect: 'Allow', Action: [...keyActions, 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'], Resource: arn('kms', 'key/*'), Condition: tagged('ResourceTag') },
      { Sid: 'KmsAliases', Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'], Resource: s.kmsKeys.aliases.map((a) => arn('kms', a)) },
    );
  }
  if (s.keyGrants?.keys.length) {
    const g = s.keyGrants;
    const byArn = g.keys.filter((k) => k.keyArn).map((k) => k.keyArn!);
    const byAlias = g.keys.filter((k) => !k.keyArn);
    const targets: Array<{ resource: string[]; aliases?: string[] }> = [
      ...(byArn.length ? [{ resource: byArn }] : []),
      ...[...new Set(byAlias.map((k) => k.accountId))].map((a) => ({ resource: [`arn:aws:kms:${region}:${a}:key/*`], aliases: byAlias.filter((k) => k.accountId === a).map((k) => k.alias!) })),
    ];
    targets.forEach((t, i) => {
      const aliases: Record<string, Record<string, string[]>> = t.aliases ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': t.aliases } } : {};
      out.push(
        {
          Sid: `GrantOnTargetKeys${i + 1}`,
          Effect: 'Allow',
          Action: 'kms:CreateGrant',
          Resource: t.resource,
          Condition: { StringEquals: { 'kms:GranteePrincipal': g.grantee }, 'ForAllValues:StringEquals': { 'kms:GrantOperations': g.operations }, ...aliases },
        },
        { Sid: `ManageGrantsOnTargetKeys${i + 1}`, Effect: 'Allow', Action: ['kms:ListGrants', 'kms:RevokeGrant'], Resource: t.resource, ...(t.aliases ? { Condition: aliases } : {}) },
      );
    });
  }
  if (has(s, 'tables')) {
    // A table's read describes the AWS managed key DynamoDB encrypts it with (alias/aws/dynamodb).
    out.push({ Sid: 'AwsManagedKeyOfTables', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: arn('kms', 'key/*'), Condition: { StringEquals: { 'kms:RequestAlias': 'alias/aws/dynamodb' } } });
  }
  if (s.serviceLinkedRoles?.length) {
    const slr = s.serviceLinkedRoles.map((svc) => iamArn(`role/aws-service-role/${svc}/*`));
    out.push(
      { Sid: 'CreateServiceLinkedRoles', Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: slr, Condition: { StringEquals: { 'iam:AWSServiceName': s.serviceLinkedRoles } } },
      { Sid: 'ServiceLinkedRoles', Effect: 'Allow', Action: [...TERRAFORM_ACTIONS.serviceLinkedRoles.write.filter((a) => a !== 'iam:CreateServiceLinkedRole'), 'iam:GetRole'], Resource: slr },
    );
  }
  out.push(
    {
      Sid: 'DenyBootstrapChanges',
      Effect: 'Deny',
      NotAction: ['iam:Get*', 'iam:List*'],
      Resource: s.protectedArns,
    },
    { Sid: 'DenyBoundaryRemoval', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
    { Sid: 'DenyOtherBoundaries', Effect: 'Deny', Action: ['iam:PutRolePermissionsBoundary', 'iam:CreateRole'], Resource: '*', Condition: { StringNotEquals: { 'iam:PermissionsBoundary': s.boundaryPolicyArn } } },
  );
  if (s.protectedKeyAliases?.length) {
    out.push({
      Sid: 'DenyBootstrapKeyChanges',
      Effect: 'Deny',
      NotAction: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': s.protectedKeyAliases } },
    });
  }
  return out;
}
