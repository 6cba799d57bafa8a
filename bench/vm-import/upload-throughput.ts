/**
 * Upload throughput of the vm-import uploader against moto S3 on loopback, for 1, 4, 8 and 16 parts
 * in parallel, beside `cp` of the same file (the local limit: read + write through the page cache).
 * Each measurement is repeated and the median reported with the range, so one slow run on a shared
 * machine does not decide the figure.
 *
 *   npx ts-node --swc bench/vm-import/upload-throughput.ts [MiB=512] [concurrency...=1 4 8 16]
 *   REPEATS=3 (default)
 *
 * The image is random bytes (not sparse: cp would skip holes). Each run uploads to a new key with a
 * fresh state file and deletes the object afterwards so moto's memory stays flat.
 */
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { uploadImage } from '../../src/vm-import/uploader';
import { motoClientConfig, startMoto } from '../../test/support/moto';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(run: () => Promise<void> | void): Promise<number> {
  const t0 = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 512);
  const levels = process.argv.slice(3).map(Number);
  const concurrencies = levels.length ? levels : [1, 4, 8, 16];
  const repeats = Number(process.env.REPEATS ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'rehost-vmimport-bench-'));
  const image = join(dir, 'bench.raw');
  const fd = openSync(image, 'w');
  const chunk = randomBytes(1024 ** 2);
  for (let i = 0; i < mib; i++) {
    chunk.writeUInt32LE(i, 0); // distinct MiBs
    writeSync(fd, chunk);
  }
  closeSync(fd);

  const rows: string[] = [];
  const row = (what: string, parallel: string, secs: number[]) => {
    const m = median(secs);
    rows.push(`| ${what} | ${parallel} | ${m.toFixed(2)} | ${(mib / m).toFixed(0)} | ${(mib / Math.max(...secs)).toFixed(0)}–${(mib / Math.min(...secs)).toFixed(0)} |`);
  };
  const load = loadavg()[0];
  const cp: number[] = [];
  for (let i = 0; i < repeats; i++) {
    cp.push(await timed(() => void execFileSync('cp', [image, join(dir, 'copy.raw')])));
    rmSync(join(dir, 'copy.raw'));
  }
  row('cp (local limit)', '-', cp);

  const moto = await startMoto({ accountId: '111111111111' });
  const s3 = new S3Client(motoClientConfig(moto.url));
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    for (const concurrency of concurrencies) {
      const secs: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const key = `images/bench-${concurrency}-${i}.raw`;
        secs.push(
          await timed(async () => {
            const r = await uploadImage({ s3, imagePath: image, bucket: 'bench', key, statePath: join(dir, `state-${concurrency}-${i}.json`), concurrency });
            if (r.partsSent !== r.partCount) throw new Error(`expected a full upload, sent ${r.partsSent}/${r.partCount}`);
          }),
        );
        await s3.send(new DeleteObjectCommand({ Bucket: 'bench', Key: key }));
      }
      row('vm-import upload', String(concurrency), secs);
    }
  } finally {
    s3.destroy();
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `${mib} MiB of random bytes, 5 MiB parts, SHA-256 per part and of the whole file; median of ${repeats} runs; ` +
      `${cpus().length} CPUs (${cpus()[0]?.model}), node ${process.version}, moto 5.2.1 on loopback; load average at start ${load.toFixed(1)}, at end ${loadavg()[0].toFixed(1)}\n`,
  );
  console.log('| what | parallel parts | median seconds | median MiB/s | MiB/s range |\n|---|---|---|---|---|');
  console.log(rows.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
