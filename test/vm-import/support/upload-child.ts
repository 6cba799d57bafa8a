/**
 * A separate process that runs one image upload, so a test can SIGKILL it mid-way: no finally blocks,
 * no abort handlers, parts in flight cut off at the socket, as when a runner dies.
 *
 *   node -r ts-node/register/transpile-only upload-child.ts '<UploadChildArgs as JSON>'
 */
import { S3Client } from '@aws-sdk/client-s3';
import { uploadImage } from '../../../src/vm-import/uploader';
import { motoClientConfig } from '../../support/moto';

export interface UploadChildArgs {
  readonly endpoint: string;
  readonly imagePath: string;
  readonly bucket: string;
  readonly key: string;
  readonly statePath: string;
  readonly concurrency: number;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]) as UploadChildArgs;
  const s3 = new S3Client(motoClientConfig(a.endpoint));
  await uploadImage({ s3, imagePath: a.imagePath, bucket: a.bucket, key: a.key, statePath: a.statePath, concurrency: a.concurrency, log: (l) => process.stderr.write(`${l}\n`) });
  process.stderr.write('upload finished\n');
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exitCode = 1;
});
