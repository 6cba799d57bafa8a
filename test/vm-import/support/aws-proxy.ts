import { createServer, IncomingHttpHeaders, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { MOTO_ACCOUNT_HEADER } from '../../support/moto';

/** One request that went through the proxy, with moto's (or the interceptor's) answer. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** EC2 Query `Action` or JSON `x-amz-target`, when the request has one. */
  readonly action?: string;
  /** Form fields (EC2 Query) or parsed JSON (x-amz-target protocols); empty for REST calls. */
  readonly params: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
  readonly bodyBytes: number;
  readonly status: number;
  /** Requests in flight (this one included) when it arrived: how parallel the client was. */
  readonly concurrent: number;
  /** The moto account it was sent to, when the proxy routes accounts. */
  readonly account?: string;
}

export interface InterceptedRequest {
  readonly method: string;
  readonly url: string;
  readonly action?: string;
  /** Form fields (EC2 Query) or parsed JSON (x-amz-target protocols). */
  readonly params: Record<string, unknown>;
}

export interface InterceptedResponse {
  readonly status?: number;
  readonly contentType: string;
  readonly body: string;
}

/** Answers a request itself instead of moto; return undefined to let moto answer. */
export type Interceptor = (req: InterceptedRequest) => Promise<InterceptedResponse | undefined> | InterceptedResponse | undefined;

export interface AwsProxy {
  readonly url: string;
  readonly requests: ProxiedRequest[];
  /** Resolves once no request is being handled (e.g. after a client aborted its uploads). */
  idle(): Promise<void>;
  /** Called after each answered request (e.g. to abort an upload after N parts). */
  onAnswered?: (r: ProxiedRequest) => void;
  stop(): Promise<void>;
}

export interface AwsProxyOptions {
  /**
   * For a moto started with `accountPerRequest`: the account of requests that do not name one in
   * MOTO_ACCOUNT_HEADER (the staging account the runbook's credentials belong to). A KMS request whose
   * KeyId is an ARN goes to the account the ARN names, as KMS resolves a key ARN or alias ARN of another
   * account (key policies, which would also have to allow it, are not modelled).
   * @default moto's own account handling
   */
  readonly defaultAccount?: string;
}

/**
 * A loopback HTTP proxy in front of moto that records every request (so tests can count, e.g., how
 * often each part was uploaded) and lets a test answer the few actions moto does not implement.
 */
export async function startAwsProxy(targetUrl: string, interceptor?: Interceptor, options: AwsProxyOptions = {}): Promise<AwsProxy> {
  const target = new URL(targetUrl);
  const requests: ProxiedRequest[] = [];
  let inFlight = 0;
  const proxy: AwsProxy = {
    url: '',
    requests,
    stop: async () => undefined,
    idle: async () => {
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
    },
  };
  const server: Server = createServer((req, res) => {
    // In flight until moto has answered, not until the client left: a killed client's last part may
    // still be stored after its connection closed.
    inFlight++;
    handle(req, res, inFlight)
      .catch(() => res.destroy()) // a client that aborts mid-body is not an error here
      .finally(() => inFlight--);
  });
  const handle = async (req: IncomingMessage, res: ServerResponse, concurrent: number) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://proxy');
    const { action, params } = parseAction(req, body);
    const account = options.defaultAccount ? accountOf(req, params, options.defaultAccount) : undefined;
    const record = (status: number) => {
      const r: ProxiedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        action,
        params,
        headers: req.headers,
        bodyBytes: body.length,
        status,
        concurrent,
        account,
      };
      requests.push(r);
      proxy.onAnswered?.(r);
    };
    const own = interceptor ? await interceptor({ method: req.method ?? 'GET', url: req.url ?? '/', action, params }) : undefined;
    if (own) {
      res.writeHead(own.status ?? 200, { 'content-type': own.contentType });
      res.end(own.body);
      record(own.status ?? 200);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host, ...(account ? { [MOTO_ACCOUNT_HEADER]: account } : {}) },
        },
        (up) => {
          // moto answers only after it has handled the request (e.g. stored the part): record now, even
          // if the client goes away before reading the body.
          record(up.statusCode ?? 502);
          res.writeHead(up.statusCode ?? 502, httpDates(up.headers));
          up.pipe(res);
          resolve();
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return proxy;
}

/**
 * moto 5.2.1 writes GetObjectAttributes' Last-Modified in ISO 8601, which the SDK refuses to parse (it
 * wants the RFC 7231 date every HTTP header uses); the proxy rewrites it so that call can be used.
 */
function httpDates(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const lm = headers['last-modified'];
  return lm && /^\d{4}-\d\d-\d\dT/.test(lm) ? { ...headers, 'last-modified': new Date(lm).toUTCString() } : headers;
}

/** The account a request is for: a KMS key ARN's account, else the one it names, else the default. */
function accountOf(req: IncomingMessage, params: Record<string, unknown>, fallback: string): string {
  const target = String(req.headers['x-amz-target'] ?? '');
  const keyArnAccount = target.startsWith('TrentService.') ? /^arn:aws[a-z-]*:kms:[a-z0-9-]+:(\d{12}):/.exec(String(params.KeyId ?? ''))?.[1] : undefined;
  const named = req.headers[MOTO_ACCOUNT_HEADER];
  return keyArnAccount ?? (typeof named === 'string' ? named : fallback);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('client aborted')));
  });
}

function parseAction(req: IncomingMessage, body: Buffer): { action?: string; params: Record<string, unknown> } {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    return { action: target.split('.').pop(), params: body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {} };
  }
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    return { action: form.Action, params: form };
  }
  return { params: {} };
}
