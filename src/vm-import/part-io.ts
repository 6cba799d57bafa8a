import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { PartRange } from './part-plan';

/** Parts up to this size are read once into memory; larger ones are streamed (hashed, then sent). */
const BUFFERED_PART_LIMIT = 64 * 1024 ** 2;

export interface PartBody {
  readonly checksumSha256: string;
  readonly size: number;
  body(): Buffer | Readable;
}

/**
 * Reads one part of the image and its SHA-256 (base64, as S3 wants it). Large parts are hashed from a
 * stream and streamed again when sent, so memory stays at concurrency × 64 MiB whatever the part size.
 */
export async function readPart(path: string, range: PartRange): Promise<PartBody> {
  const size = range.end - range.start;
  if (size <= BUFFERED_PART_LIMIT) {
    const buf = Buffer.allocUnsafe(size);
    const fh = await open(path, 'r');
    try {
      let off = 0;
      while (off < size) {
        const { bytesRead } = await fh.read(buf, off, size - off, range.start + off);
        if (bytesRead === 0) throw new Error(`${path} ended at byte ${range.start + off}; expected ${range.end} (file truncated while uploading?)`);
        off += bytesRead;
      }
    } finally {
      await fh.close();
    }
    return { size, checksumSha256: createHash('sha256').update(buf).digest('base64'), body: () => buf };
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { start: range.start, end: range.end - 1 })) hash.update(chunk as Buffer);
  return { size, checksumSha256: hash.digest('base64'), body: () => createReadStream(path, { start: range.start, end: range.end - 1 }) };
}

/** SHA-256 (hex) of a whole file, streamed. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 ** 2, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * S3's composite checksum of a multipart object: SHA-256 over the concatenated binary part checksums,
 * suffixed with the part count — what GetObjectAttributes reports, so the report can be checked
 * against the bucket.
 */
export function compositeSha256(partChecksums: string[]): string {
  const h = createHash('sha256');
  for (const c of partChecksums) h.update(Buffer.from(c, 'base64'));
  return `${h.digest('base64')}-${partChecksums.length}`;
}

/**
 * Whether two composite SHA-256 values agree. S3 writes them "<base64>-<parts>" in most answers but
 * may leave the part count off (GetObjectAttributes reports it in ObjectParts), so a missing count is
 * not a difference.
 */
export function sameCompositeSha256(a: string, b: string): boolean {
  const split = (v: string) => /^(.*?)(?:-(\d+))?$/.exec(v.trim())!.slice(1);
  const [ha, na] = split(a);
  const [hb, nb] = split(b);
  return ha === hb && (na === undefined || nb === undefined || na === nb);
}
