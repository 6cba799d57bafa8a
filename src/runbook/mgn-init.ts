import { DescribeSourceServersCommand, InitializeServiceCommand, MgnClient } from '@aws-sdk/client-mgn';
import { RehostError } from '../core/errors';
import { notYet, reconciled, tookEffect } from './reconcile';
import { call, type RetryRuntime } from './runtime';

export type InitializeOutcome = 'already-initialized' | 'initialized';

export interface InitializeOptions {
  /** Reads after InitializeService until MGN answers as initialized. @default 10 */
  readonly maxChecks?: number;
  /** Pause between those reads. @default 3000 */
  readonly checkIntervalMs?: number;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

function isUninitialized(e: unknown): boolean {
  return (e as { name?: string }).name === 'UninitializedAccountException';
}

/** True when MGN answers a read in this account and Region; false when it is not initialized. Throttling and 5xx are retried. */
async function answersAsInitialized(client: MgnClient, rt: RetryRuntime): Promise<boolean> {
  try {
    await call(rt, 'mgn:DescribeSourceServers', () => client.send(new DescribeSourceServersCommand({ filters: {}, maxResults: 1 })));
    return true;
  } catch (e) {
    if (isUninitialized(e)) return false;
    throw e;
  }
}

/**
 * Initializes MGN in the client's account and Region once: reads first, calls InitializeService
 * only when MGN answers UninitializedAccountException, then reads until MGN answers as initialized
 * (bounded). InitializeService creates MGN's service-linked and service roles (including the
 * post-launch role AWSApplicationMigrationLaunchInstanceWithSsmRole) and the default templates.
 */
export async function initializeMgn(client: MgnClient, options: InitializeOptions = {}): Promise<InitializeOutcome> {
  const log = options.log ?? (() => undefined);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const rt: RetryRuntime = { clock: { now: () => new Date(), sleep }, logger: { info: log, warn: log } };
  if (await answersAsInitialized(client, rt)) {
    log('MGN is already initialized: nothing to do');
    return 'already-initialized';
  }
  log('MGN is not initialized: calling InitializeService');
  // Reconciled as every mutating call: a lost answer is settled by asking MGN whether it is initialized.
  await reconciled(rt, {
    call: 'mgn:InitializeService',
    target: 'this account and Region',
    send: () => client.send(new InitializeServiceCommand({})),
    effect: async () => ((await answersAsInitialized(client, rt)) ? tookEffect(undefined) : notYet),
  });
  const maxChecks = options.maxChecks ?? 10;
  const interval = options.checkIntervalMs ?? 3000;
  for (let i = 1; i <= maxChecks; i++) {
    if (await answersAsInitialized(client, rt)) {
      log('MGN answers as initialized');
      return 'initialized';
    }
    log(`MGN does not answer as initialized yet (check ${i}/${maxChecks})`);
    if (i < maxChecks) await sleep(interval);
  }
  throw new RehostError('refusal', `InitializeService returned, but MGN still answered UninitializedAccountException after ${maxChecks} checks ${interval} ms apart`);
}
