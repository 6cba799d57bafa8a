import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running proxy and what it dropped. */
export interface LossyProxy {
  readonly url: string;
  /** Answers dropped per EC2 action. */
  readonly lost: Map<string, number>;
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of an EC2 endpoint (moto) that loses answers: the first `lose[Action]`
 * requests of each EC2 query action reach the endpoint and take effect there, then the proxy
 * closes the client's connection instead of relaying the response, as a network failure after
 * the service acted would. Everything else passes through unchanged.
 */
export async function startLossyProxy(target: string, lose: Record<string, number>): Promise<LossyProxy> {
  const lost = new Map<string, number>();
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? '';
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            if ((lost.get(action) ?? 0) < (lose[action] ?? 0)) {
              lost.set(action, (lost.get(action) ?? 0) + 1);
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(parts));
          });
        },
      );
      forward.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lost,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
