import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { pipelineFunctionNames } from '../../../config/resource-names';
import { PolicyStatement } from '../policy-document';
import { ServiceRole } from './service-role';

export interface PipelineFunctionProps {
  readonly functionName: string;
  /** The bundle of all handlers (src/infra/lambdas/dist, packaged once per stack). */
  readonly code: TerraformAsset;
  /** File of the bundle without `.js`, e.g. `resolve-source-image`. */
  readonly handlerFile: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** What the handler may call, besides writing its own logs. */
  readonly statements: PolicyStatement[];
  readonly environment?: Record<string, string>;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** Key that encrypts the function's log group. @default CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
  /** Permissions boundary of the function's role. @default none */
  readonly permissionsBoundary?: string;
}

/** A small handler of a pipeline: its log group, its own role, and the function. */
export class PipelineFunction extends Construct {
  public readonly fn: LambdaFunction;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const names = pipelineFunctionNames(props.functionName);
    const logGroup = new CloudwatchLogGroup(this, 'logs', { name: names.logGroup, retentionInDays: props.logRetentionDays ?? 30, kmsKeyId: props.logKmsKeyArn });
    const role = new ServiceRole(this, 'role', {
      name: names.role,
      service: 'lambda.amazonaws.com',
      accountId: props.accountId,
      permissionsBoundary: props.permissionsBoundary,
      description: `rehost-factory ${props.handlerFile} function`,
      statements: [
        { Sid: 'OwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroup.arn}:*` },
        ...props.statements,
      ],
    });
    this.fn = new LambdaFunction(this, 'function', {
      functionName: names.function,
      role: role.arn,
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: `${props.handlerFile}.handler`,
      filename: props.code.path,
      sourceCodeHash: props.code.assetHash,
      timeout: props.timeoutSeconds ?? 60,
      memorySize: 256,
      environment: props.environment ? { variables: props.environment } : undefined,
      dependsOn: [logGroup],
    });
  }

  public get arn(): string {
    return this.fn.arn;
  }
}
