import * as z from 'zod';
import { isoDuration } from '../primitives';

export const runbookSection = z
  .object({
    maxReplicationLag: isoDuration
      .default('PT15M')
      .describe('Preflight refuses servers whose replication lag is longer. @default PT15M'),
    launchTimeoutMinutes: z.number().int().positive().default(90).describe('Bound on waiting for a launch job. @default 90'),
    statusCheckTimeoutMinutes: z.number().int().positive().default(30).describe('Bound on waiting for EC2 status checks. @default 30'),
    postLaunchTimeoutMinutes: z.number().int().positive().default(60).describe('Bound on waiting for post-launch actions. @default 60'),
    tcpChecks: z.array(z.object({ port: z.number().int().min(1).max(65535), server: z.string().optional() }).strict()).default([]).describe('TCP ports checked on launched instances'),
    tcpCheckTimeoutMinutes: z.number().int().positive().default(10).describe('Bound on waiting for a TCP port to answer. @default 10'),
    pollIntervalSeconds: z.number().int().min(5).max(600).default(30).describe('How often MGN and EC2 state is read while waiting. @default 30'),
    ssmDocumentPrefix: z.string().regex(/^[a-zA-Z0-9_.-]*$/, 'expected letters, digits, "_", "." or "-"').optional().describe('Prefix of the deployed bootstrap SSM document names. @default "<estate name>-"'),
    quotas: z
      .object({
        serversPerJob: z.number().int().min(1).default(200).describe('Servers per MGN launch job. @default 200'),
        serversInActiveJobs: z.number().int().min(1).default(200).describe('Servers across all active MGN jobs of the account and Region. @default 200'),
        concurrentJobs: z.number().int().min(1).default(20).describe('Concurrent MGN jobs of the account and Region. @default 20'),
      })
      .strict()
      .prefault({})
      .describe('MGN job quotas the launches are batched under (raise them only after AWS raised yours)'),
  })
  .strict()
  .describe('Cutover runbook settings');

/** Endpoint overrides per service, e.g. the staging VPC's private endpoints from a self-hosted runner. */
export const endpointsSection = z
  .partialRecord(z.enum(['mgn', 'ec2', 'kms', 'ssm', 's3', 'sts', 'iam', 'sfn']), z.url({ error: 'expected an https:// or http:// URL' }))
  .describe('AWS API endpoint per service; AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL take precedence');
