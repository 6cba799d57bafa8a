import type { Clock } from './clock';
import type { Logger } from './logger';
import { throwIfAborted } from './interrupt';

/** How calls are retried. */
export interface RetryOptions {
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Total attempts including the first. @default 10 */
  readonly maxAttempts?: number;
  /** First backoff ceiling. @default 1000 ms */
  readonly baseDelayMs?: number;
  /** Largest backoff ceiling. @default 60_000 ms */
  readonly maxDelayMs?: number;
  /** Source of jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Stops retrying (and waiting) when aborted. @default never */
  readonly signal?: AbortSignal;
  /** Told of every throttled answer (a concurrency limit slows down on it). @default nothing */
  readonly onThrottled?: () => void;
}

/** Error names/codes that mean "slow down" (MGN ThrottlingException, EC2 RequestLimitExceeded, ...). */
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled', 'SlowDown']);
const TRANSIENT = new Set(['InternalServerException', 'InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'TimeoutError']);

interface AwsErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  retryAfterSeconds?: number | string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
}

/**
 * The error's type as AWS names it. SDK v3 errors carry it as `name` (EC2's "RequestLimitExceeded",
 * MGN's "ConflictException"); MGN's own `code` member is a detail ("INVALID_LIFECYCLE_STATE"), so it
 * only counts for errors without a specific name (Node's ECONNRESET and friends).
 */
export function errorCode(e: unknown): string {
  const err = e as AwsErrorLike;
  const name = err?.name;
  if (name && name !== 'Error' && name !== 'ServiceException') return name;
  const code = err?.Code ?? err?.code;
  if (code) return code;
  // The SDK wraps what it cannot recognise as an Error (an error of another realm: Node's socket
  // errors inside a sandbox such as jest's) in "AWS SDK error wrapper for TimeoutError: read ECONNRESET".
  const wrapped = /^AWS SDK error wrapper for (\w+)/.exec((e as Error)?.message ?? '');
  return wrapped?.[1] ?? name ?? 'Error';
}

export function isThrottling(e: unknown): boolean {
  return THROTTLING.has(errorCode(e)) || (e as AwsErrorLike)?.$metadata?.httpStatusCode === 429;
}

/**
 * A failure after which the call may have taken effect: a reset or timed-out connection, a lost
 * answer, a 5xx. A throttled call was refused before anything happened.
 */
export function isAmbiguous(e: unknown): boolean {
  return isRetryable(e) && !isThrottling(e);
}

export function isRetryable(e: unknown): boolean {
  const err = e as AwsErrorLike;
  const status = err?.$metadata?.httpStatusCode ?? 0;
  return isThrottling(e) || TRANSIENT.has(errorCode(e)) || err?.$fault === 'server' || status >= 500;
}

/** Seconds the service asked us to wait (ThrottlingException.retryAfterSeconds or Retry-After). */
export function retryAfterMs(e: unknown): number {
  const err = e as AwsErrorLike;
  const raw = err?.retryAfterSeconds ?? err?.$response?.headers?.['retry-after'];
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** Backoff before attempt `attempt + 1`: full jitter, never shorter than what the service asked for. */
export function backoffDelay(attempt: number, e: unknown, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'> = {}): number {
  const base = options.baseDelayMs ?? 1000;
  const cap = options.maxDelayMs ?? 60_000;
  const ceiling = Math.min(cap, base * 2 ** attempt);
  const jittered = Math.floor((options.random ?? Math.random)() * ceiling);
  return Math.max(retryAfterMs(e), jittered, isThrottling(e) ? base : 0);
}

/**
 * Runs `call`, retrying throttling and transient server errors with exponential backoff and full
 * jitter on the given clock. For reads: a mutating call goes through `reconciled` (reconcile.ts),
 * which reads state before it sends again.
 */
export async function withRetry<T>(label: string, call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const max = options.maxAttempts ?? 10;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await call();
    } catch (e) {
      if (isThrottling(e)) options.onThrottled?.();
      if (!isRetryable(e) || attempt + 1 >= max) {
        if (isRetryable(e)) (e as Error).message = `${label}: gave up after ${max} attempts: ${(e as Error).message}`;
        throw e;
      }
      const delay = backoffDelay(attempt, e, options);
      options.logger?.warn(`${label}: ${errorCode(e)}, retrying in ${Math.ceil(delay / 1000)} s (attempt ${attempt + 2}/${max})`);
      await options.clock.sleep(delay, options.signal);
    }
  }
}
