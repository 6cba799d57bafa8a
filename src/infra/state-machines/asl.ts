/**
 * A typed subset of the Amazon States Language (JSONPath flavour) and the helpers the pipelines
 * share: SDK-integration tasks with throttling retries, catchers, and bounded backing-off polls.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface Retrier {
  readonly ErrorEquals: string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly ErrorEquals: string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}

interface Flow {
  readonly Comment?: string;
  readonly Next?: string;
  readonly End?: boolean;
}

interface IoFields {
  readonly InputPath?: string | null;
  readonly OutputPath?: string | null;
  readonly ResultPath?: string | null;
  readonly Parameters?: { [key: string]: Json };
  readonly ResultSelector?: { [key: string]: Json };
}

export interface TaskState extends Flow, IoFields {
  readonly Type: 'Task';
  readonly Resource: string;
  readonly Retry?: Retrier[];
  readonly Catch?: Catcher[];
  readonly TimeoutSeconds?: number;
}

export interface PassState extends Flow {
  readonly Type: 'Pass';
  readonly Parameters?: { [key: string]: Json };
  readonly Result?: Json;
  readonly ResultPath?: string | null;
  readonly InputPath?: string | null;
  readonly OutputPath?: string | null;
}

export interface WaitState extends Flow {
  readonly Type: 'Wait';
  readonly Seconds?: number;
  readonly SecondsPath?: string;
}

export type ChoiceRule = { readonly Next?: string } & { readonly [op: string]: Json | ChoiceRule[] | ChoiceRule | undefined };

export interface ChoiceState {
  readonly Type: 'Choice';
  readonly Comment?: string;
  readonly Choices: ChoiceRule[];
  readonly Default?: string;
}

export interface MapState extends Flow, IoFields {
  readonly Type: 'Map';
  readonly ItemsPath?: string;
  readonly ItemSelector?: { [key: string]: Json };
  readonly MaxConcurrency?: number;
  readonly ItemProcessor: { readonly ProcessorConfig?: { Mode: 'INLINE' }; readonly StartAt: string; readonly States: States };
  readonly Retry?: Retrier[];
  readonly Catch?: Catcher[];
}

export interface SucceedState {
  readonly Type: 'Succeed';
  readonly Comment?: string;
  readonly OutputPath?: string | null;
}

export interface FailState {
  readonly Type: 'Fail';
  readonly Comment?: string;
  readonly Error?: string;
  readonly Cause?: string;
  readonly ErrorPath?: string;
  readonly CausePath?: string;
}

export type State = TaskState | PassState | WaitState | ChoiceState | MapState | SucceedState | FailState;
export type States = Record<string, State>;

export interface StateMachineDefinition {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly TimeoutSeconds?: number;
  readonly States: States;
}

/** The services the pipelines call, with the error-name prefix Step Functions gives their errors. */
export const SERVICES = {
  ec2: { prefix: 'Ec2', throttling: ['RequestLimitExceeded'] },
  autoscaling: { prefix: 'AutoScaling', throttling: ['Throttling'] },
  ssm: { prefix: 'Ssm', throttling: ['ThrottlingException'] },
  dynamodb: { prefix: 'DynamoDB', throttling: ['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded'] },
  sns: { prefix: 'SNS', throttling: ['ThrottledException', 'Throttling'] },
  lambda: { prefix: 'Lambda', throttling: ['TooManyRequestsException', 'ServiceException', 'SdkClientException'] },
} as const;
export type Service = keyof typeof SERVICES;

/**
 * The error name Step Functions reports for an SDK error: `Service.ErrorName`, with the
 * `Exception` suffix added when the service's own code lacks it (AWS SDK integration naming rule).
 */
export function integrationErrorName(service: Service, code: string): string {
  const name = code.endsWith('Exception') ? code : `${code}Exception`;
  return `${SERVICES[service].prefix}.${name}`;
}

/**
 * An error of a service under both spellings: the bare service code (EC2's Query API codes such as
 * `RequestLimitExceeded` carry no suffix, nor SSM's `InvalidInstanceId`) and the documented
 * `...Exception` form.
 */
export function integrationErrorNames(service: Service, code: string): string[] {
  return [...new Set([`${SERVICES[service].prefix}.${code}`, integrationErrorName(service, code)])];
}

/** Throttling errors of a service under both spellings. */
export function throttlingErrors(service: Service): string[] {
  return [...new Set(SERVICES[service].throttling.flatMap((code) => integrationErrorNames(service, code)))];
}

/** Retry on throttling with exponential backoff and full jitter, capped. */
export function throttlingRetry(service: Service): Retrier {
  return { ErrorEquals: throttlingErrors(service), IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' };
}

/** Every task state of the pipelines: an integration, throttling retries, and a catcher unless told otherwise. */
export interface TaskOptions {
  /** The request is this part of the state (a request shaped by a resolution step). @default '$' */
  readonly inputPath?: string;
  readonly parameters?: { [key: string]: Json };
  readonly resultSelector?: { [key: string]: Json };
  /** @default null (the input passes through unchanged) */
  readonly resultPath?: string | null;
  readonly next?: string;
  /** Catcher target for every other error, with the error at `$.error`. @default none */
  readonly onError?: string;
  /** Extra retriers placed before the throttling one (e.g. an eventually consistent read). */
  readonly retry?: Retrier[];
  /** Extra catchers placed before the catch-all. */
  readonly catch?: Catcher[];
  readonly comment?: string;
}

/** A task calling `arn:aws:states:::aws-sdk:<service>:<action>`. */
export function sdkTask(service: Service, action: string, o: TaskOptions): TaskState {
  return taskState(`arn:aws:states:::aws-sdk:${service}:${action}`, service, o);
}

/** A task calling an optimized integration (`arn:aws:states:::dynamodb:putItem`, `sns:publish`, `lambda:invoke`). */
export function optimizedTask(service: Service, action: string, o: TaskOptions): TaskState {
  return taskState(`arn:aws:states:::${service}:${action}`, service, o);
}

/**
 * A Lambda function invoked by its ARN (the request-response form whose result is the function's
 * return value), with the throttling and service-error retries Lambda recommends.
 */
export function lambdaTask(functionArn: string, o: TaskOptions): TaskState {
  return taskState(functionArn, 'lambda', o);
}

function taskState(resource: string, service: Service, o: TaskOptions): TaskState {
  const catchers: Catcher[] = [...(o.catch ?? [])];
  if (o.onError) catchers.push({ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: o.onError });
  return {
    Type: 'Task',
    Resource: resource,
    ...(o.comment ? { Comment: o.comment } : {}),
    ...(o.inputPath ? { InputPath: o.inputPath } : {}),
    ...(o.parameters ? { Parameters: o.parameters } : {}),
    ...(o.resultSelector ? { ResultSelector: o.resultSelector } : {}),
    ResultPath: o.resultPath === undefined ? null : o.resultPath,
    Retry: [...(o.retry ?? []), throttlingRetry(service)],
    ...(catchers.length ? { Catch: catchers } : {}),
    ...(o.next ? { Next: o.next } : { End: true }),
  };
}

/** Pass state that records a failure in `$.error` the way a catcher would, then goes on to `next`. */
export function raise(error: string, causeExpression: string, next: string): PassState {
  const cause: { [key: string]: Json } = causeExpression.startsWith('States.') ? { 'Cause.$': causeExpression } : { Cause: causeExpression };
  return { Type: 'Pass', Parameters: { Error: error, ...cause }, ResultPath: '$.error', Next: next };
}
