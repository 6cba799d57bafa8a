import type { FactoryConfig } from '../config/schema';
import type { Clock, Logger, RunbookClients, TcpProbe } from './context';
import { type RetryOptions, withRetry } from '../core/retry';

/** Everything a runbook step needs: passed in, so actions, the CLI and tests each bring their own. */
export interface Runtime {
  readonly config: FactoryConfig;
  readonly clients: RunbookClients;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Retry tuning (tests shorten nothing: time is virtual). @default 10 attempts, 1 s → 60 s full jitter */
  readonly retry?: Omit<RetryOptions, 'clock' | 'logger' | 'signal'>;
  /** TCP reachability probe for runbook.tcpChecks. @default a net.connect probe */
  readonly tcpProbe?: TcpProbe;
  /** MGN accountID parameter for multi-account MGN. @default the caller's account */
  readonly accountID?: string;
  /** Stops waits and retries when aborted (SIGINT, a cancelled workflow). @default never */
  readonly signal?: AbortSignal;
}

/** What retries need of a runtime. */
export type RetryRuntime = Pick<Runtime, 'clock' | 'retry' | 'signal'> & { readonly logger?: Logger };

export function retryOptions(rt: RetryRuntime): RetryOptions {
  return { clock: rt.clock, logger: rt.logger, signal: rt.signal, ...rt.retry };
}

/** Sends one read with throttling-aware retries on the runtime's clock (mutating calls: `reconciled`). */
export function call<T>(rt: RetryRuntime, label: string, send: () => Promise<T>): Promise<T> {
  return withRetry(label, send, retryOptions(rt));
}

/** The accountID field every MGN request takes, when one is configured. */
export function account(rt: Runtime): { accountID?: string } {
  return rt.accountID ? { accountID: rt.accountID } : {};
}
