import { PolicyStatement } from '../policy-document';
import { TerraformFamily, terraformReads } from './terraform-actions';

/** Terraform state the workflows read and lock. */
export interface StateBackendAccess {
  readonly bucket: string;
  readonly keyPrefix: string;
  /** Region of the state bucket. */
  readonly region: string;
  /** Lock table when locking is DynamoDB. @default S3 lock files */
  readonly dynamodbTable?: string;
}

/** What a plan of the estate reads. */
export interface PlanScope {
  readonly accountId: string;
  readonly region: string;
  /** Resource families the estate's stacks have (their reads are granted). */
  readonly families: readonly TerraformFamily[];
  /** Start of the estate's Parameter Store names, e.g. "/rehost-factory/acme-dc1/": the only parameters a plan may read. */
  readonly parameterPrefix: string;
  /** Start of the estate's Lambda function names: the only functions whose configuration a plan may read. */
  readonly namePrefix: string;
  /** S3 state backend. @default local state: no state permissions, and no object reads at all */
  readonly stateBackend?: StateBackendAccess;
  /** Read-only roles in target accounts the plan role assumes. @default none */
  readonly targetPlanRoleArns?: string[];
}

/**
 * The plan role: exactly the reads `terraform plan` of the estate's stacks makes (no managed
 * ReadOnlyAccess), the state objects, the target accounts' plan roles, and explicit denies on
 * anything that holds a secret: Parameter Store outside the estate's path, Secrets Manager,
 * kms:Decrypt (but through S3 for the state), S3 objects outside the state prefix. The denies hold
 * whatever else grants, so a pull request's code cannot read the AD join password or another team's
 * secrets even where a key policy or a broader grant would let it.
 */
export function planStatements(s: PlanScope): PolicyStatement[] {
  const reads: string[] = terraformReads(s.families);
  const scopedLambda = reads.filter((a) => a.startsWith('lambda:'));
  const scopedParameters: string[] = reads.filter((a) => a === 'ssm:GetParameter');
  const everywhere = reads.filter((a) => !scopedLambda.includes(a) && !scopedParameters.includes(a));
  const parameters = `arn:aws:ssm:${s.region}:${s.accountId}:parameter${s.parameterPrefix}*`;
  const out: PolicyStatement[] = [{ Sid: 'TerraformPlanReads', Effect: 'Allow', Action: everywhere, Resource: '*' }];
  if (scopedLambda.length) out.push({ Sid: 'EstateFunctions', Effect: 'Allow', Action: scopedLambda, Resource: `arn:aws:lambda:${s.region}:${s.accountId}:function:${s.namePrefix}*` });
  if (scopedParameters.length) out.push({ Sid: 'EstateParameters', Effect: 'Allow', Action: scopedParameters, Resource: parameters });
  out.push(...stateStatements(s, false));
  if (s.targetPlanRoleArns?.length) out.push({ Sid: 'AssumeTargetPlanRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: s.targetPlanRoleArns });
  out.push(...secretDenies({ parameterArns: [parameters], stateBackend: s.stateBackend }));
  return out;
}

/** Explicit denies of secret-bearing reads, for roles that pull requests or plans hold. */
export function secretDenies(s: { parameterArns: string[]; stateBackend?: StateBackendAccess }): PolicyStatement[] {
  const state = s.stateBackend;
  return [
    { Sid: 'DenyParametersOutsideEstate', Effect: 'Deny', Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'], NotResource: s.parameterArns },
    { Sid: 'DenySecretsManager', Effect: 'Deny', Action: 'secretsmanager:*', Resource: '*' },
    state
      ? { Sid: 'DenyDecryptButState', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*', Condition: { StringNotEquals: { 'kms:ViaService': `s3.${state.region}.amazonaws.com` } } }
      : { Sid: 'DenyDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' },
    state
      ? { Sid: 'DenyObjectsOutsideState', Effect: 'Deny', Action: 's3:GetObject*', NotResource: `arn:aws:s3:::${state.bucket}/${trimSlash(state.keyPrefix)}/*` }
      : { Sid: 'DenyObjects', Effect: 'Deny', Action: 's3:GetObject*', Resource: '*' },
  ];
}

const trimSlash = (p: string) => p.replace(/\/+$/, '');

/**
 * State access. The workflows plan with -lock=false (a plan changes nothing, and a read-only role
 * cannot take the lock), so plans only read: the state objects, and with DynamoDB locking the
 * table's digest item the S3 backend checks the state against. apply also locks and writes.
 */
export function stateStatements(p: { accountId: string; stateBackend?: StateBackendAccess }, write: boolean): PolicyStatement[] {
  if (!p.stateBackend) return [];
  const sb = p.stateBackend;
  const bucket = `arn:aws:s3:::${sb.bucket}`;
  const prefix = trimSlash(sb.keyPrefix);
  const out: PolicyStatement[] = [
    // init lists the bucket (workspaces); keys are not secret, objects are read only under the prefix.
    { Sid: 'StateList', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket },
    { Sid: 'StateRead', Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucket}/${prefix}/*` },
  ];
  if (write) {
    out.push(
      { Sid: 'StateLock', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `${bucket}/${prefix}/*.tflock` },
      { Sid: 'StateWrite', Effect: 'Allow', Action: 's3:PutObject', Resource: `${bucket}/${prefix}/*.tfstate` },
    );
  }
  if (sb.dynamodbTable) {
    out.push({
      Sid: write ? 'StateLockTable' : 'StateDigestRead',
      Effect: 'Allow',
      Action: write ? ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] : 'dynamodb:GetItem',
      Resource: `arn:aws:dynamodb:${sb.region}:${p.accountId}:table/${sb.dynamodbTable}`,
    });
  }
  return out;
}
