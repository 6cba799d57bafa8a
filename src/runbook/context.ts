import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { MgnClient } from '@aws-sdk/client-mgn';
import type { SSMClient } from '@aws-sdk/client-ssm';

export { Clock, systemClock } from '../core/clock';
export { Logger, silentLogger } from '../core/logger';

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
