import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { MgnClient } from '@aws-sdk/client-mgn';
import type { SSMClient } from '@aws-sdk/client-ssm';

/** Time as the runbook sees it: the wall clock in production, the MGN fake's VirtualClock in tests. */
export interface Clock {
  now(): Date;
  /**
   * Waits `ms` (a VirtualClock advances simulated time instead); returns early when `signal` is
   * aborted, so an interrupted run stops waiting at once.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Progress and diagnostics; the CLI prints them, actions send them to the job log. */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined };

/** The AWS clients of one account and Region. */
export interface RunbookClients {
  readonly mgn: MgnClient;
  readonly ec2: EC2Client;
  readonly kms: KMSClient;
  readonly ssm: SSMClient;
  readonly iam: IAMClient;
}

/** Connects a TCP port; resolves true when it answers within the timeout. */
export type TcpProbe = (host: string, port: number, timeoutMs: number) => Promise<boolean>;
