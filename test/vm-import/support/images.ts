import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A sparse disk image of `bytes` in os.tmpdir(): truncated to size (no blocks written) plus a small
 * distinct marker every MiB, so parts differ from each other and a part written at the wrong offset
 * changes the object's hash.
 */
export function sparseImage(bytes: number, name = 'disk.raw'): string {
  const dir = mkdtempSync(join(tmpdir(), 'rehost-vmimport-'));
  const path = join(dir, name);
  closeSync(openSync(path, 'w'));
  truncateSync(path, bytes);
  const fd = openSync(path, 'r+');
  try {
    for (let off = 0; off < bytes; off += 1024 ** 2) writeSync(fd, Buffer.from(`marker@${off};`), 0, undefined, off);
  } finally {
    closeSync(fd);
  }
  return path;
}
