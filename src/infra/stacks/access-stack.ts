import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { ebsKeyAlias, importBucketName, VMIMPORT_ROLE_NAME } from '../../config/vm-import-names';
import { KEPT_ESTATE_CHARS } from '../../config/bounded-name';
import { bootstrapDocumentName, bootstrapDocumentPrefix } from '../../config/resource-names';
import {
  amiSwapStatements,
  recoverStatements,
  reEncryptionStatements,
  resolveBackupTargetStatements,
  resolveSourceImageStatements,
  retentionStatements,
} from '../constructs/automation/policies';
import { STATE_MACHINE_LOG_DELIVERY } from '../constructs/automation/pipeline-state-machine';
import { BootstrapSecretsKey } from '../constructs/bootstrap-secrets-key';
import { autoScalingRoleArn, EBS_GRANT_OPERATIONS } from '../constructs/ebs-key';
import { GITHUB_OIDC_HOST, GithubOidcRoles, WorkflowRole } from '../constructs/github-oidc-roles';
import { allowedActions, PermissionsBoundary } from '../constructs/permissions-boundary';
import { PolicyStatement } from '../constructs/policy-document';
import { targetAccountRoles } from '../constructs/target-account-roles';
import { VMIMPORT_ROLE_ACTIONS } from '../constructs/vm-import/vmimport-role';
import { applyStatements, ApplyScope } from '../constructs/workflow-policies/apply';
import { cutoverStatements, DescribedKey } from '../constructs/workflow-policies/cutover';
import { planStatements, StateBackendAccess } from '../constructs/workflow-policies/plan';
import { TerraformFamily } from '../constructs/workflow-policies/terraform-actions';
import { vmImportStatements } from '../constructs/workflow-policies/vm-import';
import { instanceProfiles } from './automation-stack';
import { estateNames } from './estate-names';
import { ESTATE_TAG, FactoryStack, FactoryStackProps } from './factory-stack';
import { FLOW_LOG_ROLE_ACTIONS } from './network-stack';

/** MGN's default role of launched instances when a placement names no instance profile (created by MGN's initialization). */
export const MGN_LAUNCH_INSTANCE_ROLE = 'AWSApplicationMigrationLaunchInstanceWithSsmRole';

type Config = FactoryStackProps['config'];

/**
 * What only an administrator applies, once and when the estate's access changes (the bootstrap): the
 * GitHub OIDC provider, the four workflow roles, the permissions boundary every role the apply role
 * creates must carry, and the key of the bootstrap secrets. The apply role cannot change any of it
 * (explicit denies in its own policy), so no workflow can widen its own or another workflow's
 * rights. The stack has no references to the others: every policy is written from the estate file.
 * Outputs: the workflow role ARNs and the generated trust and permission policies of each target
 * account's deploy and plan roles.
 */
export class AccessStack extends FactoryStack {
  public readonly boundary: PermissionsBoundary;
  public readonly workflowRoles?: GithubOidcRoles;
  public readonly secretsKey?: BootstrapSecretsKey;

  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'access', props);
    const c = this.config;
    const names = estateNames(c);
    this.boundary = new PermissionsBoundary(this, 'boundary', { name: names.boundaryPolicy, actions: boundaryActions(c) });
    const ad = c.bootstrap.activeDirectory;
    if (ad) {
      this.secretsKey = new BootstrapSecretsKey(this, 'bootstrap-secrets-key', {
        accountId: c.accounts.staging,
        region: c.region,
        alias: names.bootstrapSecretsKeyAlias,
        parameterNames: [ad.passwordParameter],
        instanceRoleArns: launchedInstanceRoles(c),
      });
      new TerraformOutput(this, 'bootstrap_secrets_key', {
        value: { key_arn: this.secretsKey.keyArn, alias: names.bootstrapSecretsKeyAlias, parameter: ad.passwordParameter },
        description: 'Key to encrypt the Active Directory join password with (aws ssm put-parameter --type SecureString --key-id <alias>)',
      });
    }
    new TerraformOutput(this, 'permissions_boundary', { value: this.boundary.policy.arn, description: 'Boundary every role the apply workflow creates carries' });
    if (!c.github) return;
    const g = c.github;
    this.workflowRoles = new GithubOidcRoles(this, 'workflow-roles', {
      repository: g.repository,
      branch: g.branch,
      applyEnvironment: g.applyEnvironment,
      cutoverEnvironment: g.cutoverEnvironment,
      vmImportEnvironment: g.vmImportEnvironment,
      createProvider: g.createOidcProvider,
      accountId: c.accounts.staging,
      namePrefix: names.rolePrefix,
      statements: workflowStatements(c),
    });
    const roles = this.workflowRoles.roles;
    new TerraformOutput(this, 'workflow_role_arns', {
      value: { plan: roles.plan.arn, apply: roles.apply.arn, cutover: roles.cutover.arn, vm_import: roles['vm-import'].arn },
      description: 'Roles the GitHub workflows assume (REHOST_PLAN_ROLE_ARN, REHOST_APPLY_ROLE_ARN, REHOST_CUTOVER_ROLE_ARN, REHOST_VMIMPORT_ROLE_ARN)',
    });
    const targets = targetAccountRoleSpecs(c);
    if (Object.keys(targets).length) {
      new TerraformOutput(this, 'target_account_roles', {
        value: targets,
        description: 'Per target account: the deploy and plan roles to create there (name, trust policy, permission policy)',
      });
    }
  }
}

/** A role an administrator of a target account creates: its name, trust policy and permission policy (JSON). */
export interface TargetAccountRoleSpec {
  readonly name: string;
  readonly trust_policy: string;
  readonly policy: string;
}

/**
 * The minimal deploy and plan role of each target account other than the staging account, by the
 * target's name: what the access stack outputs (target_account_roles) and synth writes to
 * cdktf.out/target-account-roles/<name>.json. Literal policies: no Terraform references.
 */
export function targetAccountRoleSpecs(c: Config): Record<string, { account_id: string; deploy_role: TargetAccountRoleSpec; plan_role: TargetAccountRoleSpec }> {
  return Object.fromEntries(
    c.accounts.targets
      .filter((t) => t.accountId !== c.accounts.staging)
      .map((t) => {
        const gen = targetAccountRoles({
          accountId: t.accountId,
          region: c.region,
          applyRoleArn: roleArn(c, 'apply'),
          planRoleArn: roleArn(c, 'plan'),
          tag: { key: ESTATE_TAG, value: c.name },
          alias: ebsKeyAlias(c, t),
          existingKeyArn: t.kms.existingKeyArn,
          createAutoScalingRole: t.kms.createAutoScalingRole,
          grants: !!t.kms.grants?.length,
        });
        return [
          t.name,
          {
            account_id: t.accountId,
            deploy_role: { name: t.deployRoleName, trust_policy: JSON.stringify(gen.deploy.trust), policy: JSON.stringify(gen.deploy.policy) },
            plan_role: { name: t.planRoleName, trust_policy: JSON.stringify(gen.plan.trust), policy: JSON.stringify(gen.plan.policy) },
          },
        ];
      }),
  );
}

/** ARN of a workflow role of the estate. */
export function roleArn(c: Config, kind: WorkflowRole): string {
  return `arn:aws:iam::${c.accounts.staging}:role/${estateNames(c).workflowRole(kind)}`;
}

/** Roles of the launched servers: their instance profiles' roles (named like the profile) and MGN's default one. */
export function launchedInstanceRoles(c: Config): string[] {
  return [...instanceProfiles(c), MGN_LAUNCH_INSTANCE_ROLE].map((n) => `arn:aws:iam::${c.accounts.staging}:role/${n}`);
}

/** The families of Terraform resources each stack of the estate has. */
export function estateFamilies(c: Config): { apply: TerraformFamily[]; access: TerraformFamily[] } {
  const automation = c.automation.amiReEncryption.enabled || c.automation.amiSwap.enabled;
  const inStaging = c.accounts.targets.filter((t) => t.accountId === c.accounts.staging);
  const apply: TerraformFamily[] = ['network', 'logGroups', 'roles', 'kmsKeys', 'documents', 'mgnTemplates'];
  if (c.bootstrap.postLaunch.some((p) => Object.keys(p.parameters).length)) apply.push('parameters');
  // Grants on keys: the staging account's target keys' own grants, or the Auto Scaling grant the security stack makes for the AMI swap.
  const swapGrant = c.automation.amiSwap.enabled && c.accounts.targets.some((t) => t.accountId !== c.accounts.staging);
  if (inStaging.some((t) => t.kms.grants?.length) || swapGrant) apply.push('kmsGrants');
  if (inStaging.some((t) => t.kms.createAutoScalingRole)) apply.push('serviceLinkedRoles');
  if (automation) apply.push('functions', 'stateMachines', 'stateMachineLogDelivery', 'rules', 'topics', 'queues', 'tables', 'alarms');
  if (c.vmImport.enabled) apply.push('buckets');
  const access: TerraformFamily[] = ['roles', 'managedPolicies', ...(c.bootstrap.activeDirectory ? (['kmsKeys'] as const) : []), ...(c.github?.createOidcProvider ? (['oidcProvider'] as const) : [])];
  return { apply, access };
}

/** Every action a role the apply role creates may need: the boundary. */
export function boundaryActions(c: Config): string[] {
  const r = { partition: 'aws', region: c.region, accountId: c.accounts.staging, claimsTableArn: '*', topicArn: '*', topicKeyArn: '*', functionArns: ['*'], estate: c.name };
  const a = c.automation;
  const statements: PolicyStatement[] = [
    // The flow log delivery role, in every estate (network stack).
    { Effect: 'Allow', Action: [...FLOW_LOG_ROLE_ACTIONS], Resource: '*' },
  ];
  if (a.amiReEncryption.enabled || a.amiSwap.enabled) {
    statements.push(
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'states:StartExecution', ...STATE_MACHINE_LOG_DELIVERY], Resource: '*' },
      ...recoverStatements({ ...r, amiSwap: a.amiSwap.enabled, reEncryption: a.amiReEncryption.enabled }),
    );
  }
  if (a.amiReEncryption.enabled) {
    statements.push(...reEncryptionStatements({ ...r, targetKeyArns: ['*'], sourceImageTagKey: a.amiReEncryption.sourceImageTagKey, deregisterSource: a.amiReEncryption.deregisterSource }), ...resolveSourceImageStatements());
  }
  if (a.amiSwap.enabled) {
    statements.push(...amiSwapStatements({ ...r, sysprepDocument: a.amiSwap.sysprepDocument, targetKeyArns: ['*'] }), ...resolveBackupTargetStatements(), ...retentionStatements({ partition: 'aws', region: c.region }));
  }
  if (c.vmImport.enabled) statements.push({ Effect: 'Allow', Action: Object.values(VMIMPORT_ROLE_ACTIONS).flat(), Resource: '*' });
  return allowedActions(statements);
}

/** Roles the stacks create: each with the boundary, each passed only to its service. */
export function serviceRoles(c: Config): ApplyScope['serviceRoles'] {
  const names = estateNames(c);
  return [
    { name: names.flowLogRole, service: 'vpc-flow-logs.amazonaws.com' },
    ...names.automationRoles(),
    ...(c.vmImport.enabled ? [{ name: VMIMPORT_ROLE_NAME }] : []),
  ];
}

function stateBackend(c: Config): StateBackendAccess | undefined {
  if (!('s3' in c.backend)) return undefined;
  const s3 = c.backend.s3;
  return { bucket: s3.bucket, keyPrefix: s3.keyPrefix, region: s3.region ?? c.region, dynamodbTable: s3.locking === 'dynamodb' ? s3.dynamodbTable : undefined };
}

/** The EBS key of each target account as the workflows name it: by alias (ARN, in that account) or configured ARN. */
export function targetKeys(c: Config): DescribedKey[] {
  return c.accounts.targets.map((t) => (t.kms.existingKeyArn ? { accountId: t.accountId, keyArn: t.kms.existingKeyArn } : { accountId: t.accountId, alias: ebsKeyAlias(c, t) }));
}

/** The permissions of the four workflow roles. */
export function workflowStatements(c: Config): Record<WorkflowRole, PolicyStatement[]> {
  const names = estateNames(c);
  const account = c.accounts.staging;
  const region = c.region;
  const namePrefix = c.name.length <= KEPT_ESTATE_CHARS ? `${c.name}-` : c.name.slice(0, KEPT_ESTATE_CHARS);
  const parameterPrefix = `/rehost-factory/${c.name}/`;
  const crossAccount = c.accounts.targets.filter((t) => t.accountId !== account);
  const inStaging = c.accounts.targets.filter((t) => t.accountId === account);
  const families = estateFamilies(c);
  const state = stateBackend(c);
  const secretsKey = c.bootstrap.activeDirectory ? [names.bootstrapSecretsKeyAlias] : [];
  const swapReadsStagingRole = c.automation.amiSwap.enabled && crossAccount.length > 0;
  const readsOwnRole = inStaging.some((t) => !t.kms.existingKeyArn && !t.kms.createAutoScalingRole);
  const plan = planStatements({
    accountId: account,
    region,
    families: [...new Set([...families.apply, ...families.access])],
    parameterPrefix,
    namePrefix,
    stateBackend: state,
    targetPlanRoleArns: crossAccount.map((t) => `arn:aws:iam::${t.accountId}:role/${t.planRoleName}`),
  });
  const apply = applyStatements({
    accountId: account,
    region,
    namePrefix,
    parameterPrefix,
    families: families.apply,
    documentNames: bootstrapDocumentPrefix(c).startsWith(namePrefix) ? undefined : Object.values(names.documents),
    logGroupNames: [c.bootstrap.logGroupName, names.flowLogGroup],
    serviceRoles: serviceRoles(c),
    boundaryPolicyArn: `arn:aws:iam::${account}:policy/${names.boundaryPolicy}`,
    protectedArns: [
      ...(['plan', 'apply', 'cutover', 'vm-import'] as const).map((k) => roleArn(c, k)),
      // The boundary and the workflow roles' managed policies.
      `arn:aws:iam::${account}:policy/${names.rolePrefix}-*`,
      `arn:aws:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}`,
    ],
    protectedKeyAliases: secretsKey,
    bucketNames: c.vmImport.enabled ? [importBucketName(c)] : [],
    kmsKeys: { aliases: [names.estateKeyAlias, ...inStaging.filter((t) => !t.kms.existingKeyArn).map((t) => ebsKeyAlias(c, t))], tag: { key: ESTATE_TAG, value: c.name } },
    ownKeyGrants: inStaging.some((t) => t.kms.grants?.length),
    serviceLinkedRoles: inStaging.some((t) => t.kms.createAutoScalingRole) ? ['autoscaling.amazonaws.com'] : [],
    readRoleArns: swapReadsStagingRole || readsOwnRole ? [autoScalingRoleArn(account)] : [],
    keyGrants: swapReadsStagingRole
      ? { keys: targetKeys(c).filter((k) => k.accountId !== account), grantee: autoScalingRoleArn(account), operations: EBS_GRANT_OPERATIONS }
      : undefined,
    stateBackend: state,
    targetDeployRoleArns: crossAccount.map((t) => `arn:aws:iam::${t.accountId}:role/${t.deployRoleName}`),
  });
  const servers = c.waves.flatMap((w) => w.applications.flatMap((a) => a.servers));
  const cutover = cutoverStatements({
    accountId: account,
    region,
    estate: c.name,
    sourceServerIds: servers.every((s) => s.sourceServerId) ? servers.map((s) => s.sourceServerId!) : undefined,
    documentNames: c.bootstrap.postLaunch.map((p) => bootstrapDocumentName(bootstrapDocumentPrefix(c), p.document)),
    instanceProfiles: instanceProfiles(c),
    keys: targetKeys(c),
  });
  const importTarget = c.accounts.targets.find((t) => t.name === (c.vmImport.targetAccount ?? c.accounts.targets[0].name)) ?? c.accounts.targets[0];
  const vmImport: PolicyStatement[] = c.vmImport.enabled
    ? vmImportStatements({
        accountId: account,
        region,
        bucket: importBucketName(c),
        imagePrefix: c.vmImport.bucket.prefix,
        bucketKey: { accountId: account, alias: names.estateKeyAlias },
        vmimportRoleName: VMIMPORT_ROLE_NAME,
        targetKey: c.vmImport.kmsKeyArn
          ? { accountId: c.vmImport.kmsKeyArn.split(':')[4], keyArn: c.vmImport.kmsKeyArn }
          : importTarget.kms.existingKeyArn
            ? { accountId: importTarget.accountId, keyArn: importTarget.kms.existingKeyArn }
            : { accountId: importTarget.accountId, alias: ebsKeyAlias(c, importTarget) },
        instanceRoleArns: instanceProfiles(c).map((n) => `arn:aws:iam::${account}:role/${n}`),
        instanceRoleTag: { key: ESTATE_TAG, value: c.name },
      })
    : [{ Sid: 'VmImportDisabled', Effect: 'Deny', Action: '*', Resource: '*' }];
  return { plan, apply, cutover, 'vm-import': vmImport };
}
