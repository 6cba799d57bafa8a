import { DataAwsKmsKey } from '@cdktf/provider-aws/lib/data-aws-kms-key';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { ImportBucket, VmImportRole } from '../constructs/vm-import';
import { importBucketName, importKeyAliasId, importTargetAccount, VMIMPORT_ROLE_NAME } from '../vm-import/naming';
import { FactoryStack, FactoryStackProps } from './factory-stack';
import type { EbsKeyRef } from './security-stack';

export interface VmImportStackProps extends FactoryStackProps {
  /**
   * EBS keys per target account name (SecurityStack.ebsKeys). The bucket and the imports use the key of
   * `vmImport.targetAccount`.
   * @default looked up by the key's alias (`kms.alias`, else alias/rehost-factory/<estate>/<account>), as an alias ARN when the target is not the staging account
   */
  readonly ebsKeys?: Record<string, EbsKeyRef>;
}

/** The VM Import bucket and the vmimport service role (only when vmImport.enabled). */
export class VmImportStack extends FactoryStack {
  public readonly bucket?: ImportBucket;
  public readonly role?: VmImportRole;

  constructor(scope: Construct, props: VmImportStackProps) {
    super(scope, 'vm-import', props);
    const config = props.config;
    const settings = config.vmImport;
    if (!settings.enabled) return;
    const kmsKeyArn = this.targetKeyArn(props);
    this.bucket = new ImportBucket(this, 'import-bucket', {
      bucketName: importBucketName(config),
      kmsKeyArn,
      abortIncompleteUploadsAfterDays: settings.bucket.abortIncompleteUploadsAfterDays,
      expireImagesAfterDays: settings.bucket.expireImagesAfterDays,
      imagePrefix: settings.bucket.prefix,
    });
    this.role = new VmImportRole(this, 'vmimport-role', { roleName: VMIMPORT_ROLE_NAME, kmsKeyArns: [kmsKeyArn] });
    this.bucket.grantRead(this.role.roleName);
    new TerraformOutput(this, 'import_bucket', { value: this.bucket.bucketName });
    new TerraformOutput(this, 'vmimport_role', { value: this.role.roleName });
    new TerraformOutput(this, 'import_kms_key_arn', { value: kmsKeyArn });
  }

  private targetKeyArn(props: VmImportStackProps): string {
    const config = props.config;
    if (config.vmImport.kmsKeyArn) return config.vmImport.kmsKeyArn;
    const target = importTargetAccount(config);
    const fromSecurity = props.ebsKeys?.[target.name];
    if (fromSecurity) return fromSecurity.keyArn;
    if (target.kms.existingKeyArn) return target.kms.existingKeyArn;
    return new DataAwsKmsKey(this, 'target-key', { keyId: importKeyAliasId(config, target) }).arn;
  }
}
