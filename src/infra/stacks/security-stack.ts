import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { KEPT_ESTATE_CHARS } from '../../config/bounded-name';
import { EbsKey } from '../constructs/ebs-key';
import { documentDefaults } from '../../config/bootstrap-documents';
import { automationNames, bootstrapDocumentPrefix } from '../../config/resource-names';
import { EstateKey } from '../constructs/estate-key';
import { BOOTSTRAP_DOCUMENTS, SsmBootstrapDocuments } from '../constructs/ssm-bootstrap-documents';
import { targetAccountProvider } from '../constructs/target-account-provider';
import { ebsKeyAlias, importTargetAccount, VMIMPORT_ROLE_NAME } from '../../config/vm-import-names';
import { roleArn } from './access-stack';
import { estateNames } from './estate-names';
import { FactoryStack, FactoryStackProps, estateTags } from './factory-stack';

/** The EBS key of one target account, as other stacks (and the automation stack) consume it. */
export interface EbsKeyRef {
  readonly keyArn: string;
  readonly aliasName: string;
  readonly accountId: string;
}

/** The EBS key of each target account, the estate's own key, the SSM bootstrap documents and their log group. */
export class SecurityStack extends FactoryStack {
  /** EBS key per target account name (cdktf turns these into cross-stack references). */
  public readonly ebsKeys: Record<string, EbsKeyRef> = {};
  /** AWS provider per target account name (the default provider for the staging account itself). */
  public readonly targetProviders: Record<string, AwsProvider> = {};
  /** The bootstrap documents and their log group. */
  public readonly bootstrap: SsmBootstrapDocuments;
  /** The staging account's key of the estate's log groups, notification topic and import bucket. */
  public readonly estateKey: EstateKey;
  public readonly estateKeyArn: string;

  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'security', props);
    const c = this.config;
    const names = estateNames(c);
    const automation = automationNames(c.name);
    const n = c.name.length <= KEPT_ESTATE_CHARS ? `${c.name}-` : c.name.slice(0, KEPT_ESTATE_CHARS);
    this.estateKey = new EstateKey(this, 'estate-key', {
      accountId: c.accounts.staging,
      region: c.region,
      alias: names.estateKeyAlias,
      logGroups: [`/aws/lambda/${n}*`, `/aws/vendedlogs/states/${n}*`, c.bootstrap.logGroupName],
      alarms: [automation.deadLetters],
    });
    this.estateKeyArn = this.estateKey.keyArn;
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
        mgnAccountAutoScaling: c.automation.amiSwap.enabled,
        mgnAccountGrantManager: c.github ? roleArn(c, 'apply') : undefined,
        mgnAccountGrantReaders: c.github ? [roleArn(c, 'plan'), roleArn(c, 'apply')] : undefined,
        describers: c.github ? [roleArn(c, 'cutover'), roleArn(c, 'vm-import')] : [],
        vmImportRoleArn: c.vmImport.enabled && importTargetAccount(c).name === t.name && !c.vmImport.kmsKeyArn ? `arn:aws:iam::${c.accounts.staging}:role/${VMIMPORT_ROLE_NAME}` : undefined,
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
      namePrefix: bootstrapDocumentPrefix(c),
      documents: BOOTSTRAP_DOCUMENTS,
      parameterDefaults: documentDefaults(c.bootstrap),
      logGroupName: c.bootstrap.logGroupName,
      logRetentionDays: c.bootstrap.logRetentionDays,
      logKmsKeyArn: this.estateKey.keyArn,
    });

    new TerraformOutput(this, 'bootstrap_documents', { value: this.bootstrap.documentNames, description: 'SSM documents of the post-launch bootstrap' });
    new TerraformOutput(this, 'estate_key', { value: { key_arn: this.estateKey.keyArn, alias: names.estateKeyAlias }, description: 'Key of the estate\'s log groups, notifications and VM Import bucket' });
    new TerraformOutput(this, 'ebs_keys', {
      value: Object.fromEntries(Object.entries(this.ebsKeys).map(([n, k]) => [n, { key_arn: k.keyArn, alias: k.aliasName, account_id: k.accountId }])),
      description: 'Customer managed EBS key per target account',
    });
  }
}
