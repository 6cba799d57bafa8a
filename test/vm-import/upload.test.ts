import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { openSync, readFileSync, writeFileSync, writeSync, closeSync, utimesSync } from 'node:fs';
import { Readable } from 'node:stream';
import { sha256File } from '../../src/vm-import/part-io';
import { choosePartSize, MULTIPART_LIMITS } from '../../src/vm-import/part-plan';
import { defaultStatePath, readUploadState, writeUploadState } from '../../src/vm-import/upload-state';
import { SourceChangedError, uploadImage, UploadResult } from '../../src/vm-import/uploader';
import { motoClientConfig, MotoServer, startMoto } from '../support/moto';
import { AwsProxy, ProxiedRequest, startAwsProxy } from './support/aws-proxy';
import { sparseImage } from './support/images';

const MIB = 1024 ** 2;
const SIZE = 300 * MIB;
const PARTS = SIZE / (5 * MIB);
const BUCKET = 'vm-import-upload-test';
const FIXED_MTIME = 1_700_000_000;

const isUploadPart = (r: ProxiedRequest) => r.method === 'PUT' && r.query.has('partNumber') && r.query.has('uploadId');
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

  it('is killed mid-way, resumes sending only missing parts, and the object equals the file; a changed file is refused', async () => {
    const statePath = defaultStatePath(image);
    const key = 'images/disk.raw';
    const base = { s3, imagePath: image, bucket: BUCKET, key, statePath, concurrency: 4 };

    // Run 1: killed after 20 parts have been stored.
    const controller = new AbortController();
    proxy.onAnswered = (r) => {
      if (okParts([r]).length && okParts(proxy.requests).length >= 20) controller.abort(new Error('killed'));
    };
    await expect(uploadImage({ ...base, signal: controller.signal })).rejects.toThrow();
    proxy.onAnswered = undefined;
    await proxy.idle(); // parts in flight when the client died may still have reached moto
    const run1 = okParts(proxy.requests);
    const afterKill = readUploadState(statePath)!;
    // The abort races the last responses: the state holds what the client saw finish, S3 may hold more.
    expect(afterKill.parts.length).toBeGreaterThanOrEqual(10);
    expect(run1.length).toBeLessThan(PARTS);
    expect(afterKill.parts.map((p) => p.partNumber).filter((n) => !run1.includes(n))).toEqual([]);

    // A kill between a part's upload and the state write: the state file forgets one part S3 has.
    const forgotten = afterKill.parts[afterKill.parts.length - 1].partNumber;
    writeUploadState(statePath, { ...afterKill, parts: afterKill.parts.filter((p) => p.partNumber !== forgotten) });

    // Run 2: resumes.
    const before = proxy.requests.length;
    const lines: string[] = [];
    const result: UploadResult = await uploadImage({ ...base, progress: { isTTY: false, write: (t) => lines.push(t) }, progressIntervalMs: 0, log: (l) => lines.push(l) });
    const run2Requests = proxy.requests.slice(before);
    const run2 = okParts(run2Requests);
    expect(run2Requests.some((r) => r.method === 'GET' && r.query.has('uploadId'))).toBe(true); // ListParts
    expect(run2.filter((n) => run1.includes(n))).toEqual([]);
    expect(run2).not.toContain(forgotten);
    const all = okParts(proxy.requests).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: PARTS }, (_, i) => i + 1)); // every part exactly once
    expect(result.partsResumed).toBe(run1.length);
    expect(result.partsSent).toBe(PARTS - run1.length);
    expect(lines.join('')).toMatch(/resuming upload .*: \d+ of 60 parts already in S3/);
    expect(lines.join('')).toMatch(/upload +100\.0% +300\.0 MiB \/ 300\.0 MiB .*\/s +ETA/);

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
