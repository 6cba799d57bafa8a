import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { basename, dirname, join } from 'node:path';
import { createClient } from '../core/aws/clients';
import { FactoryConfig } from '../config/schema';
import { ImageSource } from './preflight';
import { VmImportClients } from './run';

/** The SDK clients of a run, with the estate's Region and endpoints (private endpoints, emulators). */
export function createVmImportClients(config: FactoryConfig, overrides?: Record<string, unknown>): VmImportClients {
  const settings = { region: config.region, endpoints: config.endpoints, overrides };
  return {
    s3: createClient(S3Client, 's3', settings),
    ec2: createClient(EC2Client, 'ec2', settings),
    kms: createClient(KMSClient, 'kms', settings),
    ssm: createClient(SSMClient, 'ssm', settings),
    iam: createClient(IAMClient, 'iam', settings),
  };
}

export function destroyVmImportClients(clients: VmImportClients): void {
  for (const c of Object.values(clients)) (c as { destroy(): void }).destroy();
}

/** The report goes next to the image file, or into the working directory for an S3 source. */
export function defaultReportPath(image: ImageSource): string {
  return 'path' in image ? join(dirname(image.path), `${basename(image.path)}.vm-import-report.json`) : 'vm-import-report.json';
}
