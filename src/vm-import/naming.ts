import { basename } from 'node:path';
import { FactoryConfig, TargetAccount } from '../config/schema';

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

/** The service role VM Import assumes; the name is fixed by the service. */
export const VMIMPORT_ROLE_NAME = 'vmimport';
