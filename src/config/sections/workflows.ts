import { z } from 'zod';

export const githubSection = z
  .object({
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected "owner/repo"').describe('The repository whose workflows assume the roles'),
    branch: z.string().default('main').describe('Protected branch that may apply. @default main'),
    applyEnvironment: z.string().default('infrastructure').describe('Environment of the apply job. @default infrastructure'),
    cutoverEnvironment: z.string().default('cutover').describe('Environment of cutover, finalize and revert. @default cutover'),
    createOidcProvider: z.boolean().default(true).describe('Create the GitHub OIDC provider (one per account). @default true'),
  })
  .strict()
  .describe('GitHub repository and environments trusted by the workflow roles');

export const runbookSection = z
  .object({
    maxReplicationLag: z
      .string()
      .regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'expected an ISO-8601 duration, e.g. "PT5M"')
      .default('PT15M')
      .describe('Preflight refuses servers whose replication lag is longer. @default PT15M'),
    launchTimeoutMinutes: z.number().int().positive().default(90).describe('Bound on waiting for a launch job. @default 90'),
    statusCheckTimeoutMinutes: z.number().int().positive().default(30).describe('Bound on waiting for EC2 status checks. @default 30'),
    postLaunchTimeoutMinutes: z.number().int().positive().default(60).describe('Bound on waiting for post-launch actions. @default 60'),
    tcpChecks: z.array(z.object({ port: z.number().int().min(1).max(65535), server: z.string().optional() }).strict()).default([]).describe('TCP ports checked on launched instances'),
  })
  .strict()
  .describe('Cutover runbook settings');

/** Endpoint overrides per service, e.g. the staging VPC's private endpoints from a self-hosted runner. */
export const endpointsSection = z
  .record(z.enum(['mgn', 'ec2', 'kms', 'ssm', 's3', 'sts', 'iam', 'sfn']), z.url({ error: 'expected an https:// or http:// URL' }))
  .describe('AWS API endpoint per service; AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL take precedence');

export const automationSection = z
  .object({
    amiReEncryption: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}).describe('Re-encrypt MGN images with the target key as soon as they exist'),
    amiSwap: z.object({ enabled: z.boolean().default(false) }).strict().prefault({}).describe('Swap Auto Scaling group AMIs after AWS Backup jobs'),
  })
  .strict()
  .describe('Event-driven automation');

export const vmImportSection = z
  .object({
    enabled: z.boolean().default(false).describe('Create the VM Import bucket and vmimport role. @default false'),
  })
  .strict()
  .describe('VM Import for servers that cannot run the MGN agent');
