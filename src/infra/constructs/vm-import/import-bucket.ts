import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';

export interface ImportBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** ARN of the customer managed key for SSE-KMS (a key of the bucket's account, used through S3). */
  readonly kmsKeyArn: string;
  /**
   * Days after which an incomplete multipart upload is aborted and its parts deleted. A resumed upload
   * must finish within this time.
   * @default 7
   */
  readonly abortIncompleteUploadsAfterDays?: number;
  /**
   * Days after which uploaded images under `imagePrefix` expire; their old versions go one day later.
   * @default 30
   */
  readonly expireImagesAfterDays?: number;
  /** Key prefix of uploaded images. @default 'images/' */
  readonly imagePrefix?: string;
  /** Let `terraform destroy` delete a bucket that still holds images. @default false */
  readonly forceDestroy?: boolean;
}

/**
 * The bucket disk images are uploaded to before ImportImage: private (public access blocked, bucket
 * owner enforced), SSE-KMS with a customer managed key and S3 Bucket Keys, TLS-only, versioned, and a
 * lifecycle that cleans up abandoned uploads and old images.
 */
export class ImportBucket extends Construct {
  public readonly bucket: S3Bucket;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: ImportBucketProps) {
    super(scope, id);
    const abortDays = props.abortIncompleteUploadsAfterDays ?? 7;
    const expireDays = props.expireImagesAfterDays ?? 30;
    for (const [name, v] of [['abortIncompleteUploadsAfterDays', abortDays], ['expireImagesAfterDays', expireDays]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`ImportBucket ${id}: ${name} must be a whole number of days ≥ 1, got ${v}`);
    }
    this.kmsKeyArn = props.kmsKeyArn;
    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName, forceDestroy: props.forceDestroy ?? false });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    const bucket = this.bucket.id;

    new S3BucketOwnershipControls(this, 'ownership', { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, 'versioning', { bucket, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      rule: [
        {
          id: 'abort-incomplete-uploads',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: abortDays }],
        },
        {
          id: 'expire-images',
          status: 'Enabled',
          filter: [{ prefix: props.imagePrefix ?? 'images/' }],
          expiration: [{ days: expireDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        },
      ],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, 'tls-only', {
      statement: [
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:*'],
          resources: [this.bucketArn, `${this.bucketArn}/*`],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
      ],
    });
    // The public access block first: a policy put before it could be judged public and refused.
    new S3BucketPolicy(this, 'policy', { bucket, policy: tlsOnly.json, dependsOn: [publicAccess] });
  }

  /** Statements that let a principal read the images (what ImportImage needs from S3). */
  public readStatements(): DataAwsIamPolicyDocumentStatement[] {
    return [
      { sid: 'ImportBucketList', actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [this.bucketArn] },
      { sid: 'ImportBucketRead', actions: ['s3:GetObject'], resources: [`${this.bucketArn}/*`] },
    ];
  }

  /** Grants `roleName` read access to the images through an inline policy on the role. */
  public grantRead(roleName: string): IamRolePolicy {
    const doc = new DataAwsIamPolicyDocument(this, 'read-policy', { statement: this.readStatements() });
    return new IamRolePolicy(this, 'read', { name: 'import-bucket-read', role: roleName, policy: doc.json });
  }
}
