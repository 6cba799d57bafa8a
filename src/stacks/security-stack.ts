import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { EbsKey } from '../constructs/ebs-key';
import { targetAccountProvider } from '../constructs/target-account-provider';
import { FactoryStack, FactoryStackProps, estateTags } from './factory-stack';

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

  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'security', props);
    const c = this.config;
    for (const t of c.accounts.targets) {
      const provider =
        t.accountId === c.accounts.staging
          ? this.provider
          : targetAccountProvider(this, `target-${t.name}`, { accountId: t.accountId, region: c.region, roleName: t.deployRoleName, tags: estateTags(c, 'security') });
      this.targetProviders[t.name] = provider;
      const aliasName = t.kms.alias ?? `alias/rehost-factory/${c.name}/${t.name}`;
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
        grants: t.kms.grants,
        description: `EBS volumes of servers migrated by ${c.name} into ${t.name} (${t.accountId})`,
      });
      this.ebsKeys[t.name] = { keyArn: key.keyArn, aliasName, accountId: t.accountId };
    }
    new TerraformOutput(this, 'ebs_keys', {
      value: Object.fromEntries(Object.entries(this.ebsKeys).map(([n, k]) => [n, { key_arn: k.keyArn, alias: k.aliasName, account_id: k.accountId }])),
      description: 'Customer managed EBS key per target account',
    });
  }
}
