import { freePort, startMotoProcess } from '../../src/simulation/moto';
import { motoPython } from './tools';

/** A running moto server on loopback. */
export interface MotoServer {
  readonly url: string;
  readonly port: number;
  /** Account every request lands in (MOTO_ACCOUNT_ID), so provider allowed_account_ids hold. */
  readonly accountId: string;
  stop(): Promise<void>;
}

export { freePort };

export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };


/** The request header that picks moto's account when it runs with `accountPerRequest`. */
export const MOTO_ACCOUNT_HEADER = 'x-moto-account-id';

/**
 * Starts moto_server (through the wrapper that adds the Step Functions actions moto lacks) on a free
 * loopback port and waits until it answers. Every request lands in `accountId`, unless
 * `accountPerRequest`: then each request names its account in MOTO_ACCOUNT_HEADER (moto's default
 * account 123456789012 without it), so one server holds several accounts.
 */
export async function startMoto(options: { accountId?: string; timeoutMs?: number; accountPerRequest?: boolean } = {}): Promise<MotoServer> {
  return startMotoProcess({ python: motoPython(), ...options });
}

/** Clears every resource in a moto server. */
export async function resetMoto(url: string): Promise<void> {
  const r = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
  if (!r.ok) throw new Error(`moto reset failed: ${r.status}`);
}

/** SDK v3 client options for a moto server. */
export function motoClientConfig(url: string, region = 'eu-west-1') {
  return { endpoint: url, region, credentials: MOTO_CREDENTIALS, forcePathStyle: true, maxAttempts: 2 };
}

/** The moto server started by jest global setup (shared; prefer startMoto() for isolation). */
export function sharedMotoUrl(): string {
  const url = process.env.REHOST_TEST_MOTO_URL;
  if (!url) throw new Error('REHOST_TEST_MOTO_URL is not set: jest global setup did not start moto');
  return url;
}
