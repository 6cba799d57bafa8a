import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';

/**
 * What identifies the source image between runs: size, mtime and a hash of samples spread over the
 * file. Hashing a multi-TiB image on every resume would take longer than the upload it saves, so a
 * resume compares these; the full SHA-256 of what was uploaded comes from the part checksums.
 */
export interface SourceFingerprint {
  readonly size: number;
  readonly mtimeMs: number;
  /** SHA-256 (hex) over `samples` blocks of `sampleBytes` at evenly spaced offsets, first and last included. */
  readonly sampledSha256: string;
  readonly samples: number;
  readonly sampleBytes: number;
}

export async function fingerprintFile(path: string, samples = 64, sampleBytes = 64 * 1024): Promise<SourceFingerprint> {
  const st = await stat(path);
  const hash = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(sampleBytes);
    const lastStart = Math.max(0, st.size - sampleBytes);
    for (let i = 0; i < samples; i++) {
      const offset = samples === 1 ? 0 : Math.floor((lastStart * i) / (samples - 1));
      const { bytesRead } = await fh.read(buf, 0, sampleBytes, offset);
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return { size: st.size, mtimeMs: Math.trunc(st.mtimeMs), sampledSha256: hash.digest('hex'), samples, sampleBytes };
}

/** The differences between a recorded fingerprint and the file now, in words; empty when unchanged. */
export function fingerprintChanges(recorded: SourceFingerprint, now: SourceFingerprint): string[] {
  const changes: string[] = [];
  if (recorded.size !== now.size) changes.push(`size ${recorded.size} → ${now.size} bytes`);
  if (recorded.mtimeMs !== now.mtimeMs) changes.push(`modified ${new Date(recorded.mtimeMs).toISOString()} → ${new Date(now.mtimeMs).toISOString()}`);
  if (recorded.sampledSha256 !== now.sampledSha256) changes.push('content (sampled SHA-256) differs');
  return changes;
}
