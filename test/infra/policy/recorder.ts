import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { MOTO_ACCOUNT_HEADER } from '../../support/moto';

/**
 * Who makes a request. The oracle evaluates requests of kind `role` (a role of the estate or of its
 * accounts) against the policies; `service` requests are modelled calls of an AWS service with its
 * own identity (evaluated against resource policies only); `admin` (the administrator's bootstrap)
 * and `setup` (test scaffolding that stands for things outside the estate) are recorded but not
 * evaluated.
 */
export interface Principal {
  /** ARN of the role, or the service principal (e.g. mgn.amazonaws.com). */
  readonly arn: string;
  readonly account: string;
  readonly kind: 'role' | 'service' | 'admin' | 'setup';
}

/** One request as it went through the recorder, with the answer. */
export interface RecordedRequest {
  readonly seq: number;
  readonly principal: Principal;
  /** Which upstream answered: moto, or the MGN fake. */
  readonly upstream: string;
  /** SigV4 signing name of the request (ec2, s3, kms, iam, mgn, ...). */
  readonly service: string;
  readonly region: string;
  readonly method: string;
  /** URL path, percent-decoded. */
  readonly path: string;
  readonly query: Record<string, string>;
  /** Request headers (lower-case). */
  readonly headers: Record<string, string>;
  /** Form fields (Query protocols) or the JSON body; {} otherwise. */
  readonly params: Record<string, unknown>;
  /** The body as text when it is neither form nor JSON (S3 XML), at most 64 KiB. */
  readonly bodyText: string;
  readonly status: number;
  /** The answer's body, at most 256 KiB (IDs of what a call created, STS credentials). */
  readonly response: string;
  /** What the inspector read of the resources the request names, before it was forwarded (tags, boundaries). */
  readonly before: Record<string, unknown>;
}

/** Reads the state of what a request is about to change (its resources' tags), before it reaches the upstream. */
export type Inspector = (request: PendingRequest) => Promise<Record<string, unknown>>;

/** A request as the inspector sees it. */
export interface PendingRequest {
  readonly principal: Principal;
  readonly service: string;
  readonly region: string;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly params: Record<string, unknown>;
  /** The moto account the request goes to. */
  readonly account?: string;
}

export interface Recorder {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Makes requests signed with `accessKeyId` those of `principal`. */
  register(accessKeyId: string, principal: Principal): void;
  principalOf(accessKeyId: string): Principal | undefined;
  stop(): Promise<void>;
}

export interface RecorderOptions {
  /** Label of the upstream in the records. */
  readonly name: string;
  /**
   * Route each request to the moto account of its principal (moto started with accountPerRequest).
   * A KMS request naming a key or alias by ARN goes to the account in the ARN, as KMS resolves it.
   * @default false
   */
  readonly accountPerPrincipal?: boolean;
  /** Shared principal registry (one recorder per upstream, one set of credentials). @default its own */
  readonly registry?: Map<string, Principal>;
  /** Reads what a request will change before it is forwarded. @default none */
  readonly inspector?: Inspector;
}

const SIGV4 = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/**
 * A loopback HTTP proxy in front of an emulator (moto, the MGN fake) that records every request with
 * the principal that signed it. Each principal signs with its own access key ID; keys that STS hands
 * out (AssumeRole through the recorder) are learned from its answers, so a Terraform provider that
 * assumes a role in a target account is recorded as that role. A request signed with a key nobody
 * registered fails the run at once: an unattributed call could not be evaluated.
 */
export async function startRecorder(targetUrl: string, options: RecorderOptions): Promise<Recorder> {
  const target = new URL(targetUrl);
  const registry = options.registry ?? new Map<string, Principal>();
  const requests: RecordedRequest[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const auth = String(req.headers.authorization ?? '');
    const sig = SIGV4.exec(auth);
    const url = new URL(req.url ?? '/', 'http://recorder');
    if (!sig) throw new Error(`unsigned request ${req.method} ${url.pathname} to ${options.name}`);
    const [, keyId, region, service] = sig;
    const principal = registry.get(keyId);
    if (!principal) throw new Error(`request signed with unregistered access key ${keyId} (${service} ${req.method} ${url.pathname})`);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : String(v ?? '')]));
    const { params, bodyText } = parseBody(headers, body);
    const account = options.accountPerPrincipal ? accountFor(principal, headers, params) : undefined;
    const path = decodeURIComponent(url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const before = options.inspector ? await options.inspector({ principal, service, region, method: req.method ?? 'GET', path, query, headers, params, account }) : {};
    const upstream = await forward(target, req, body, account);
    const text = upstream.body.toString('utf8');
    const record: RecordedRequest = {
      seq: requests.length,
      principal,
      upstream: options.name,
      service,
      region,
      method: req.method ?? 'GET',
      path,
      query,
      headers,
      params,
      bodyText,
      status: upstream.status,
      response: text.length > 262_144 ? text.slice(0, 262_144) : text,
      before,
    };
    requests.push(record);
    learnAssumedRole(record, registry);
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      process.stderr.write(`recorder ${options.name}: ${e.message}\n`);
      res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`recorder: ${e.message}`);
    });
  });
  // The MGN fake keeps idle sockets 65 s; so does the recorder (SDK keep-alive reuses them).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    register: (key, principal) => void registry.set(key, principal),
    principalOf: (key) => registry.get(key),
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(headers: Record<string, string>, body: Buffer): { params: Record<string, unknown>; bodyText: string } {
  const type = headers['content-type'] ?? '';
  const text = body.length <= 65_536 ? body.toString('utf8') : '';
  if (type.startsWith('application/x-www-form-urlencoded')) return { params: Object.fromEntries(new URLSearchParams(text)), bodyText: '' };
  if (headers['x-amz-target'] || /json/.test(type)) {
    try {
      const parsed = text.trim() ? (JSON.parse(text) as unknown) : {};
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { params: parsed as Record<string, unknown>, bodyText: '' };
    } catch {
      // not JSON after all (an S3 object body with a JSON content type)
    }
  }
  return { params: {}, bodyText: /^\s*</.test(text) ? text : '' };
}

/** The moto account a request is for: a KMS key or alias ARN's account, else the principal's. */
function accountFor(principal: Principal, headers: Record<string, string>, params: Record<string, unknown>): string {
  if ((headers['x-amz-target'] ?? '').startsWith('TrentService.')) {
    const id = String(params.KeyId ?? params.TargetKeyId ?? '');
    const m = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:(\d{12}):/.exec(id);
    if (m) return m[1];
  }
  return principal.account;
}

async function forward(target: URL, req: IncomingMessage, body: Buffer, account?: string): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: target.host, ...(account ? { [MOTO_ACCOUNT_HEADER]: account } : {}) };
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
        const lm = out['last-modified'];
        // moto writes some Last-Modified headers in ISO 8601; SDKs want the HTTP date format.
        if (typeof lm === 'string' && /^\d{4}-\d\d-\d\dT/.test(lm)) out['last-modified'] = new Date(lm).toUTCString();
        const payload = Buffer.concat(chunks);
        out['content-length'] = String(payload.length);
        resolve({ status: r.statusCode ?? 502, headers: out, body: payload });
      });
      r.on('error', reject);
    });
    up.on('error', reject);
    up.end(body);
  });
}

/** STS answers carry new credentials: requests signed with them are the assumed role's. */
function learnAssumedRole(r: RecordedRequest, registry: Map<string, Principal>): void {
  if (r.service !== 'sts' || r.status !== 200) return;
  const action = String(r.params.Action ?? '');
  if (action !== 'AssumeRole' && action !== 'AssumeRoleWithWebIdentity') return;
  const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(r.response)?.[1];
  const roleArn = String(r.params.RoleArn ?? '');
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/.+$/.exec(roleArn);
  if (!key || !m) return;
  registry.set(key, { arn: roleArn, account: m[1], kind: 'role' });
}
