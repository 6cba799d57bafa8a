import * as z from 'zod';
import { amiSwapHistory, HistoryModel, overHistoryBudget, reEncryptionHistory } from '../history-budget';

const minutes = (what: string, def: number, max: number) =>
  z.number().int().min(1).max(max).default(def).describe(`${what} (minutes). @default ${def}`);

/** Bounded, backing-off polling: the first wait, the longest wait, and the total bound. */
const polling = (def: { initialSeconds: number; maxSeconds: number; timeoutMinutes: number }, what: string) =>
  z
    .object({
      initialSeconds: z.number().int().min(1).max(3600).default(def.initialSeconds).describe(`First wait between two polls. @default ${def.initialSeconds}`),
      maxSeconds: z.number().int().min(1).max(3600).default(def.maxSeconds).describe(`Longest wait between two polls (waits double up to it). @default ${def.maxSeconds}`),
      timeoutMinutes: minutes(`Bound on ${what}; the run fails and cleans up after it`, def.timeoutMinutes, 7 * 24 * 60),
    })
    .strict()
    .refine((p) => p.maxSeconds >= p.initialSeconds, { message: 'maxSeconds must be >= initialSeconds', path: ['maxSeconds'] })
    .prefault({})
    .describe(`Polling while ${what}`);

/**
 * Refuses polling settings whose workflow could exceed the history budget, naming the setting to
 * change (the one whose poll adds most) and the worst case.
 */
function withinHistoryBudget<S, T extends S & { enabled: boolean }>(worstCase: (s: S) => HistoryModel, loops: Record<string, string>) {
  return (s: T, ctx: z.RefinementCtx<T>) => {
    if (!s.enabled) return; // not deployed: nothing to bound
    const over = overHistoryBudget(worstCase(s), loops);
    if (!over) return;
    const p = (s as unknown as Record<string, { initialSeconds: number; maxSeconds: number; timeoutMinutes: number }>)[over.setting];
    ctx.addIssue({ code: 'custom', path: [over.setting], message: over.message, input: `initialSeconds ${p.initialSeconds}, maxSeconds ${p.maxSeconds}, timeoutMinutes ${p.timeoutMinutes}` });
  };
}

const amiReEncryptionFields = z
  .object({
    enabled: z.boolean().default(true).describe('Deploy the pipeline (EventBridge rule + state machine). @default true'),
    sourceImageTagKey: z
      .string()
      .min(1)
      .default('AWSApplicationMigrationServiceSourceServerID')
      .describe('Only images carrying this tag are re-encrypted; its value is taken as the source server ID. The key MGN puts on its images is unconfirmed: set it to what your images carry. @default AWSApplicationMigrationServiceSourceServerID'),
    waveTagKey: z.string().min(1).default('rehost-factory:wave').describe('Tag of the source image naming its wave, copied to the re-encrypted image. @default rehost-factory:wave'),
    targetAccountTagKey: z
      .string()
      .min(1)
      .default('rehost-factory:target-account')
      .describe('Tag of the source image naming the target account (accounts.targets[].name); else the server\'s targetAccount, else the first target. @default rehost-factory:target-account'),
    deregisterSource: z.boolean().default(false).describe('After a successful copy, deregister the source image and delete its snapshots. @default false'),
    copyPolling: polling({ initialSeconds: 60, maxSeconds: 900, timeoutMinutes: 12 * 60 }, 'the encrypted copy is pending'),
  })
  .strict();

export const amiReEncryptionSection = amiReEncryptionFields
  .superRefine(withinHistoryBudget(reEncryptionHistory, { CopyPollDelay: 'copyPolling' }))
  .prefault({})
  .describe('Re-encrypt MGN images with the target account\'s key as soon as they exist');

const amiSwapFields = z
  .object({
    enabled: z.boolean().default(false).describe('Deploy the pipeline (EventBridge rule + state machine). @default false'),
    sysprepDocument: z.string().min(1).default('AWSEC2-RunSysprep').describe('SSM document run on Windows temporary instances before imaging. @default AWSEC2-RunSysprep'),
    keepImages: z.number().int().min(1).max(50).default(3).describe('Images made by the pipeline kept per Auto Scaling group (older ones are deregistered with their snapshots). @default 3'),
    instanceRefresh: z
      .object({
        enabled: z.boolean().default(true).describe('Start an instance refresh after the launch template changed. @default true'),
        minHealthyPercentage: z.number().int().min(0).max(100).default(90).describe('@default 90'),
        skipMatching: z.boolean().default(true).describe('Skip instances already on the new launch template version. @default true'),
        instanceWarmupSeconds: z.number().int().min(0).max(3600).optional().describe('@default the group\'s own warm-up'),
      })
      .strict()
      .prefault({})
      .describe('Auto Scaling instance refresh'),
    instancePolling: polling({ initialSeconds: 15, maxSeconds: 120, timeoutMinutes: 30 }, 'the temporary instance boots and passes its status checks'),
    sysprepPolling: polling({ initialSeconds: 30, maxSeconds: 300, timeoutMinutes: 90 }, 'Sysprep runs (Windows only)'),
    imagePolling: polling({ initialSeconds: 60, maxSeconds: 600, timeoutMinutes: 6 * 60 }, 'the new image is pending'),
  })
  .strict();

export const amiSwapSection = amiSwapFields
  .superRefine(withinHistoryBudget(amiSwapHistory, { InstancePollDelay: 'instancePolling', SysprepPollDelay: 'sysprepPolling', ImagePollDelay: 'imagePolling' }))
  .prefault({})
  .describe('Swap Auto Scaling group AMIs after AWS Backup jobs');

export const automationSection = z
  .object({
    notifications: z
      .object({
        emails: z.array(z.email({ error: 'expected an e-mail address' })).default([]).describe('E-mail subscriptions of the notification topic (each must confirm). @default none'),
        onSuccess: z.boolean().default(true).describe('Also notify successful runs. @default true'),
      })
      .strict()
      .prefault({})
      .describe('SNS topic the pipelines publish to'),
    amiReEncryption: amiReEncryptionSection,
    amiSwap: amiSwapSection,
  })
  .strict()
  .describe('Event-driven automation');

export type AutomationSettings = z.infer<typeof automationSection>;
// From the fields: the sections' history check reads these types (no circular inference).
export type AmiReEncryptionSettings = z.infer<typeof amiReEncryptionFields>;
export type AmiSwapSettings = z.infer<typeof amiSwapFields>;
export type PollingSettings = AmiSwapSettings['imagePolling'];
