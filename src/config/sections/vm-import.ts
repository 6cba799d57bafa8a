import { z } from 'zod';

export const vmImportSection = z
  .object({
    enabled: z.boolean().default(false).describe('Create the VM Import bucket and vmimport role. @default false'),
  })
  .strict()
  .describe('VM Import for servers that cannot run the MGN agent');
