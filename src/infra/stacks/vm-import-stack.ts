import { DataAwsKmsKey } from '@cdktf/provider-aws/lib/data-aws-kms-key';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { ImportBucket, VmImportRole } from '../constructs/vm-import';
import { importBucketName, importKeyAliasId, importTargetAccount, VMIMPORT_ROLE_NAME } from '../../config/vm-import-names';
import { estateNames } from './estate-names';
import { FactoryStack, FactoryStackProps } from './factory-stack';
import type { EbsKeyRef } from './security-stack';

export interface VmImportStackProps extends FactoryStackProps {
  /**
   * EBS keys per target account name (SecurityStack.ebsKeys). The bucket and the imports use the key of
   * `vmImport.targetAccount`.
   * @default looked up by the key's alias (`kms.alias`, else alias/rehost-factory/<estate>/<account>), as an alias ARN when the target is not the staging account
   */
  readonly ebsKeys?: Record<string, EbsKeyRef>;
  /**
   * Staging-account key of the bucket's default encryption (SecurityStack.estateKeyArn): the uploader
   * and VM Import (as the vmimport role) use it through S3 in the account that owns the bucket.
   * @default the target EBS key (which then needs a key policy for S3 use by the staging account)
   */
  readonly estateKeyArn?: string;
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
    const bucketKeyArn = props.estateKeyArn ?? kmsKeyArn;
    this.bucket = new ImportBucket(this, 'import-bucket', {
      bucketName: importBucketName(config),
      kmsKeyArn: bucketKeyArn,
      abortIncompleteUploadsAfterDays: settings.bucket.abortIncompleteUploadsAfterDays,
      expireImagesAfterDays: settings.bucket.expireImagesAfterDays,
      imagePrefix: settings.bucket.prefix,
    });
    this.role = new VmImportRole(this, 'vmimport-role', {
      roleName: VMIMPORT_ROLE_NAME,
      kmsKeyArns: [kmsKeyArn],
      bucket: { arn: this.bucket.bucketArn, region: config.region, kmsKeyArn: bucketKeyArn },
      permissionsBoundary: `arn:aws:iam::${config.accounts.staging}:policy/${estateNames(config).boundaryPolicy}`,
    });
    this.bucket.grantRead(this.role.roleName);
    new TerraformOutput(this, 'import_bucket', { value: this.bucket.bucketName });
    new TerraformOutput(this, 'vmimport_role', { value: this.role.roleName });
    new TerraformOutput(this, 'import_kms_key_arn', { value: kmsKeyArn, description: 'Key the imported AMIs are encrypted with' });
    new TerraformOutput(this, 'bucket_kms_key_arn', { value: bucketKeyArn, description: 'Key of the bucket\'s default encryption' });
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
