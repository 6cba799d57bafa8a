import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { motoPython } from './tools';

/** A running moto server on loopback. */
export interface MotoServer {
  readonly url: string;
  readonly port: number;
  /** Account every request lands in (MOTO_ACCOUNT_ID), so provider allowed_account_ids hold. */
  readonly accountId: string;
  stop(): Promise<void>;
}

export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

/** The request header that picks moto's account when it runs with `accountPerRequest`. */
export const MOTO_ACCOUNT_HEADER = 'x-moto-account-id';

/**
 * Starts moto_server (through the wrapper that adds the Step Functions actions moto lacks) on a free
 * loopback port and waits until it answers. Every request lands in `accountId`, unless
 * `accountPerRequest`: then each request names its account in MOTO_ACCOUNT_HEADER (moto's default
 * account 123456789012 without it), so one server holds several accounts.
 */
export async function startMoto(options: { accountId?: string; timeoutMs?: number; accountPerRequest?: boolean } = {}): Promise<MotoServer> {
  const accountId = options.accountId ?? '123456789012';
  const port = await freePort();
  const py = motoPython();
  const env: NodeJS.ProcessEnv = { ...process.env, MOTO_ACCOUNT_ID: accountId, PYTHONUNBUFFERED: '1' };
  // MOTO_ACCOUNT_ID outranks the header in moto, so it must be absent for per-request accounts.
  if (options.accountPerRequest) delete env.MOTO_ACCOUNT_ID;
  const child: ChildProcess = spawn(py, [join(__dirname, '..', '..', 'src', 'simulation', 'moto_server_wrapper.py'), '-H', '127.0.0.1', '-p', String(port)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
    try {
      const r = await fetch(`${url}/moto-api/`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${url} within ${options.timeoutMs ?? 30_000} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    accountId,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
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
