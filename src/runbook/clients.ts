import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { MgnClient } from '@aws-sdk/client-mgn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createClient } from '../core/aws/clients';
import type { FactoryConfig } from '../config/schema';
import type { RunbookClients } from './context';

/**
 * The runbook's clients for the estate's Region, every one through createClient (endpoint
 * settings: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, factory.yaml `endpoints`). The SDK's own
 * retries are off (maxAttempts 1): the runbook retries on its clock, honouring retryAfterSeconds,
 * so waits stay visible in the log and virtual in tests. A request whose connection stays silent
 * for 30 s ends (TimeoutError): an ambiguous failure that the runbook reconciles like a lost
 * answer. (After a reset connection the SDK's HTTP handler leaves a timer of these 35 s running,
 * which can delay the exit of a process by as much.)
 */
export function createRunbookClients(config: FactoryConfig, options: { overrides?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {}): RunbookClients {
  const settings = { region: config.region, endpoints: config.endpoints, env: options.env, overrides: { maxAttempts: 1, requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true }, ...options.overrides } };
  return {
    mgn: createClient(MgnClient, 'mgn', settings),
    ec2: createClient(EC2Client, 'ec2', settings),
    kms: createClient(KMSClient, 'kms', settings),
    ssm: createClient(SSMClient, 'ssm', settings),
    iam: createClient(IAMClient, 'iam', settings),
  };
}

export function destroyClients(clients: RunbookClients): void {
  for (const c of Object.values(clients)) (c as { destroy(): void }).destroy();
}
