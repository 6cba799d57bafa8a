import * as z from 'zod';
import { BOOTSTRAP_DOCUMENTS } from '../bootstrap-documents';

/** The bootstrap documents shipped in ssm-documents/ that can run as post-launch actions. */
export const bootstrapDocument = z.enum(BOOTSTRAP_DOCUMENTS);

export const bootstrapSection = z
  .object({
    logGroupName: z.string().default('/rehost-factory/bootstrap').describe('CloudWatch Logs group for document output. @default /rehost-factory/bootstrap'),
    logRetentionDays: z.number().int().positive().default(365).describe('Retention of the bootstrap log group. @default 365'),
    postLaunch: z
      .array(
        z
          .object({
            document: bootstrapDocument.describe('Which bootstrap document'),
            deployment: z.enum(['TEST_AND_CUTOVER', 'CUTOVER_ONLY', 'TEST_ONLY']).default('TEST_AND_CUTOVER').describe('When it runs. @default TEST_AND_CUTOVER'),
            mustSucceedForCutover: z.boolean().default(true).describe('Block cutover when it fails. @default true'),
            parameters: z.record(z.string(), z.array(z.string())).default({}).describe('Document parameters'),
          })
          .strict(),
      )
      .default([])
      .describe('Post-launch actions in the order they run'),
    legacyAgents: z.array(z.string()).default([]).describe('Package or service names that remove-legacy-agents uninstalls'),
    activeDirectory: z
      .object({
        domainNameParameter: z.string().describe('Parameter Store name holding the domain name'),
        usernameParameter: z.string().describe('Parameter Store name holding the join user'),
        passwordParameter: z.string().describe('SecureString parameter holding the join password'),
        ouParameter: z.string().optional().describe('Parameter Store name holding the target OU'),
      })
      .strict()
      .optional()
      .describe('Parameters for join-active-directory'),
  })
  .strict()
  .describe('Post-launch bootstrap with SSM documents');
