import * as z from 'zod';
import { bootModeRefusal, IMPORT_BOOT_MODES } from '../boot-modes';
import { kmsKeyArn, name } from '../primitives';

/** The import bucket: where disk images are uploaded before ImportImage reads them. */
const bucket = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens')
      .optional()
      .describe('Name of the import bucket. @default <estate>-vm-import-<staging account>'),
    prefix: z
      .string()
      .regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, 'expected a key prefix ending with "/", e.g. "images/"')
      .default('images/')
      .describe('Key prefix of uploaded images. @default images/'),
    abortIncompleteUploadsAfterDays: z
      .number()
      .int()
      .min(1)
      .default(7)
      .describe('Abort multipart uploads left incomplete this many days (resumes must finish within it). @default 7'),
    expireImagesAfterDays: z
      .number()
      .int()
      .min(1)
      .default(30)
      .describe('Delete uploaded images (and their old versions) this many days after upload. @default 30'),
  })
  .strict()
  .prefault({});

const upload = z
  .object({
    concurrency: z.number().int().min(1).max(64).default(8).describe('Parts uploaded in parallel. @default 8'),
    progressIntervalSeconds: z
      .number()
      .int()
      .min(1)
      .default(30)
      .describe('Seconds between progress lines when the output is not a terminal (CI logs). @default 30'),
  })
  .strict()
  .prefault({});

const importTask = z
  .object({
    timeoutMinutes: z.number().int().positive().default(360).describe('Bound on waiting for the ImportImage task. @default 360'),
    pollSeconds: z.number().int().min(1).default(30).describe('Seconds between reads of the import task, the instance and SSM while waiting. @default 30'),
    licenseType: z.enum(['AWS', 'BYOL']).optional().describe('License type of the imported image. @default AWS decides from the OS'),
    bootMode: z
      .enum(IMPORT_BOOT_MODES, { error: (issue) => bootModeRefusal(issue.input) })
      .optional()
      .describe('Boot mode of the imported image: only legacy-bios (encrypted UEFI imports are impossible, uefi-preferred is not supported by ImportImage). @default detected by VM Import'),
  })
  .strict()
  .prefault({});

export const vmImportSection = z
  .object({
    enabled: z.boolean().default(false).describe('Create the VM Import bucket and vmimport role. @default false'),
    bucket: bucket.describe('The import bucket'),
    targetAccount: name
      .optional()
      .describe('Target account whose EBS key encrypts the bucket and the imported snapshots. @default the first target account'),
    kmsKeyArn: kmsKeyArn.optional().describe('Encrypt with this key instead of the target account\'s EBS key'),
    upload: upload.describe('Multipart upload of disk images'),
    import: importTask.describe('The ImportImage task'),
  })
  .strict()
  .describe('VM Import for servers that cannot run the MGN agent');

export type VmImportConfig = z.infer<typeof vmImportSection>;
