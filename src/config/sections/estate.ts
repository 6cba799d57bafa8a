import * as z from 'zod';
import { accountId, iamArn, kmsKeyArn, name, region, tags } from '../primitives';

export const targetAccount = z
  .object({
    name: name.describe('Name of the target account, used by servers (targetAccount) and in resource names'),
    accountId: accountId.describe('12-digit ID of the account that runs the migrated servers'),
    deployRoleName: z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/, 'expected an IAM role name (1-64 letters, digits and +=,.@_-)')
      .default('rehost-factory-deploy')
      .describe('Role the security stack assumes in this account to create its KMS key (key material never leaves the account); ignored when the account is the staging account. @default rehost-factory-deploy'),
    planRoleName: z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/, 'expected an IAM role name (1-64 letters, digits and +=,.@_-)')
      .default('rehost-factory-plan')
      .describe('Read-only role the plan workflows assume in this account instead of deployRoleName (terraform plan -var target_account_role=plan); ignored when the account is the staging account. @default rehost-factory-plan'),
    kms: z
      .object({
        alias: z
          .string()
          .regex(/^alias\/(?!aws\/)[a-zA-Z0-9/_-]+$/, 'expected a KMS alias starting with "alias/" and not "alias/aws/" (reserved for AWS managed keys)')
          .optional()
          .describe('Alias of the EBS key. @default alias/rehost-factory/<estate>/<account name>'),
        existingKeyArn: kmsKeyArn.optional().describe('Use this key instead of creating one'),
        adminPrincipals: z.array(iamArn).default([]).describe('Principals that administer the key. @default the account root'),
        crossAccountPrincipals: z.array(z.union([accountId, iamArn])).default([]).describe('Other accounts or principals that may use the key (e.g. an Auto Scaling account)'),
        deletionWindowDays: z.number().int().min(7).max(30).default(30).describe('Waiting period before the key is deleted. @default 30'),
        createAutoScalingRole: z
          .boolean()
          .default(false)
          .describe('Create the account\'s AWSServiceRoleForAutoScaling, which the key policy names (KMS refuses a policy naming a missing role). Set true in an account that never had an Auto Scaling group. @default false: the role is an account-wide singleton Auto Scaling creates with the first group; the stack reads it and the plan fails by name when it is missing'),
        grants: z
          .array(
            z
              .object({
                name: name.describe('Name of the grant'),
                granteePrincipal: iamArn.describe('Role that receives the grant, e.g. the AWSServiceRoleForAutoScaling of another account'),
                operations: z
                  .array(z.enum(['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'CreateGrant', 'DescribeKey']))
                  .min(1)
                  .default(['Decrypt', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'CreateGrant'])
                  .describe('Granted operations. @default what EBS needs for a service-linked role: Decrypt, GenerateDataKeyWithoutPlaintext, ReEncryptFrom, ReEncryptTo, CreateGrant'),
              })
              .strict(),
          )
          .default([])
          .describe('KMS grants for service-linked roles that the key policy cannot name (e.g. Auto Scaling of another account)'),
      })
      .strict()
      .prefault({})
      .describe('The customer managed key that encrypts replicated and launched volumes'),
  })
  .strict();

export const backendSection = z
  .union([
    z.object({ local: z.object({ directory: z.string().optional().describe('Folder for state files. @default terraform state next to each stack') }).strict() }).strict(),
    z
      .object({
        s3: z
          .object({
            bucket: z.string().min(3).describe('State bucket'),
            keyPrefix: z.string().default('rehost-factory').describe('Key prefix; each stack is <prefix>/<stack>.tfstate. @default rehost-factory'),
            region: region.optional().describe('Region of the bucket. @default the estate Region'),
            locking: z.enum(['lockfile', 'dynamodb']).default('lockfile').describe('S3 native lock file (Terraform ≥ 1.10) or a DynamoDB table. @default lockfile'),
            dynamodbTable: z.string().optional().describe('Lock table when locking is dynamodb'),
            encrypt: z.boolean().default(true).describe('Encrypt state at rest. @default true'),
          })
          .strict(),
      })
      .strict(),
  ], { error: 'expected either "local: {}" or "s3: { bucket, ... }"' })
  .describe('Where Terraform keeps state. @default local');

export const estateFields = {
  version: z.literal(1, { error: 'expected version: 1' }).describe('Format version of factory.yaml'),
  name: name.describe('Name of the estate, used in resource names and tags'),
  region: region.describe('AWS Region that MGN replicates into'),
  accounts: z
    .object({
      staging: accountId.describe('Account where MGN runs and the staging network lives'),
      targets: z.array(targetAccount).min(1).describe('Accounts that run the migrated servers'),
    })
    .strict(),
  tags: tags.default({}).describe('Tags on every resource (provider default_tags)'),
  backend: backendSection.prefault({ local: {} }),
};
