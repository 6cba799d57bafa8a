import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  Part,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Clock, epochMs, systemClock } from '../core/clock';
import { RehostError } from '../core/errors';
import { fingerprintChanges, fingerprintFile, SourceFingerprint } from './fingerprint';
import { VmImportInputError } from './formats';
import { compositeSha256, readPart, sameCompositeSha256, sha256File } from './part-io';
import { choosePartSize, partRange, PartPlan } from './part-plan';
import { ProgressSink, UploadProgress } from './progress';
import { RecordedPart, readUploadState, UploadState, writeUploadState } from './upload-state';

export interface UploadImageOptions {
  readonly s3: S3Client;
  readonly imagePath: string;
  readonly bucket: string;
  readonly key: string;
  /** Where the resumable state lives. */
  readonly statePath: string;
  /** Parts in flight at once. @default 8 */
  readonly concurrency?: number;
  /** SSE-KMS key of the object. @default the bucket's default encryption */
  readonly kmsKeyArn?: string;
  /** @default 5 MiB (the S3 minimum) */
  readonly minPartBytes?: number;
  /** Stops the upload between parts and aborts parts in flight; the state file keeps what finished. */
  readonly signal?: AbortSignal;
  readonly progress?: ProgressSink;
  /** Milliseconds between progress lines when the sink is not a terminal. @default 30000 */
  readonly progressIntervalMs?: number;
  readonly log?: (line: string) => void;
  readonly clock?: Clock;
}

export interface UploadResult {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly etag: string;
  readonly versionId?: string;
  readonly size: number;
  readonly partSize: number;
  readonly partCount: number;
  /** Parts sent by this run. */
  readonly partsSent: number;
  /** Parts found already uploaded (state file or ListParts). */
  readonly partsResumed: number;
  /** SHA-256 (hex) of the whole image file. */
  readonly sha256: string;
  /** S3's composite SHA-256 of the object ("<base64>-<parts>"), checked against the parts sent. */
  readonly compositeSha256: string;
  readonly seconds: number;
  readonly bytesPerSecond: number;
}

/** The upload state of the image could not be continued because the file changed. */
export class SourceChangedError extends VmImportInputError {
  constructor(imagePath: string, statePath: string, uploadId: string, changes: string[]) {
    super(
      `${imagePath} changed since its upload started (${changes.join('; ')}). ` +
        `The parts already in S3 (upload ${uploadId}) belong to the old file, so the upload is not continued. ` +
        `Restore the file, or delete ${statePath} to upload it from the beginning.`,
    );
    this.name = 'SourceChangedError';
  }
}

/** The completed object's checksum is not the one of the parts sent: it does not hold the image. */
export class UploadChecksumMismatchError extends RehostError {
  constructor(bucket: string, key: string, versionId: string | undefined, remote: string, local: string) {
    super(
      'refusal',
      `s3://${bucket}/${key}${versionId && versionId !== 'null' ? ` (version ${versionId})` : ''}: S3's composite SHA-256 of the completed object is ${remote}, ` +
        `but the parts sent have ${local}, so the object does not hold the image's bytes and is not imported. ` +
        'Run the same command again to upload the file anew (the completed upload cannot be resumed).',
    );
    this.name = 'UploadChecksumMismatchError';
  }
}

/**
 * Uploads a disk image with S3 multipart, resumably: the state file records the upload ID and every
 * finished part; a re-run verifies the file is unchanged, asks S3 which parts it holds (ListParts),
 * and sends only the others. Each part carries its SHA-256, which S3 verifies on receipt.
 */
export async function uploadImage(options: UploadImageOptions): Promise<UploadResult> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => undefined);
  const started = epochMs(clock);
  const source = await fingerprintFile(options.imagePath);
  const wholeFileHash = sha256File(options.imagePath, options.signal);
  // Surface a read error only when awaited below, never as an unhandled rejection.
  wholeFileHash.catch(() => undefined);

  const state = await openUpload(options, source, log);
  const plan: PartPlan = { partSize: state.partSize, partCount: state.partCount };
  const resumed = state.parts.length;
  let sent = 0;
  let sentBytes = 0;
  if (!state.completed) {
    const have = new Set(state.parts.map((p) => p.partNumber));
    const missing = Array.from({ length: plan.partCount }, (_, i) => i + 1).filter((n) => !have.has(n));
    if (resumed) log(`resuming upload ${state.uploadId}: ${resumed} of ${plan.partCount} parts already in S3, sending ${missing.length}`);
    const doneBytes = state.parts.reduce((a, p) => a + p.size, 0);
    const progress = options.progress
      ? new UploadProgress(options.progress, clock, source.size, doneBytes, options.progressIntervalMs ?? 30_000)
      : undefined;
    await runPool(missing, options.concurrency ?? 8, options.signal, async (partNumber) => {
      const range = partRange(plan, source.size, partNumber);
      const part = await readPart(options.imagePath, range);
      const r = await options.s3.send(
        new UploadPartCommand({
          Bucket: state.bucket,
          Key: state.key,
          UploadId: state.uploadId,
          PartNumber: partNumber,
          Body: part.body(),
          ContentLength: part.size,
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: part.checksumSha256,
        }),
        { abortSignal: options.signal },
      );
      state.parts.push({ partNumber, size: part.size, checksumSha256: part.checksumSha256, etag: r.ETag ?? '' });
      writeUploadState(options.statePath, state);
      sent++;
      sentBytes += part.size;
      progress?.add(part.size);
    });
    progress?.finish();
    // The parts were read over the whole run (and a resume trusts the parts of earlier runs): a file
    // changed meanwhile would make an object that is neither the old nor the new image.
    const changes = fingerprintChanges(state.source, await fingerprintFile(options.imagePath));
    if (changes.length) throw new SourceChangedError(options.imagePath, options.statePath, state.uploadId, changes);
    const parts = [...state.parts].sort((a, b) => a.partNumber - b.partNumber);
    const done = await options.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: state.bucket,
        Key: state.key,
        UploadId: state.uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, ChecksumSHA256: p.checksumSha256 })) },
      }),
      { abortSignal: options.signal },
    );
    const local = compositeSha256(parts.map((p) => p.checksumSha256));
    const remote = done.ChecksumSHA256 ?? (await objectSha256(options.s3, state, done.VersionId, options.signal));
    if (!remote) throw new Error(`S3 returned no SHA-256 checksum for s3://${state.bucket}/${state.key}: the upload cannot be verified`);
    // Not recorded as completed: a re-run finds the upload gone and starts a new one.
    if (!sameCompositeSha256(remote, local)) throw new UploadChecksumMismatchError(state.bucket, state.key, done.VersionId, remote, local);
    state.completed = { etag: done.ETag ?? '', versionId: done.VersionId, checksumSha256: local, at: clock.now().toISOString() };
    writeUploadState(options.statePath, state);
  } else {
    log(`s3://${state.bucket}/${state.key} was already uploaded completely (upload ${state.uploadId})`);
  }
  const sha256 = await wholeFileHash;
  const seconds = (epochMs(clock) - started) / 1000;
  return {
    bucket: state.bucket,
    key: state.key,
    uploadId: state.uploadId,
    etag: state.completed!.etag,
    versionId: state.completed!.versionId,
    size: source.size,
    partSize: plan.partSize,
    partCount: plan.partCount,
    partsSent: sent,
    partsResumed: resumed,
    sha256,
    compositeSha256: state.completed!.checksumSha256 ?? compositeSha256([...state.parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => p.checksumSha256)),
    seconds,
    bytesPerSecond: seconds > 0 ? sentBytes / seconds : 0,
  };
}

/**
 * The object's SHA-256 ("<base64>-<parts>") from HeadObject with checksum mode, for an endpoint whose
 * CompleteMultipartUpload answer leaves it out (S3 itself includes it when the upload was created with
 * ChecksumAlgorithm SHA256). HeadObject needs only s3:GetObject, which the run has anyway.
 */
async function objectSha256(s3: S3Client, state: UploadState, versionId: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
  // "null" is the version of an object in an unversioned bucket: the current object then.
  const version = versionId && versionId !== 'null' ? versionId : undefined;
  const r = await s3.send(new HeadObjectCommand({ Bucket: state.bucket, Key: state.key, VersionId: version, ChecksumMode: 'ENABLED' }), { abortSignal: signal });
  return r.ChecksumSHA256;
}

/** Continues the recorded upload when the file is unchanged and S3 still has it, else starts one. */
async function openUpload(options: UploadImageOptions, source: SourceFingerprint, log: (line: string) => void): Promise<UploadState> {
  const recorded = readUploadState(options.statePath);
  if (recorded) {
    const changes = fingerprintChanges(recorded.source, source);
    if (changes.length) throw new SourceChangedError(options.imagePath, options.statePath, recorded.uploadId, changes);
    if (recorded.bucket !== options.bucket || recorded.key !== options.key) {
      throw new VmImportInputError(
        `${options.statePath} records an upload to s3://${recorded.bucket}/${recorded.key}, not s3://${options.bucket}/${options.key}; ` +
          'use the same bucket and key to resume, or another --state file',
      );
    }
    if (recorded.completed) return recorded;
    const remote = await listUploadedParts(options.s3, recorded);
    if (remote) return reconcileParts(options.imagePath, recorded, remote, log);
    log(`upload ${recorded.uploadId} no longer exists in S3 (aborted, or removed by the bucket's lifecycle rule); starting a new upload`);
  }
  const plan = choosePartSize(source.size, { minPartBytes: options.minPartBytes });
  const created = await options.s3.send(
    new CreateMultipartUploadCommand({
      Bucket: options.bucket,
      Key: options.key,
      ChecksumAlgorithm: 'SHA256',
      ContentType: 'application/octet-stream',
      ...(options.kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: options.kmsKeyArn, BucketKeyEnabled: true } : {}),
    }),
    { abortSignal: options.signal },
  );
  const state: UploadState = {
    version: 1,
    bucket: options.bucket,
    key: options.key,
    uploadId: created.UploadId!,
    partSize: plan.partSize,
    partCount: plan.partCount,
    source,
    startedAt: (options.clock ?? systemClock).now().toISOString(),
    parts: [],
  };
  writeUploadState(options.statePath, state);
  log(`started upload ${state.uploadId}: ${plan.partCount} parts of ${plan.partSize} bytes`);
  return state;
}

/** Every part S3 holds for the upload, or undefined when the upload is gone (NoSuchUpload). */
async function listUploadedParts(s3: S3Client, state: UploadState): Promise<Part[] | undefined> {
  const parts: Part[] = [];
  let marker: string | undefined;
  for (;;) {
    try {
      const r = await s3.send(new ListPartsCommand({ Bucket: state.bucket, Key: state.key, UploadId: state.uploadId, PartNumberMarker: marker }));
      parts.push(...(r.Parts ?? []));
      if (!r.IsTruncated) return parts;
      marker = r.NextPartNumberMarker;
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchUpload') return undefined;
      throw e;
    }
  }
}

/**
 * S3 is the truth about which parts exist: a part uploaded just before a kill may be missing from the
 * state file (its checksum is recomputed locally, not sent again), and a recorded part S3 lacks, or holds
 * with another size or checksum, is sent again.
 */
async function reconcileParts(imagePath: string, state: UploadState, remote: Part[], log: (line: string) => void): Promise<UploadState> {
  const plan = { partSize: state.partSize, partCount: state.partCount };
  const recorded = new Map(state.parts.map((p) => [p.partNumber, p]));
  const parts: RecordedPart[] = [];
  for (const r of remote) {
    const n = r.PartNumber!;
    const range = partRange(plan, state.source.size, n);
    if (n > plan.partCount || r.Size !== range.end - range.start) {
      log(`part ${n} in S3 has ${r.Size} bytes, expected ${range.end - range.start}: sending it again`);
      continue;
    }
    let part = recorded.get(n);
    if (!part) {
      const local = await readPart(imagePath, range);
      part = { partNumber: n, size: local.size, checksumSha256: local.checksumSha256, etag: r.ETag ?? '' };
    }
    if (r.ChecksumSHA256 && r.ChecksumSHA256 !== part.checksumSha256) {
      log(`part ${n} in S3 has checksum ${r.ChecksumSHA256}, expected ${part.checksumSha256}: sending it again`);
      continue;
    }
    parts.push({ ...part, etag: r.ETag ?? part.etag });
  }
  const lost = state.parts.filter((p) => !parts.some((q) => q.partNumber === p.partNumber)).length;
  if (lost) log(`${lost} recorded part(s) are not in S3 and will be sent again`);
  return { ...state, parts };
}

/** Runs `work` over `items` with at most `concurrency` in flight; stops taking items once aborted. */
async function runPool<T>(items: T[], concurrency: number, signal: AbortSignal | undefined, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      signal?.throwIfAborted();
      try {
        await work(items[next++]);
      } catch (e) {
        // The first failure stops the other workers from starting parts; parts in flight finish.
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
