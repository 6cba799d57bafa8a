import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/**
 * The moto wrapper (moto plus the Step Functions actions it lacks), shipped beside this module: the
 * build copies it into lib/simulation/, so a rehearsal runs the same emulator installed as in a
 * checkout, and the test suite starts its moto through this launcher too.
 */
export const MOTO_WRAPPER = resolve(__dirname, 'moto_server_wrapper.py');

/** A running moto server on loopback. */
export interface MotoProcess {
  readonly url: string;
  readonly port: number;
  /** Account every request lands in (MOTO_ACCOUNT_ID), unless requests name their own. */
  readonly accountId: string;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** A python that imports moto, flask and werkzeug. */
  readonly python: string;
  /** @default '123456789012' (moto's default account) */
  readonly accountId?: string;
  /** Each request names its account in the x-moto-account-id header (one server, several accounts). @default false */
  readonly accountPerRequest?: boolean;
  /** Bound on the wait until the server answers. @default 30000 */
  readonly timeoutMs?: number;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

/** Starts moto_server on a free loopback port and waits (bounded) until it answers. */
export async function startMotoProcess(o: StartMotoOptions): Promise<MotoProcess> {
  const accountId = o.accountId ?? '123456789012';
  const timeoutMs = o.timeoutMs ?? 30_000;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, MOTO_ACCOUNT_ID: accountId, PYTHONUNBUFFERED: '1' };
  // MOTO_ACCOUNT_ID outranks the header in moto, so it must be absent for per-request accounts.
  if (o.accountPerRequest) delete env.MOTO_ACCOUNT_ID;
  const script = existsSync(MOTO_WRAPPER) ? [MOTO_WRAPPER] : ['-m', 'moto.server'];
  const child: ChildProcess = spawn(o.python, [...script, '-H', '127.0.0.1', '-p', String(port)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
    if (await fetch(`${url}/moto-api/`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${url} within ${timeoutMs} ms: ${stderr}`);
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
