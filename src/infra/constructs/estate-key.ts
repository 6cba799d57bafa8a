import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { accountRoot, policyDocument, PolicyStatement } from './policy-document';

export interface EstateKeyProps {
  readonly accountId: string;
  readonly region: string;
  /** Alias, starting with "alias/". */
  readonly alias: string;
  /**
   * Log groups (names, may end in *) CloudWatch Logs may encrypt with the key.
   * @default none
   */
  readonly logGroups?: string[];
  /** CloudWatch alarms (names, may end in *) whose notifications go to topics encrypted with the key. @default none */
  readonly alarms?: string[];
  /** @default 30 */
  readonly deletionWindowDays?: number;
}

/**
 * The staging account's customer managed key for the estate's own data: its log groups, its
 * notification topic and the VM Import bucket. The account's IAM policies decide who uses it
 * (the root statement); CloudWatch Logs may use it only for the estate's log groups (encryption
 * context aws:logs:arn), and CloudWatch alarms of this account only to publish to the encrypted
 * topic. Services that use it on a caller's behalf (S3, SNS) do so with that caller's permissions.
 */
export class EstateKey extends Construct {
  public readonly key: KmsKey;
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: EstateKeyProps) {
    super(scope, id);
    const { accountId, region } = props;
    const statements: PolicyStatement[] = [
      { Sid: 'KeyAdministration', Effect: 'Allow', Principal: { AWS: accountRoot(accountId) }, Action: 'kms:*', Resource: '*' },
    ];
    if (props.logGroups?.length) {
      statements.push({
        Sid: 'CloudWatchLogsForEstateLogGroups',
        Effect: 'Allow',
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': props.logGroups.map((g) => `arn:aws:logs:${region}:${accountId}:log-group:${g}`) } },
      });
    }
    if (props.alarms?.length) {
      statements.push({
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId }, ArnLike: { 'aws:SourceArn': props.alarms.map((a) => `arn:aws:cloudwatch:${region}:${accountId}:alarm:${a}`) } },
      });
    }
    this.key = new KmsKey(this, 'key', {
      description: 'rehost-factory: the estate\'s log groups, notifications and VM Import bucket',
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      policy: policyDocument(statements),
    });
    this.keyArn = this.key.arn;
    new KmsAlias(this, 'alias', { name: props.alias, targetKeyId: this.key.keyId });
  }
}
