import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SourceFingerprint } from './fingerprint';

/** One uploaded part as recorded locally. */
export interface RecordedPart {
  readonly partNumber: number;
  readonly size: number;
  /** Base64 SHA-256 of the part, as sent in x-amz-checksum-sha256. */
  readonly checksumSha256: string;
  readonly etag: string;
}

/**
 * The resumable state of one image upload, kept next to the image (or at --state). Small JSON,
 * rewritten atomically after every part so a kill at any moment leaves a readable file.
 */
export interface UploadState {
  readonly version: 1;
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly partSize: number;
  readonly partCount: number;
  readonly source: SourceFingerprint;
  readonly startedAt: string;
  parts: RecordedPart[];
  /** Set once CompleteMultipartUpload succeeded and S3's composite SHA-256 matched the parts sent (checksumSha256). */
  completed?: { readonly etag: string; readonly versionId?: string; readonly checksumSha256?: string; readonly at: string };
}

export function defaultStatePath(imagePath: string): string {
  return join(dirname(imagePath), `.${basename(imagePath)}.vm-import.json`);
}

export function readUploadState(path: string): UploadState | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: UploadState;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as UploadState;
  } catch (e) {
    throw new Error(`${path}: the upload state file is not valid JSON (${(e as Error).message}); delete it to start the upload over`);
  }
  if (parsed.version !== 1 || typeof parsed.uploadId !== 'string' || !Array.isArray(parsed.parts)) {
    throw new Error(`${path}: not a vm-import upload state file (expected version 1 with uploadId and parts); delete it to start over`);
  }
  return parsed;
}

export function writeUploadState(path: string, state: UploadState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...state, parts: [...state.parts].sort((a, b) => a.partNumber - b.partNumber) }, null, 1));
  renameSync(tmp, path);
}

export function removeUploadState(path: string): void {
  rmSync(path, { force: true });
}
