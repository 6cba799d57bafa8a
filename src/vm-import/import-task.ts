import { DescribeImportImageTasksCommand, EC2Client, ImportImageCommand, ImportImageTask } from '@aws-sdk/client-ec2';
import { createHash } from 'node:crypto';
import { ImportBootMode } from '../config/boot-modes';
import { Clock, epochMs } from '../core/clock';
import { sleepOrAbort, WaitTimeoutError } from '../core/wait';
import { RehostError } from '../core/errors';
import { ImageFormat } from './formats';

export type LicenseType = 'AWS' | 'BYOL';

export interface StartImportOptions {
  readonly ec2: EC2Client;
  readonly bucket: string;
  readonly key: string;
  readonly format: ImageFormat;
  readonly kmsKeyArn: string;
  readonly bootMode?: ImportBootMode;
  readonly licenseType?: LicenseType;
  readonly platform?: 'Linux' | 'Windows';
  readonly description: string;
  /** Same token → same task: a re-run after a crash does not start a second import. */
  readonly clientToken: string;
  readonly roleName: string;
  readonly tags?: Record<string, string>;
}

/** Earlier tasks of the same object that ended in failure before a new one is started, at most. */
const MAX_FAILED_TASKS = 5;

/**
 * Starts ImportImage, or gets back the task an earlier run started for the same object (same
 * ClientToken). A task of that token that already failed is not waited on again: the next attempt
 * uses the token with an attempt number, so a re-run after a transient failure imports anew.
 */
export async function startOrResumeImport(o: StartImportOptions & { log: (line: string) => void }): Promise<ImportImageTask & { ImportTaskId: string }> {
  for (let attempt = 0; attempt <= MAX_FAILED_TASKS; attempt++) {
    const clientToken = attempt ? createHash('sha256').update(`${o.clientToken}:attempt-${attempt}`).digest('hex').slice(0, 64) : o.clientToken;
    const id = await startImport({ ...o, clientToken });
    const r = await o.ec2.send(new DescribeImportImageTasksCommand({ ImportTaskIds: [id] }));
    const task = r.ImportImageTasks?.[0];
    if (task?.Status !== 'deleting' && task?.Status !== 'deleted') return { ...task, ImportTaskId: id };
    o.log(`import task ${id} of an earlier run ended ${task.Status}: ${task.StatusMessage ?? '(no StatusMessage)'}; starting a new task`);
  }
  throw new Error(`${MAX_FAILED_TASKS + 1} import tasks of s3://${o.bucket}/${o.key} failed; see their StatusMessage above`);
}

/** Starts ImportImage (never the legacy ImportInstance), encrypted under the target key. */
export async function startImport(o: StartImportOptions): Promise<string> {
  const r = await o.ec2.send(
    new ImportImageCommand({
      Description: o.description,
      DiskContainers: [{ Description: o.description, Format: o.format.diskContainerFormat, UserBucket: { S3Bucket: o.bucket, S3Key: o.key } }],
      Encrypted: true,
      KmsKeyId: o.kmsKeyArn,
      BootMode: o.bootMode,
      LicenseType: o.licenseType,
      Platform: o.platform,
      RoleName: o.roleName,
      ClientToken: o.clientToken,
      TagSpecifications: o.tags && Object.keys(o.tags).length
        ? [{ ResourceType: 'import-image-task', Tags: Object.entries(o.tags).map(([Key, Value]) => ({ Key, Value })) }]
        : undefined,
    }),
  );
  if (!r.ImportTaskId) throw new Error('ImportImage returned no ImportTaskId');
  return r.ImportTaskId;
}

export interface ImportOutcome {
  readonly importTaskId: string;
  readonly imageId: string;
  readonly snapshotIds: string[];
  /** Every distinct status seen, in order, e.g. "active/validating (0%)". */
  readonly statuses: string[];
  readonly seconds: number;
}

/** The import task ended without an AMI; the message carries VM Import's StatusMessage. */
export class ImportFailedError extends RehostError {
  constructor(public readonly importTaskId: string, public readonly status: string, public readonly statusMessage: string) {
    super('refusal', `import task ${importTaskId} ended ${status}: ${statusMessage || '(no StatusMessage)'}`);
    this.name = 'ImportFailedError';
  }
}

export interface WaitImportOptions {
  readonly ec2: EC2Client;
  readonly importTaskId: string;
  readonly clock: Clock;
  readonly timeoutMinutes: number;
  readonly pollSeconds: number;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
  /** The task as just described (e.g. by startOrResumeImport), used as the first poll. */
  readonly first?: ImportImageTask;
}

/**
 * Follows DescribeImportImageTasks until `completed` (with an ImageId) or a failure. VM Import reports
 * the phase in StatusMessage while Status stays `active` (pending, validating, validated, converting,
 * updating, booting, preparing ami), or as the Status itself (validating, validated, converting,
 * updating); either way the run waits and logs each new phase once. A failed or cancelled task turns
 * `deleting` then `deleted` with the reason in StatusMessage. Finished tasks stay visible for about 7 days.
 */
export async function waitForImport(o: WaitImportOptions): Promise<ImportOutcome> {
  const started = epochMs(o.clock);
  const deadline = started + o.timeoutMinutes * 60_000;
  const statuses: string[] = [];
  let last = 'not yet described';
  let first = o.first;
  for (;;) {
    const task: ImportImageTask | undefined =
      first ?? (await o.ec2.send(new DescribeImportImageTasksCommand({ ImportTaskIds: [o.importTaskId] }), { abortSignal: o.signal })).ImportImageTasks?.[0];
    first = undefined;
    if (!task) throw new Error(`import task ${o.importTaskId} not found (finished tasks are only visible for about 7 days)`);
    last = describeStatus(task);
    if (statuses[statuses.length - 1] !== last) {
      statuses.push(last);
      o.log(`import ${o.importTaskId}: ${last}`);
    }
    const status = task.Status ?? '';
    if (status === 'completed') {
      if (!task.ImageId) throw new ImportFailedError(o.importTaskId, status, `completed without an ImageId (${task.StatusMessage ?? ''})`);
      return {
        importTaskId: o.importTaskId,
        imageId: task.ImageId,
        snapshotIds: (task.SnapshotDetails ?? []).map((s) => s.SnapshotId ?? '').filter(Boolean),
        statuses,
        seconds: (epochMs(o.clock) - started) / 1000,
      };
    }
    if (status === 'deleting' || status === 'deleted') throw new ImportFailedError(o.importTaskId, status, task.StatusMessage ?? '');
    if (epochMs(o.clock) >= deadline) throw new WaitTimeoutError(`import task ${o.importTaskId}`, o.timeoutMinutes, last);
    await sleepOrAbort(o.clock, o.pollSeconds * 1000, o.signal);
  }
}

/** "status/phase (progress%)", the phase left out when it repeats the status (Status converting, StatusMessage converting). */
function describeStatus(t: ImportImageTask): string {
  const status = t.Status ?? 'unknown';
  const message = t.StatusMessage && t.StatusMessage.toLowerCase() !== status.toLowerCase() ? t.StatusMessage : undefined;
  const phase = message ? `/${message}` : '';
  const progress = t.Progress ? ` (${t.Progress}%)` : '';
  return `${status}${phase}${progress}`;
}
