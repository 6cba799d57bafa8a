import { CreateBucketCommand, GetObjectAttributesCommand, GetObjectCommand, ListPartsCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { appendFileSync, closeSync, openSync, readFileSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { sha256File } from '../../src/vm-import/part-io';
import { choosePartSize, MULTIPART_LIMITS } from '../../src/vm-import/part-plan';
import { defaultStatePath, readUploadState } from '../../src/vm-import/upload-state';
import { SourceChangedError, UploadChecksumMismatchError, uploadImage, UploadResult } from '../../src/vm-import/uploader';
import { motoClientConfig, MotoServer, startMoto } from '../support/moto';
import { AwsProxy, ProxiedRequest, startAwsProxy } from './support/aws-proxy';
import { sparseImage } from './support/images';
import { UploadChildArgs } from './support/upload-child';
import { ROOT } from '../support/tools';

const MIB = 1024 ** 2;
const SIZE = 200 * MIB;
const PARTS = SIZE / (5 * MIB);
/** Parts S3 has stored when the uploading process is killed. */
const KILL_AFTER = 12;
const CHILD = join(__dirname, 'support', 'upload-child.ts');
const BUCKET = 'vm-import-upload-test';
const FIXED_MTIME = 1_700_000_000;

const isUploadPart = (r: ProxiedRequest) => r.method === 'PUT' && r.query.has('partNumber') && r.query.has('uploadId');
const isComplete = (r: ProxiedRequest) => r.method === 'POST' && r.query.has('uploadId');
const okParts = (rs: ProxiedRequest[]) => rs.filter((r) => isUploadPart(r) && r.status === 200).map((r) => Number(r.query.get('partNumber')));

describe('resumable multipart upload of a disk image (moto S3 behind a counting proxy)', () => {
  let moto: MotoServer;
  let proxy: AwsProxy;
  let s3: S3Client;
  let image: string;

  beforeAll(async () => {
    moto = await startMoto({ accountId: '111111111111' });
    proxy = await startAwsProxy(moto.url);
    s3 = new S3Client(motoClientConfig(proxy.url));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    image = sparseImage(SIZE);
    utimesSync(image, FIXED_MTIME, FIXED_MTIME); // whole seconds, so the test can restore it exactly
  });
  afterAll(async () => {
    s3?.destroy();
    await proxy?.stop();
    await moto?.stop();
  });

  /** Runs the upload in a child process and SIGKILLs it once S3 stored KILL_AFTER parts (bounded: 60 s). */
  const killedUpload = async (args: UploadChildArgs): Promise<{ killedAtPart: number }> => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', CHILD, JSON.stringify(args)], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_SWC: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    let killedAtPart: number | undefined;
    proxy.onAnswered = (r) => {
      if (killedAtPart === undefined && okParts([r]).length && okParts(proxy.requests).length >= KILL_AFTER) {
        killedAtPart = Number(r.query.get('partNumber'));
        child.kill('SIGKILL'); // called before the proxy writes moto's answer back to the child
      }
    };
    const bound = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      const exit = await exited;
      expect({ exit, stderr: killedAtPart === undefined ? stderr : '' }).toEqual({ exit: { code: null, signal: 'SIGKILL' }, stderr: '' });
      expect(killedAtPart).toBeDefined();
      return { killedAtPart: killedAtPart! };
    } finally {
      clearTimeout(bound);
      proxy.onAnswered = undefined;
    }
  };

  it('part size keeps uploads within 10,000 parts of at least 5 MiB', () => {
    for (const size of [1, 5 * MIB, SIZE, 50 * 1024 ** 3, 1024 ** 4, 8 * 1024 ** 4]) {
      const plan = choosePartSize(size);
      expect(plan.partSize).toBeGreaterThanOrEqual(MULTIPART_LIMITS.minPartBytes);
      expect(plan.partCount).toBeLessThanOrEqual(MULTIPART_LIMITS.maxParts);
      expect(plan.partCount * plan.partSize).toBeGreaterThanOrEqual(size);
    }
    expect(choosePartSize(SIZE)).toEqual({ partSize: 5 * MIB, partCount: PARTS });
    expect(choosePartSize(1024 ** 4).partSize).toBe(105 * MIB);
  });

  it('is SIGKILLed in a child process mid-way, resumes sending exactly the parts S3 lacks, and the object equals the file; a changed file is refused', async () => {
    const statePath = defaultStatePath(image);
    const key = 'images/disk.raw';
    const base = { s3, imagePath: image, bucket: BUCKET, key, statePath, concurrency: 4 };

    // Run 1, a real kill: the uploader runs in its own process and gets SIGKILL once S3 stored
    // KILL_AFTER parts, before the proxy relays moto's answer for the last of them.
    const run1 = await killedUpload({ endpoint: proxy.url, imagePath: image, bucket: BUCKET, key, statePath, concurrency: 4 });
    await proxy.idle(); // parts whose bodies had fully arrived still reach moto after the kill
    const afterKill = readUploadState(statePath)!;
    const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: afterKill.uploadId }));
    const inS3 = (listed.Parts ?? []).map((p) => p.PartNumber!).sort((a, b) => a - b);
    const inState = afterKill.parts.map((p) => p.partNumber);
    expect(inS3.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(inS3.length).toBeLessThan(PARTS);
    expect(inState.filter((n) => !inS3.includes(n))).toEqual([]); // the state never claims a part S3 lacks
    // S3 holds a part the killed process never heard about (so it is not in the state file).
    expect(inS3).toContain(run1.killedAtPart);
    expect(inState).not.toContain(run1.killedAtPart);
    const missing = Array.from({ length: PARTS }, (_, i) => i + 1).filter((n) => !inS3.includes(n));

    // Run 2: the same upload in this process resumes.
    const before = proxy.requests.length;
    const lines: string[] = [];
    const result: UploadResult = await uploadImage({ ...base, progress: { isTTY: false, write: (t) => lines.push(t) }, progressIntervalMs: 0, log: (l) => lines.push(l) });
    const run2Requests = proxy.requests.slice(before);
    expect(run2Requests.some((r) => r.method === 'GET' && r.query.has('uploadId'))).toBe(true); // ListParts
    // Every attempt of run 2, not only the successful ones: exactly the parts S3 did not store (those
    // in flight at the kill that never reached moto included), each once; none S3 already holds.
    const run2Attempts = run2Requests.filter(isUploadPart).map((r) => Number(r.query.get('partNumber')));
    expect([...run2Attempts].sort((a, b) => a - b)).toEqual(missing);
    expect(okParts(run2Requests).length).toBe(missing.length);
    // concurrency 4 really runs parts in parallel, and no more than 4 (the proxy counts requests in flight).
    const peak = Math.max(...run2Requests.filter(isUploadPart).map((r) => r.concurrent));
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
    expect(result.partsResumed).toBe(inS3.length);
    expect(result.partsSent).toBe(missing.length);
    expect(lines.join('')).toMatch(new RegExp(`resuming upload .*: ${inS3.length} of ${PARTS} parts already in S3, sending ${missing.length}`));
    expect(lines.join('')).toMatch(/upload +100\.0% +200\.0 MiB \/ 200\.0 MiB .*\/s +ETA/);

    // The object's bytes are the file's.
    const fileHash = await sha256File(image);
    expect(result.sha256).toBe(fileHash);
    const obj = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const h = createHash('sha256');
    for await (const chunk of obj.Body as Readable) h.update(chunk as Buffer);
    expect(h.digest('hex')).toBe(fileHash);
    expect(readUploadState(statePath)!.completed?.etag).toBeTruthy();

    // Same size and mtime, one changed block in the middle (a sampled offset): refused before any request.
    const fd = openSync(image, 'r+');
    const sampleOffset = Math.floor(((SIZE - 64 * 1024) * 32) / 63);
    writeSync(fd, Buffer.from('changed'), 0, undefined, sampleOffset);
    closeSync(fd);
    utimesSync(image, FIXED_MTIME, FIXED_MTIME);
    const n = proxy.requests.length;
    await expect(uploadImage(base)).rejects.toThrow(SourceChangedError);
    await expect(uploadImage(base)).rejects.toThrow(/disk\.raw changed since its upload started \(content \(sampled SHA-256\) differs\).*delete .*vm-import\.json/);
    expect(proxy.requests.length).toBe(n);
  });

  it.each([
    ['size', (p: string) => appendFileSync(p, 'grown'), /changing-size\.raw changed since its upload started \(size 15728640 → 15728645 bytes; modified /],
    ['mtime', (p: string) => utimesSync(p, FIXED_MTIME + 60, FIXED_MTIME + 60), /changing-mtime\.raw changed since its upload started \(modified 2023-11-14T22:13:20\.000Z → 2023-11-14T22:14:20\.000Z\)/],
  ])('a file whose %s changes during the upload is refused before CompleteMultipartUpload, and so is the resume of the interrupted upload', async (what, change, message) => {
    const img = sparseImage(15 * MIB, `changing-${what}.raw`);
    utimesSync(img, FIXED_MTIME, FIXED_MTIME);
    const o = { s3, imagePath: img, bucket: BUCKET, key: `images/changing-${what}.raw`, statePath: defaultStatePath(img), concurrency: 1 };
    const before = proxy.requests.length;
    proxy.onAnswered = (r) => {
      if (okParts([r]).length && okParts(proxy.requests.slice(before)).length === 1) change(img);
    };
    try {
      await expect(uploadImage(o)).rejects.toThrow(message);
    } finally {
      proxy.onAnswered = undefined;
    }
    const sent = proxy.requests.slice(before);
    expect(okParts(sent)).toEqual([1, 2, 3]);
    expect(sent.filter(isComplete)).toEqual([]);
    const n = proxy.requests.length;
    await expect(uploadImage(o)).rejects.toThrow(SourceChangedError);
    expect(proxy.requests.length).toBe(n);
  });

  it('fails when S3\'s SHA-256 of the completed object is not the one of the parts sent; the same command then uploads anew', async () => {
    const img = sparseImage(15 * MIB, 'overwritten.raw');
    const key = 'images/overwritten.raw';
    const o = { s3, imagePath: img, bucket: BUCKET, key, statePath: defaultStatePath(img), concurrency: 1 };
    const controller = new AbortController();
    const before = proxy.requests.length;
    proxy.onAnswered = () => {
      if (okParts(proxy.requests.slice(before)).length >= 1) controller.abort(new Error('stopped'));
    };
    await expect(uploadImage({ ...o, signal: controller.signal })).rejects.toThrow();
    proxy.onAnswered = undefined;
    await proxy.idle();
    const { uploadId } = readUploadState(o.statePath)!;
    // Another writer replaces part 1 with other bytes of the same size. moto's ListParts reports no part
    // checksums (S3's does, and the resume would send the part again), so here only the completed
    // object's checksum, which moto computes from the bytes it holds, can tell.
    await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: Buffer.alloc(5 * MIB, 7) }));
    const err = (await uploadImage(o).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(UploadChecksumMismatchError);
    expect(err.message).toMatch(/^s3:\/\/vm-import-upload-test\/images\/overwritten\.raw: S3's composite SHA-256 of the completed object is \S+, but the parts sent have \S+-3, so the object does not hold the image's bytes and is not imported\. Run the same command again/);
    expect(readUploadState(o.statePath)!.completed).toBeUndefined();

    const lines: string[] = [];
    const again = await uploadImage({ ...o, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/upload .* no longer exists in S3 .*starting a new upload/);
    expect(again.partsSent).toBe(3);
    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: key, ObjectAttributes: ['Checksum'] }));
    expect(again.compositeSha256).toBe(`${attrs.Checksum!.ChecksumSHA256}-3`);
  });

  it('a state file for another object or a corrupt one is refused with the way out', async () => {
    const img = sparseImage(6 * MIB, 'small.vhd');
    const statePath = defaultStatePath(img);
    writeFileSync(statePath, '{not json');
    await expect(uploadImage({ s3, imagePath: img, bucket: BUCKET, key: 'images/small.vhd', statePath })).rejects.toThrow(/not valid JSON.*delete it/);
    await uploadImage({ s3, imagePath: img, bucket: BUCKET, key: 'images/small.vhd', statePath: statePath + '2' });
    expect(readFileSync(statePath + '2', 'utf8')).toContain('"completed"');
    await expect(uploadImage({ s3, imagePath: img, bucket: BUCKET, key: 'images/other.vhd', statePath: statePath + '2' })).rejects.toThrow(/records an upload to s3:\/\/vm-import-upload-test\/images\/small\.vhd/);
  });
});
