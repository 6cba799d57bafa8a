import './polyfill';
import * as autoscaling from '@aws-sdk/client-auto-scaling';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as ec2 from '@aws-sdk/client-ec2';
import * as sns from '@aws-sdk/client-sns';
import * as ssm from '@aws-sdk/client-ssm';
import { StateMachine } from 'aws-local-stepfunctions';
import { EVENTS_PER_MAP_ITEM, EVENTS_PER_RETRY, EVENTS_PER_VISIT } from '../../../../src/infra/state-machines/history';
import { integrationErrorName, Service, SERVICES, State, StateMachineDefinition, States } from '../../../../src/infra/state-machines/asl';
import { motoClientConfig } from '../../../support/moto';

/** The SDK modules whose `<Action>Command` classes the bound task states send. */
const MODULES = { ec2, autoscaling, ssm, dynamodb, sns } as const;
type SdkService = keyof typeof MODULES;
type Sendable = { send(command: unknown): Promise<Record<string, unknown>> };
type Json = ReturnType<typeof JSON.parse>;

/** What the tests read of aws-local-stepfunctions' event log. */
export interface EventLog {
  readonly type: string;
  readonly state?: { readonly name: string; readonly type: string };
  readonly Error?: string;
  readonly Cause?: unknown;
}

/** One task call as it reached the binding: what was sent and what came back. */
export interface TaskCall {
  readonly state: string;
  readonly resource: string;
  readonly input: Json;
  output?: Json;
  error?: string;
}

export interface LocalRunOptions {
  readonly motoUrl: string;
  readonly region: string;
  /** Lambda function ARN → the real handler logic, with clients already bound. */
  readonly lambdas: Record<string, (payload: Json) => Promise<Json>>;
  /**
   * Per-state replacement of the outcome, for what moto cannot model (CopyImage progress, SSM
   * command outcomes, instance refresh). Gets the input and the real call (optionally with another
   * request); what it returns is the task's result.
   */
  readonly inject?: Record<string, (input: Json, real: (payload?: Json) => Promise<Json>, attempt: number) => Promise<Json>>;
  /** Throw the service's throttling error on every Nth task call (counted over the whole run). */
  readonly throttleEvery?: number;
  /** Abort the execution (as StopExecution would) when this state's task is called. */
  readonly abortAt?: string;
}

export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** The execution's ARN as the workflow saw it (`$$.Execution.Id`). */
  readonly executionArn: string;
  readonly output?: Json;
  readonly error?: string;
  readonly cause?: string;
  readonly calls: TaskCall[];
  readonly events: EventLog[];
  /** Names of the states entered, in order. */
  readonly path: string[];
}

/** An error as Step Functions names it, so retriers and catchers match it. */
class StatesError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function serviceOf(resource: string): { service: Service; action?: string } {
  const m = /^arn:aws:states:::(?:aws-sdk:)?([a-z0-9]+):([A-Za-z]+)$/.exec(resource);
  if (m) return { service: m[1] as Service, action: m[2] };
  if (/^arn:aws:lambda:/.test(resource)) return { service: 'lambda' };
  throw new Error(`no binding for resource ${resource}`);
}

function clients(o: LocalRunOptions): Record<SdkService, Sendable> {
  const cfg = { ...motoClientConfig(o.motoUrl, o.region), maxAttempts: 1 };
  return {
    ec2: new ec2.EC2Client(cfg),
    autoscaling: new autoscaling.AutoScalingClient(cfg),
    ssm: new ssm.SSMClient(cfg),
    dynamodb: new dynamodb.DynamoDBClient(cfg),
    sns: new sns.SNSClient(cfg),
  } as unknown as Record<SdkService, Sendable>;
}

/** Every task state of a definition, Map item processors included. */
function taskStates(states: States, into: Record<string, State & { Type: 'Task' }> = {}): Record<string, State & { Type: 'Task' }> {
  for (const [name, s] of Object.entries(states)) {
    if (s.Type === 'Task') into[name] = s;
    if (s.Type === 'Map') taskStates(s.ItemProcessor.States, into);
  }
  return into;
}

function stateNames(states: States, into: string[] = []): string[] {
  for (const [name, s] of Object.entries(states)) {
    into.push(name);
    if (s.Type === 'Map') stateNames(s.ItemProcessor.States, into);
  }
  return into;
}

/**
 * EC2's idempotency, which moto 5.2.1 does not model (it ignores ClientToken): a request repeating an
 * action's ClientToken gets the first request's answer, whatever happened to that resource since
 * (a terminated instance, a deregistered copy). Kept for the whole test file, as an account would.
 */
const clientTokenAnswers = new Map<string, Json>();

let dynamoQueue: Promise<unknown> = Promise.resolve();
/** Runs DynamoDB calls of every local execution in this process one after another. */
function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const next = dynamoQueue.then(fn, fn);
  dynamoQueue = next.catch(() => undefined);
  return next;
}

/** JSON round trip: Dates become ISO strings as in a Step Functions result. */
const plain = (v: unknown): Json => JSON.parse(JSON.stringify(v ?? {}, (k, x) => (k === '$metadata' ? undefined : x)));

/**
 * Runs a definition in aws-local-stepfunctions with every task state bound to a real call: SDK
 * integrations and optimized integrations send the matching `@aws-sdk` command to moto, Lambda
 * ARNs call the real handler. Waits and retry intervals take no time.
 */
export async function runLocally(def: StateMachineDefinition, input: Json, o: LocalRunOptions): Promise<LocalRunResult> {
  const c = clients(o);
  const calls: TaskCall[] = [];
  let count = 0;
  const attempts = new Map<string, number>();
  const handlers: Record<string, (input: Json) => Promise<Json>> = {};
  for (const [name, state] of Object.entries(taskStates(def.States))) {
    const { service, action } = serviceOf(state.Resource);
    const real = async (payload: Json): Promise<Json> => {
      if (service === 'lambda') {
        const fn = o.lambdas[state.Resource];
        if (!fn) throw new Error(`no handler bound for ${state.Resource}`);
        return fn(payload);
      }
      const mod = MODULES[service as SdkService] as unknown as Record<string, new (input: unknown) => unknown>;
      const Command = mod[`${action![0].toUpperCase()}${action!.slice(1)}Command`];
      if (!Command) throw new Error(`@aws-sdk/client-${service} has no command for ${action}`);
      const token = service === 'ec2' && typeof payload?.ClientToken === 'string' ? `${action}|${payload.ClientToken}` : undefined;
      if (token && clientTokenAnswers.has(token)) return clientTokenAnswers.get(token);
      try {
        const send = () => c[service as SdkService].send(new Command(payload) as never);
        // moto's DynamoDB checks a condition and writes without a lock: under load two concurrent
        // conditional writes to one item both succeed (measured: 24 of 300 keys with 8 writers on a
        // loaded machine). DynamoDB applies them one at a time, so the tests do too.
        const out = plain(await (service === 'dynamodb' ? oneAtATime(send) : send()));
        if (token) clientTokenAnswers.set(token, out);
        return out;
      } catch (e) {
        const err = e as Error;
        throw new StatesError(integrationErrorName(service, err.name), err.message);
      }
    };
    handlers[name] = async (payload: Json) => {
      const call: TaskCall = { state: name, resource: state.Resource, input: payload };
      calls.push(call);
      count += 1;
      if (o.abortAt === name) {
        // The call is not made; the execution stops after this state (no further state is entered).
        execution.abort();
        throw new StatesError('States.Runtime', 'execution aborted by the test (StopExecution)');
      }
      try {
        if (o.throttleEvery && count % o.throttleEvery === 0) {
          throw new StatesError(integrationErrorName(service, SERVICES[service].throttling[0]), 'Rate exceeded (injected: moto never throttles)');
        }
        const attempt = (attempts.get(name) ?? 0) + 1;
        attempts.set(name, attempt);
        const inject = o.inject?.[name];
        const out = inject ? await inject(payload, (p: Json = payload) => real(p), attempt) : await real(payload);
        call.output = out;
        return out;
      } catch (e) {
        call.error = (e as Error).name;
        throw e instanceof StatesError || (e as Error).name !== 'Error' ? e : new StatesError('States.TaskFailed', (e as Error).message);
      }
    };
  }
  const names = stateNames(def.States);
  const zero = Object.fromEntries(names.map((n) => [n, 0]));
  const machine = new StateMachine(def as never, { validationOptions: { checkArn: false } });
  const name = `local-${Math.random().toString(36).slice(2, 10)}`;
  const context = { Execution: { Id: `arn:aws:states:${o.region}:000000000000:execution:local:${name}`, Name: name, StartTime: new Date().toISOString(), Input: input } };
  const execution = machine.run(input, { context: context as never, noThrowOnAbort: true, overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: zero, retryIntervalOverrides: zero } });
  const events: EventLog[] = [];
  const collect = (async () => {
    for await (const ev of execution.eventLogs) events.push(ev as EventLog);
  })();
  const executionArn = context.Execution.Id;
  let result: LocalRunResult;
  try {
    const output = await execution.result;
    await collect;
    // The library's own word: an aborted execution logs ExecutionAborted (and its result is null).
    result = events.some((ev) => ev.type === 'ExecutionAborted') ? { status: 'ABORTED', executionArn, calls, events, path: [] } : { status: 'SUCCEEDED', executionArn, output, calls, events, path: [] };
  } catch (e) {
    await collect.catch(() => undefined);
    const err = e as Error & { cause?: { name?: string; message?: string } };
    const failed = events.find((ev) => ev.type === 'ExecutionFailed');
    result = { status: 'FAILED', executionArn, error: failed?.Error ?? err.cause?.name ?? err.name, cause: (failed?.Cause as string | undefined) ?? err.cause?.message ?? err.message, calls, events, path: [] };
  }
  const path = events.filter((ev) => ev.type === 'StateEntered').map((ev) => ev.state!.name);
  return { ...result, path };
}

/** A run as a readable story, for failure messages: the states entered and the calls that failed. */
export function story(r: LocalRunResult): string {
  const failedCalls = r.calls.filter((c) => c.error).map((c) => `  ${c.state}: ${c.error}`);
  return [`${r.status}${r.error ? ` ${r.error}: ${r.cause}` : ''}`, `path: ${r.path.join(' > ')}`, ...failedCalls].join('\n');
}

/** Asserts the status, printing the story when it differs. */
export function expectStatus(r: LocalRunResult, status: LocalRunResult['status']): void {
  if (r.status !== status) throw new Error(`expected ${status}, got:\n${story(r)}`);
}

/**
 * The Standard-workflow history size of a local run, from its event log with the per-state costs
 * of the history model: each state entered, each retry, each Map iteration, start and end.
 */
export function historyEventsOfRun(r: LocalRunResult): number {
  let n = 2;
  for (const ev of r.events) {
    if (ev.type === 'StateEntered') n += EVENTS_PER_VISIT[ev.state!.type as keyof typeof EVENTS_PER_VISIT];
    if (ev.type === 'StateRetried') n += EVENTS_PER_RETRY;
    if (ev.type === 'MapIterationStarted') n += EVENTS_PER_MAP_ITEM;
  }
  return n;
}
