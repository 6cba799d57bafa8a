import { basename } from 'node:path';
import { FactoryConfig, TargetAccount } from './schema';

/** The import bucket of the estate: configured, else `<estate>-vm-import-<staging account>` (globally unique). */
export function importBucketName(config: FactoryConfig): string {
  return config.vmImport.bucket.name ?? `${config.name}-vm-import-${config.accounts.staging}`;
}

/** The object key of an image: `<prefix><server or file stem>/<file name>`. */
export function importObjectKey(config: FactoryConfig, imagePath: string, server?: string): string {
  const file = basename(imagePath);
  const folder = server ?? file.replace(/\.[^.]+$/, '');
  return `${config.vmImport.bucket.prefix}${folder}/${file}`;
}

/** The target account whose EBS key encrypts imports: vmImport.targetAccount, else the first target. */
export function importTargetAccount(config: FactoryConfig): TargetAccount {
  const wanted = config.vmImport.targetAccount;
  const targets = config.accounts.targets;
  if (!wanted) return targets[0];
  const found = targets.find((t) => t.name === wanted);
  if (!found) {
    throw new Error(`vmImport.targetAccount: "${wanted}" is not a target account (expected one of ${targets.map((t) => t.name).join(', ')})`);
  }
  return found;
}

/** The alias the security stack gives a target account's EBS key unless one is configured. */
export function ebsKeyAlias(config: FactoryConfig, target: TargetAccount): string {
  return target.kms.alias ?? `alias/rehost-factory/${config.name}/${target.name}`;
}

/** The partition of a Region, for ARNs built here. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * How the importing (staging) account names a target account's EBS key by its alias. An alias name
 * resolves only in the caller's own account, so DescribeKey and ImportImage could never find another
 * account's key by `alias/...`; KMS accepts an alias ARN for a key of another account.
 */
export function importKeyAliasId(config: FactoryConfig, target: TargetAccount): string {
  const alias = ebsKeyAlias(config, target);
  if (target.accountId === config.accounts.staging) return alias;
  return `arn:${partitionOf(config.region)}:kms:${config.region}:${target.accountId}:${alias}`;
}

/** The service role VM Import assumes; the name is fixed by the service. */
export const VMIMPORT_ROLE_NAME = 'vmimport';
