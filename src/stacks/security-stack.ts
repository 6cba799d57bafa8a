import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { KEPT_ESTATE_CHARS } from '../constructs/automation/names';
import { EbsKey } from '../constructs/ebs-key';
import { documentDefaults } from '../config/bootstrap-documents';
import { workflowRoleNamePrefix } from '../config/resource-names';
import { ApplyScope, GithubOidcRoles } from '../constructs/github-oidc-roles';
import { BOOTSTRAP_DOCUMENTS, SsmBootstrapDocuments } from '../constructs/ssm-bootstrap-documents';
import { targetAccountProvider } from '../constructs/target-account-provider';
import { ebsKeyAlias, importBucketName, VMIMPORT_ROLE_NAME } from '../vm-import/naming';
import { ESTATE_TAG, FactoryStack, FactoryStackProps, estateTags } from './factory-stack';

/** The EBS key of one target account, as other stacks (and the automation stack) consume it. */
export interface EbsKeyRef {
  readonly keyArn: string;
  readonly aliasName: string;
  readonly accountId: string;
}

/** KMS keys and grants, SSM bootstrap documents and the workflow roles. */
export class SecurityStack extends FactoryStack {
  /** EBS key per target account name (cdktf turns these into cross-stack references). */
  public readonly ebsKeys: Record<string, EbsKeyRef> = {};
  /** AWS provider per target account name (the default provider for the staging account itself). */
  public readonly targetProviders: Record<string, AwsProvider> = {};
  /** The bootstrap documents and their log group. */
  public readonly bootstrap: SsmBootstrapDocuments;
  /** Workflow roles; undefined when factory.yaml has no github section. */
  public readonly workflowRoles?: GithubOidcRoles;

  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'security', props);
    const c = this.config;
    const grantCommands: Record<string, Record<string, string>> = {};
    for (const t of c.accounts.targets) {
      const provider =
        t.accountId === c.accounts.staging
          ? this.provider
          : targetAccountProvider(this, `target-${t.name}`, {
              accountId: t.accountId,
              region: c.region,
              roleName: t.deployRoleName,
              planRoleName: t.planRoleName,
              tags: estateTags(c, 'security'),
            });
      this.targetProviders[t.name] = provider;
      const aliasName = ebsKeyAlias(c, t);
      if (t.kms.existingKeyArn) {
        const owner = t.kms.existingKeyArn.split(':')[4];
        if (owner !== t.accountId) {
          throw new Error(`accounts.targets "${t.name}": kms.existingKeyArn belongs to account ${owner}, expected the target account ${t.accountId} (key material stays in its account)`);
        }
        this.ebsKeys[t.name] = { keyArn: t.kms.existingKeyArn, aliasName: t.kms.alias ?? '', accountId: t.accountId };
        continue;
      }
      const key = new EbsKey(this, `ebs-key-${t.name}`, {
        provider: provider === this.provider ? undefined : provider,
        accountId: t.accountId,
        region: c.region,
        alias: aliasName,
        mgnAccountId: c.accounts.staging,
        adminPrincipals: t.kms.adminPrincipals,
        crossAccountPrincipals: t.kms.crossAccountPrincipals,
        deletionWindowDays: t.kms.deletionWindowDays,
        createAutoScalingRole: t.kms.createAutoScalingRole,
        grants: t.kms.grants,
        description: `EBS volumes of servers migrated by ${c.name} into ${t.name} (${t.accountId})`,
      });
      this.ebsKeys[t.name] = { keyArn: key.keyArn, aliasName, accountId: t.accountId };
      if (Object.keys(key.autoScalingGrantCommands).length) grantCommands[t.name] = key.autoScalingGrantCommands;
    }
    if (Object.keys(grantCommands).length) {
      new TerraformOutput(this, 'auto_scaling_grant_commands', {
        value: grantCommands,
        description: 'Per target key and cross-account account ID: the command that account runs to give its AWSServiceRoleForAutoScaling a grant on the key',
      });
    }
    this.bootstrap = new SsmBootstrapDocuments(this, 'bootstrap', {
      namePrefix: `${c.name}`,
      documents: BOOTSTRAP_DOCUMENTS,
      parameterDefaults: documentDefaults(c.bootstrap),
      logGroupName: c.bootstrap.logGroupName,
      logRetentionDays: c.bootstrap.logRetentionDays,
    });

    if (c.github) {
      const s3 = 's3' in c.backend ? c.backend.s3 : undefined;
      const crossAccount = c.accounts.targets.filter((t) => t.accountId !== c.accounts.staging);
      const role = (t: (typeof crossAccount)[number], name: string) => `arn:aws:iam::${t.accountId}:role/${name}`;
      this.workflowRoles = new GithubOidcRoles(this, 'workflow-roles', {
        repository: c.github.repository,
        branch: c.github.branch,
        applyEnvironment: c.github.applyEnvironment,
        cutoverEnvironment: c.github.cutoverEnvironment,
        createProvider: c.github.createOidcProvider,
        accountId: c.accounts.staging,
        region: c.region,
        namePrefix: workflowRoleNamePrefix(c.github.roleNamePrefix, c.name),
        targetDeployRoleArns: crossAccount.map((t) => role(t, t.deployRoleName)),
        targetPlanRoleArns: crossAccount.map((t) => role(t, t.planRoleName)),
        applyScope: applyScope(c),
        stateBackend: s3 ? { bucket: s3.bucket, keyPrefix: s3.keyPrefix, dynamodbTable: s3.locking === 'dynamodb' ? s3.dynamodbTable : undefined } : undefined,
        ssmDocumentArns: Object.values(this.bootstrap.documents).map((d) => d!.arn),
      });
      new TerraformOutput(this, 'workflow_role_arns', {
        value: { plan: this.workflowRoles.plan.arn, apply: this.workflowRoles.apply.arn, cutover: this.workflowRoles.cutover.arn },
        description: 'Roles the GitHub workflows assume (aws-actions/configure-aws-credentials role-to-assume)',
      });
    }
    new TerraformOutput(this, 'bootstrap_documents', { value: this.bootstrap.documentNames, description: 'SSM documents of the post-launch bootstrap' });
    new TerraformOutput(this, 'ebs_keys', {
      value: Object.fromEntries(Object.entries(this.ebsKeys).map(([n, k]) => [n, { key_arn: k.keyArn, alias: k.aliasName, account_id: k.accountId }])),
      description: 'Customer managed EBS key per target account',
    });
  }
}

/** What the apply role manages: the names every stack of the estate gives its resources. */
export function applyScope(c: FactoryStackProps['config']): ApplyScope {
  const inStaging = c.accounts.targets.filter((t) => t.accountId === c.accounts.staging);
  const keys = inStaging.filter((t) => !t.kms.existingKeyArn);
  const automation = c.automation.amiReEncryption.enabled || c.automation.amiSwap.enabled;
  return {
    // Longer estate names are cut to KEPT_ESTATE_CHARS in the automation stack's names (boundedName).
    namePrefix: c.name.length <= KEPT_ESTATE_CHARS ? `${c.name}-` : c.name.slice(0, KEPT_ESTATE_CHARS),
    parameterPrefix: `/rehost-factory/${c.name}/`,
    logGroupNames: [c.bootstrap.logGroupName],
    roleNames: c.vmImport.enabled ? [VMIMPORT_ROLE_NAME] : [],
    bucketNames: c.vmImport.enabled ? [importBucketName(c)] : [],
    kmsKeys: keys.length ? { aliases: keys.map((t) => ebsKeyAlias(c, t)), tag: { key: ESTATE_TAG, value: c.name } } : undefined,
    serviceLinkedRoles: keys.some((t) => t.kms.createAutoScalingRole) ? ['autoscaling.amazonaws.com'] : [],
    stateMachineLogDelivery: automation,
  };
}
