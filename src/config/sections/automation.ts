import { z } from 'zod';

export const automationSection = z
  .object({
    amiReEncryption: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}).describe('Re-encrypt MGN images with the target key as soon as they exist'),
    amiSwap: z.object({ enabled: z.boolean().default(false) }).strict().prefault({}).describe('Swap Auto Scaling group AMIs after AWS Backup jobs'),
  })
  .strict()
  .describe('Event-driven automation');
