import * as z from 'zod';

/** A branch or environment name pinned in the roles' sub claim: exact, so no wildcard. */
const exactName = (what: string) => z.string().regex(/^[^*?]+$/, `expected a plain ${what} name without wildcards (* or ?): it pins the sub claim of the workflow role`);

export const githubSection = z
  .object({
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected "owner/repo"').describe('The repository whose workflows assume the roles'),
    branch: exactName('branch').default('main').describe('Protected branch that may apply. @default main'),
    applyEnvironment: exactName('environment').default('infrastructure').describe('Environment of the apply job. @default infrastructure'),
    cutoverEnvironment: exactName('environment').default('cutover').describe('Environment of the cutover.yml jobs that assume the cutover role (the role trusts only it); the approval of cutover, finalize and revert is the separate cutover-approval environment. @default cutover'),
    vmImportEnvironment: exactName('environment')
      .default('vm-import')
      .describe('Environment of the vm-import.yml job that assumes the vm-import role (the role trusts only it). @default vm-import'),
    roleNamePrefix: z
      .string()
      .regex(/^[\w+=,.@-]{1,40}$/, 'expected 1-40 characters allowed in IAM role names')
      .default('rehost-factory')
      .describe('Prefix of the workflow role names: <prefix>-<estate>-plan|apply|cutover|vm-import. @default rehost-factory'),
    createOidcProvider: z.boolean().default(true).describe('Create the GitHub OIDC provider (one per account). @default true'),
  })
  .strict()
  .describe('GitHub repository and environments trusted by the workflow roles');
