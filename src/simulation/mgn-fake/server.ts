import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VirtualClock } from './clock';
import { EndpointEc2, Limiter, SyntheticEc2 } from './ec2';
import { accessDenied, internalError, MgnError, throttled, uninitialized, validation } from './errors';
import type { Body } from './fields';
import { JobEngine } from './jobs';
import { accountOperations } from './ops/account';
import type { Operation, OperationContext } from './ops/context';
import { launchSettingsOperations } from './ops/launch-settings';
import { planOperations } from './ops/plan';
import { serverOperations } from './ops/servers';
import { hex, IdGenerator, SeededRandom } from './random';
import { seedServers } from './seed';
import { DEFAULT_QUOTAS, MgnState } from './state';
import type { FaultOptions, MgnFake, MgnFakeOptions } from './types';

const OPERATIONS: Record<string, Operation> = { ...accountOperations, ...serverOperations, ...launchSettingsOperations, ...planOperations };

/** Operation name of a request: POST /<Operation>, or the REST routes of the tagging API. */
function operationOf(method: string, path: string): { name: string; resourceArn?: string } {
  const tags = /^\/tags\/(.+)$/.exec(path);
  if (tags) {
    const name = method === 'GET' ? 'ListTagsForResource' : method === 'POST' ? 'TagResource' : method === 'DELETE' ? 'UntagResource' : `${method} /tags`;
    return { name, resourceArn: decodeURIComponent(tags[1]) };
  }
  return { name: method === 'POST' ? path.slice(1) : `${method} ${path}` };
}

async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Body;
  } catch {
    throw validation('Request body is not a JSON object', 'cannotParse');
  }
}

/** Starts the fake on a free loopback port. */
export async function startMgnFake(options: MgnFakeOptions = {}): Promise<MgnFake> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '111111111111';
  const clock = options.clock ?? new VirtualClock();
  const durationMinutes = options.jobDurationMinutes ?? 20;
  if (!(durationMinutes > 0)) throw new RangeError(`MGN fake: jobDurationMinutes must be > 0, got ${durationMinutes}`);
  let faults: FaultOptions = { ...(options.faults ?? {}) };
  let random = new SeededRandom(faults.seed ?? 1);
  const ids = new IdGenerator(`${accountId}/${region}`);
  const state = new MgnState(region, accountId, clock, ids, { ...DEFAULT_QUOTAS, ...(options.quotas ?? {}) }, () => faults, !options.uninitialized);
  const ec2 = options.ec2Endpoint ? new EndpointEc2(options.ec2Endpoint, region) : new SyntheticEc2(ids);
  const limiter = new Limiter(8);
  const launchCounts = new Map<string, number>();
  const engine = new JobEngine(state, ec2, durationMinutes * 60_000, launchCounts);
  const ctx: OperationContext = { state, engine };
  const calls = new Map<string, number>();
  /** Error answers by "<operation> <error type>". */
  const errors = new Map<string, number>();
  let requests = 0;
  const rateLimiter = new TokenBucket();
  /** Answers lost on purpose per operation, in total and since the faults were last set. */
  const lost = new Map<string, number>();
  let lostSinceSet = new Map<string, number>();
  // MGN's state changes one request at a time, so concurrent callers see a consistent service.
  let queue: Promise<unknown> = Promise.resolve();

  async function answer(req: IncomingMessage, name: string, resourceArn: string | undefined, query: URLSearchParams): Promise<{ status: number; body?: unknown }> {
    const operation = OPERATIONS[name];
    if (!operation) throw validation(`The MGN fake does not implement ${name}`, 'unknownOperation');
    const body = await readBody(req);
    // Faults are sampled before anything changes, as a throttled or failed call must have no effect.
    if (faults.requestRate) {
      const wait = rateLimiter.take(faults.requestRate, clock.nowMs());
      if (wait > 0) throw throttled(Math.ceil(wait / 1000));
    }
    const sample = random.next();
    if (sample < (faults.throttleRate ?? 0)) throw throttled(1 + Math.floor(random.next() * 3));
    if (sample < (faults.throttleRate ?? 0) + (faults.serverErrorRate ?? 0) || faults.failOperations?.includes(name)) throw internalError();
    if (!state.initialized && name !== 'InitializeService') throw uninitialized();
    if (typeof body.accountID === 'string' && body.accountID !== accountId) throw accessDenied(`Account ${body.accountID} is not managed from account ${accountId}`);
    const latency = faults.latencyMs?.[name] ?? faults.latencyMs?.['*'] ?? 0;
    if (latency > 0) await clock.sleep(latency);
    const run = queue.then(async () => {
      await engine.catchUp();
      return operation.handle(ctx, body, { resourceArn, query });
    });
    queue = run.catch(() => undefined);
    const result = await run;
    return operation.status === 204 ? { status: 204 } : { status: operation.status, body: result ?? {} };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = hex(`request/${++requests}`, 32);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { name, resourceArn } = operationOf(req.method ?? 'GET', url.pathname);
    calls.set(name, (calls.get(name) ?? 0) + 1);
    let status: number;
    let payload: string | undefined;
    const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
    try {
      const out = await answer(req, name, resourceArn, url.searchParams);
      if (loseAnswer(name)) {
        // The call took effect; its answer never leaves: the client sees the connection reset.
        lost.set(name, (lost.get(name) ?? 0) + 1);
        req.socket.destroy();
        return;
      }
      status = out.status;
      if (out.body !== undefined) payload = JSON.stringify(out.body);
    } catch (err) {
      const error = err instanceof MgnError ? err : new MgnError('InternalServerException', 500, { message: `MGN fake failed on ${name}: ${(err as Error).stack ?? err}` });
      status = error.status;
      payload = JSON.stringify(error.body);
      Object.assign(headers, error.headers, { 'x-amzn-errortype': error.type });
      errors.set(`${name} ${error.type}`, (errors.get(`${name} ${error.type}`) ?? 0) + 1);
    }
    if (payload !== undefined) headers['content-type'] = 'application/json';
    res.writeHead(status, headers);
    res.end(payload);
  }

  /** Whether this answer of a mutating operation is to be lost (faults.loseAnswers first, then loseAnswerRate). */
  function loseAnswer(name: string): boolean {
    if (/^(Describe|List|Get)/.test(name)) return false;
    for (const key of [name, '*']) {
      const budget = faults.loseAnswers?.[key] ?? 0;
      if ((lostSinceSet.get(key) ?? 0) < budget) {
        lostSinceSet.set(key, (lostSinceSet.get(key) ?? 0) + 1);
        return true;
      }
    }
    const rate = faults.loseAnswerRate ?? 0;
    return rate > 0 && random.next() < rate;
  }

  const server = createServer((req, res) => void handle(req, res));
  // Node closes idle keep-alive sockets after 5 s; a client that reuses one just then gets
  // ECONNRESET. Keep them longer than the SDK's agent does, as AWS endpoints do.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    clock,
    seedServers: (servers) => seedServers(state, ec2, limiter, servers),
    get faults() {
      return faults;
    },
    set faults(next: FaultOptions) {
      if (next.seed !== faults.seed) random = new SeededRandom(next.seed ?? 1);
      faults = next;
      lostSinceSet = new Map();
    },
    calls: (operation) => (operation === undefined ? [...calls.values()].reduce((a, b) => a + b, 0) : (calls.get(operation) ?? 0)),
    errors: (type, operation) => [...errors].filter(([key]) => (!operation || key.startsWith(`${operation} `)) && (!type || key.endsWith(` ${type}`))).reduce((n, [, v]) => n + v, 0),
    lostAnswers: (operation) => (operation === undefined ? [...lost.values()].reduce((a, b) => a + b, 0) : (lost.get(operation) ?? 0)),
    launches: (id, initiatedBy) => (initiatedBy ? [initiatedBy] : ['START_TEST', 'START_CUTOVER']).reduce((n, mode) => n + (launchCounts.get(`${id}/${mode}`) ?? 0), 0),
    get peaks() {
      return { ...state.peaks };
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The account's request rate: a token bucket on the virtual clock. */
class TokenBucket {
  private tokens?: number;
  private at = 0;

  /** Takes a token; returns 0, or the milliseconds until one is back when the bucket is empty. */
  take(rate: { perSecond: number; burst?: number }, nowMs: number): number {
    const burst = rate.burst ?? rate.perSecond;
    this.tokens = Math.min(burst, (this.tokens ?? burst) + ((nowMs - this.at) / 1000) * rate.perSecond);
    this.at = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) / rate.perSecond) * 1000;
  }
}
