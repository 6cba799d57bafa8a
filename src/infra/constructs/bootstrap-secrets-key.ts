import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { accountRoot, policyDocument } from './policy-document';

/** Administration without use: a key administrator cannot decrypt, nor grant anyone (no CreateGrant). */
export const KEY_ADMIN_ACTIONS = [
  'kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:PutKeyPolicy', 'kms:UpdateKeyDescription', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation',
  'kms:TagResource', 'kms:UntagResource', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion',
  'kms:EnableKey', 'kms:DisableKey', 'kms:RevokeGrant', 'kms:RetireGrant',
];

export interface BootstrapSecretsKeyProps {
  readonly accountId: string;
  readonly region: string;
  readonly alias: string;
  /** SecureString parameters encrypted with the key (e.g. the AD join password). */
  readonly parameterNames: string[];
  /**
   * Roles of the launched instances (instance profiles' roles, MGN's launch role): the only
   * principals that may decrypt, and only through Parameter Store.
   */
  readonly instanceRoleArns: string[];
}

/**
 * The customer managed key of the bootstrap secrets (the Active Directory join password). Unlike the
 * aws/ssm key, whose policy lets every principal of the account decrypt through Parameter Store, this
 * key decrypts only for the launched instances' roles (aws:PrincipalArn), only through Parameter Store
 * in the Region (kms:ViaService) and only for the named parameters (their ARN is the encryption
 * context Parameter Store binds to each value). Account principals may administer it and encrypt the
 * parameters through Parameter Store (writing the password is an administrator's step), but no
 * workflow role, pull request or administrator can read the value through KMS directly.
 */
export class BootstrapSecretsKey extends Construct {
  public readonly key: KmsKey;
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: BootstrapSecretsKeyProps) {
    super(scope, id);
    if (!props.instanceRoleArns.length) throw new Error('BootstrapSecretsKey: name at least one instance role that may decrypt');
    const root = accountRoot(props.accountId);
    const viaSsm = `ssm.${props.region}.amazonaws.com`;
    const parameters = props.parameterNames.map((n) => `arn:aws:ssm:${props.region}:${props.accountId}:parameter/${n.replace(/^\//, '')}`);
    this.key = new KmsKey(this, 'key', {
      description: 'rehost-factory: bootstrap secrets (Active Directory join password), decrypted only on launched instances',
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument([
        { Sid: 'KeyAdministration', Effect: 'Allow', Principal: { AWS: root }, Action: KEY_ADMIN_ACTIONS, Resource: '*' },
        {
          Sid: 'EncryptParametersThroughSsm',
          Effect: 'Allow',
          Principal: { AWS: root },
          Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': viaSsm, 'kms:EncryptionContext:PARAMETER_ARN': parameters } },
        },
        {
          Sid: 'DecryptOnLaunchedInstances',
          Effect: 'Allow',
          Principal: { AWS: root },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: {
            StringEquals: { 'kms:ViaService': viaSsm, 'kms:CallerAccount': props.accountId, 'kms:EncryptionContext:PARAMETER_ARN': parameters },
            ArnEquals: { 'aws:PrincipalArn': props.instanceRoleArns },
          },
        },
      ]),
    });
    this.keyArn = this.key.arn;
    new KmsAlias(this, 'alias', { name: props.alias, targetKeyId: this.key.keyId });
  }
}
