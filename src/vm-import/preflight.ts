import { EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { HeadBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { statSync } from 'node:fs';
import { FactoryConfig, Server } from '../config/schema';
import { kmsKeyFor } from '../config/placement';
import { checkImageSize, ImageFormat, parseImageFormat, VmImportInputError } from './formats';
import { bootModeRefusal, ImportBootMode } from '../config/boot-modes';
import { LicenseType } from './import-task';
import { parseChecksumFile, RecordedChecksum } from './integrity';
import { checkPlacementReachable } from './launch';
import { importBucketName, importKeyAliasId, importTargetAccount, VMIMPORT_ROLE_NAME } from '../config/vm-import-names';

/** Where the image comes from: a local file to upload, or an object already in the import bucket. */
export type ImageSource = { readonly path: string } | { readonly s3Key: string };

export interface VmImportRequest {
  readonly image: ImageSource;
  readonly format: string;
  readonly os: string;
  readonly server?: string;
  readonly kmsKeyArn?: string;
  readonly licenseType?: string;
  readonly bootMode?: string;
  readonly launch?: boolean;
  /** @default 'cutover' */
  readonly placement?: 'test' | 'cutover';
  readonly stopFirst?: boolean;
  readonly keepObject?: boolean;
  /** @default next to the image */
  readonly statePath?: string;
  /** sha256sum-style file of checksums recorded at the source, compared on the launched instance. */
  readonly checksumsFile?: string;
  /** @default vmImport.upload.concurrency */
  readonly concurrency?: number;
}

export interface PreflightClients {
  readonly s3: S3Client;
  readonly ec2: EC2Client;
  readonly kms: KMSClient;
  readonly iam: IAMClient;
}

/** Everything the run needs, checked before anything is uploaded or imported. */
export interface CheckedRequest {
  readonly image: ImageSource;
  readonly size: number;
  readonly format: ImageFormat;
  readonly os: 'linux' | 'windows';
  readonly server?: Server;
  readonly bucket: string;
  readonly kmsKeyArn: string;
  readonly licenseType?: LicenseType;
  readonly bootMode?: ImportBootMode;
  readonly checksums?: RecordedChecksum[];
}

const LICENSE_TYPES: readonly LicenseType[] = ['AWS', 'BYOL'];

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new VmImportInputError(`${flag} "${value}": expected one of ${allowed.join(', ')}`);
  return value as T;
}

/** Checks that need no AWS call: format, OS, file, size, server, boot mode, checksum file. */
export function checkLocalInputs(config: FactoryConfig, req: VmImportRequest): Omit<CheckedRequest, 'size' | 'kmsKeyArn' | 'bucket'> & { size?: number } {
  const format = parseImageFormat(req.format);
  const os = oneOf('--os', req.os, ['linux', 'windows'] as const)!;
  const licenseType = oneOf('--license-type', req.licenseType ?? config.vmImport.import.licenseType, LICENSE_TYPES);
  const bootMode = req.bootMode ?? config.vmImport.import.bootMode;
  const refusal = bootMode === undefined ? undefined : bootModeRefusal(bootMode);
  if (refusal) throw new VmImportInputError(`--boot-mode ${bootMode}: ${refusal}`);
  let size: number | undefined;
  if ('path' in req.image) {
    let st;
    try {
      st = statSync(req.image.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new VmImportInputError(code === 'ENOENT' ? `image file not found: ${req.image.path}` : `cannot read ${req.image.path}: ${(e as Error).message}`);
    }
    if (!st.isFile()) throw new VmImportInputError(`${req.image.path} is not a file: expected a disk image`);
    size = st.size;
    checkImageSize(req.image.path, size);
  }
  let server: Server | undefined;
  if (req.server) {
    const all = config.waves.flatMap((w) => w.applications.flatMap((a) => a.servers));
    server = all.find((s) => s.name === req.server);
    if (!server) throw new VmImportInputError(`--server "${req.server}" is not a server of the estate (${all.length} servers in waves[].applications[].servers)`);
    if (server.os !== os) throw new VmImportInputError(`--os ${os} contradicts server ${server.name}, which factory.yaml declares as os: ${server.os}`);
  }
  if (req.launch && !server) throw new VmImportInputError('--launch needs --server NAME: the instance launches into that server\'s placement from factory.yaml');
  if (server && !req.kmsKeyArn && !config.vmImport.kmsKeyArn) {
    // The bucket, the vmimport role's KMS permissions and the default key all belong to vmImport.targetAccount.
    const serverAccount = kmsKeyFor(config, server).account;
    const importAccount = importTargetAccount(config).name;
    if (serverAccount !== importAccount) {
      throw new VmImportInputError(
        `--server ${server.name} belongs to target account "${serverAccount}" (its targetAccount), but VM Import encrypts with the key of "${importAccount}" ` +
          `(vmImport.targetAccount), the only key the vmimport role may use: set vmImport.targetAccount: ${serverAccount} and redeploy the vm-import stack, ` +
          'or pass --kms-key with a key the vmimport role may use',
      );
    }
  }
  const checksums = req.checksumsFile ? parseChecksumFile(req.checksumsFile) : undefined;
  if (checksums && !req.launch) throw new VmImportInputError('--checksums compares files on the launched instance: it needs --launch');
  return { image: req.image, size, format, os, server, licenseType, bootMode: bootMode as ImportBootMode | undefined, checksums };
}

/**
 * Refuses before acting: every input is checked, then the bucket, the vmimport role and the KMS key
 * are read, so that a bad run stops before the first byte is uploaded.
 */
export async function preflight(config: FactoryConfig, req: VmImportRequest, clients: PreflightClients): Promise<CheckedRequest> {
  const local = checkLocalInputs(config, req);
  const kmsKeyArn = await checkKmsKey(config, req.kmsKeyArn, clients.kms);
  if (req.launch && local.server) await checkPlacementReachable(clients.ec2, config, local.server, req.placement ?? 'cutover');
  const bucket = importBucketName(config);
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (e) {
    throw new VmImportInputError(`import bucket ${bucket} is not reachable (${errName(e)}): deploy the vm-import stack (vmImport.enabled: true) or set vmImport.bucket.name`);
  }
  try {
    await clients.iam.send(new GetRoleCommand({ RoleName: VMIMPORT_ROLE_NAME }));
  } catch (e) {
    throw new VmImportInputError(`the ${VMIMPORT_ROLE_NAME} service role is missing (${errName(e)}): deploy the vm-import stack, which creates it`);
  }
  let size = local.size;
  if ('s3Key' in req.image) {
    try {
      const head = await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: req.image.s3Key }));
      size = head.ContentLength ?? 0;
    } catch (e) {
      throw new VmImportInputError(`s3://${bucket}/${req.image.s3Key} not found (${errName(e)})`);
    }
    checkImageSize(`s3://${bucket}/${req.image.s3Key}`, size);
  }
  return { ...local, size: size!, bucket, kmsKeyArn };
}

/** --kms-key, else vmImport.kmsKeyArn, else the target account's key (existing ARN, or its alias: by ARN when in another account). */
async function checkKmsKey(config: FactoryConfig, flag: string | undefined, kms: KMSClient): Promise<string> {
  const target = importTargetAccount(config);
  const keyId = flag ?? config.vmImport.kmsKeyArn ?? target.kms.existingKeyArn ?? importKeyAliasId(config, target);
  const arnRegion = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(keyId)?.[1];
  if (keyId.startsWith('arn:') && !arnRegion) throw new VmImportInputError(`KMS key ${keyId}: expected a key ARN (arn:aws:kms:<region>:<account>:key/<id>)`);
  if (arnRegion && arnRegion !== config.region) {
    throw new VmImportInputError(`KMS key ${keyId} is in ${arnRegion}, but images are imported in ${config.region}: use a key of ${config.region}`);
  }
  let meta;
  try {
    meta = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
  } catch (e) {
    throw new VmImportInputError(`KMS key ${keyId} not found in ${config.region} (${errName(e)}): deploy the security stack or pass --kms-key ARN`);
  }
  if (!meta?.Arn || meta.KeyState !== 'Enabled') throw new VmImportInputError(`KMS key ${keyId} is ${meta?.KeyState ?? 'unknown'}: expected Enabled`);
  if (meta.KeySpec !== 'SYMMETRIC_DEFAULT' || meta.KeyUsage !== 'ENCRYPT_DECRYPT') {
    throw new VmImportInputError(`KMS key ${keyId} is ${meta.KeySpec}/${meta.KeyUsage}: EBS encryption needs a symmetric ENCRYPT_DECRYPT key`);
  }
  return meta.Arn;
}

function errName(e: unknown): string {
  const err = e as { name?: string; message?: string };
  return err.name && err.name !== 'Error' ? err.name : (err.message ?? String(e));
}
