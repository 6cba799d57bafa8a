import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { estateTags } from '../../config/resource-tags';
import { FactoryConfig } from '../../config/schema';

// The estate's default tags live with the other names and tags validate checks (no provider bindings there).
export { ESTATE_TAG, estateTags } from '../../config/resource-tags';

/** The concerns the estate is split into; one Terraform stack (and state file) each. */
export type StackConcern = 'access' | 'network' | 'security' | 'mgn' | 'automation' | 'vm-import';

export interface FactoryStackProps {
  /** The validated estate. */
  readonly config: FactoryConfig;
}

/**
 * A Terraform stack of the estate: the AWS provider for the staging account's Region with
 * default_tags, and the configured backend (S3 with locking, or local state).
 */
export abstract class FactoryStack extends TerraformStack {
  public readonly config: FactoryConfig;
  public readonly provider: AwsProvider;

  protected constructor(scope: Construct, public readonly concern: StackConcern, props: FactoryStackProps) {
    super(scope, concern);
    this.config = props.config;
    this.provider = new AwsProvider(this, 'aws', {
      region: props.config.region,
      allowedAccountIds: [props.config.accounts.staging],
      defaultTags: [{ tags: estateTags(props.config, concern) }],
    });
    configureBackend(this, concern, props.config);
  }
}

function configureBackend(stack: TerraformStack, concern: StackConcern, config: FactoryConfig): void {
  const backend = config.backend;
  if ('s3' in backend) {
    const s3 = backend.s3;
    const b = new S3Backend(stack, {
      bucket: s3.bucket,
      key: `${s3.keyPrefix.replace(/\/+$/, '')}/${concern}.tfstate`,
      region: s3.region ?? config.region,
      encrypt: s3.encrypt,
      dynamodbTable: s3.locking === 'dynamodb' ? s3.dynamodbTable : undefined,
    });
    // S3-native locking (Terraform >= 1.10) is not in cdktf 0.21's S3Backend props.
    if (s3.locking === 'lockfile') b.addOverride('use_lockfile', true);
    return;
  }
  const dir = backend.local.directory;
  new LocalBackend(stack, { path: dir ? join(dir, `${concern}.tfstate`) : `terraform.${concern}.tfstate` });
}
