import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createHash } from 'node:crypto';
import { FactoryConfig } from '../config/schema';
import { Clock } from '../core/clock';
import { startOrResumeImport, waitForImport } from './import-task';
import { checkIntegrity } from './integrity';
import { launchImported } from './launch';
import { importObjectKey, VMIMPORT_ROLE_NAME } from '../config/vm-import-names';
import { preflight, VmImportRequest } from './preflight';
import { ProgressSink } from './progress';
import { VmImportReport } from './report';
import { defaultStatePath, removeUploadState } from './upload-state';
import { uploadImage } from './uploader';

export interface VmImportClients {
  readonly s3: S3Client;
  readonly ec2: EC2Client;
  readonly kms: KMSClient;
  readonly ssm: SSMClient;
  readonly iam: IAMClient;
}

export interface VmImportContext {
  readonly config: FactoryConfig;
  readonly clients: VmImportClients;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  readonly progress?: ProgressSink;
  readonly signal?: AbortSignal;
  /** The report is updated here as the run goes, so a failure still leaves what was done. */
  readonly onReport?: (report: VmImportReport) => void;
}

/**
 * The VM Import runbook: preflight → resumable upload → ImportImage (encrypted) → wait → optional
 * launch + status checks + SSM integrity → delete the object → report. Each step is idempotent: a
 * re-run resumes the upload, gets the same import task back (ClientToken) and the same instance.
 */
export async function runVmImport(req: VmImportRequest, ctx: VmImportContext): Promise<VmImportReport> {
  const { config, clients, clock, log } = ctx;
  const settings = config.vmImport;
  const checked = await preflight(config, req, clients);
  const source = 'path' in checked.image ? checked.image.path : `s3://${checked.bucket}/${checked.image.s3Key}`;
  const report: VmImportReport = {
    version: 1,
    outcome: 'failed',
    server: checked.server?.name,
    startedAt: clock.now().toISOString(),
    image: { source, format: checked.format.name, os: checked.os, size: checked.size },
  };
  const publish = () => ctx.onReport?.(report);
  try {
    const key = 'path' in checked.image ? importObjectKey(config, checked.image.path, checked.server?.name) : checked.image.s3Key;
    let versionTag: string;
    let statePath: string | undefined;
    if ('path' in checked.image) {
      statePath = req.statePath ?? defaultStatePath(checked.image.path);
      const up = await uploadImage({
        s3: clients.s3,
        imagePath: checked.image.path,
        bucket: checked.bucket,
        key,
        statePath,
        concurrency: req.concurrency ?? settings.upload.concurrency,
        kmsKeyArn: checked.kmsKeyArn,
        signal: ctx.signal,
        progress: ctx.progress,
        progressIntervalMs: settings.upload.progressIntervalSeconds * 1000,
        log,
        clock,
      });
      report.image.sha256 = up.sha256;
      report.image.compositeSha256 = up.compositeSha256;
      report.upload = {
        bucket: up.bucket,
        key: up.key,
        uploadId: up.uploadId,
        partSize: up.partSize,
        partCount: up.partCount,
        partsSent: up.partsSent,
        partsResumed: up.partsResumed,
        seconds: up.seconds,
        bytesPerSecond: up.bytesPerSecond,
      };
      versionTag = `${up.etag}:${up.versionId ?? ''}`;
      log(`uploaded ${source} → s3://${up.bucket}/${up.key} (${up.partsSent} parts sent, ${up.partsResumed} resumed, ${(up.bytesPerSecond / 1024 ** 2).toFixed(1)} MiB/s)`);
    } else {
      const head = await clients.s3.send(new HeadObjectCommand({ Bucket: checked.bucket, Key: key }));
      versionTag = `${head.ETag}:${head.VersionId ?? ''}`;
    }
    publish();

    // One object version → one token → one import task, however often the run is repeated.
    const clientToken = createHash('sha256').update(`${checked.bucket}/${key}:${versionTag}`).digest('hex').slice(0, 64);
    const started = await startOrResumeImport({
      ec2: clients.ec2,
      bucket: checked.bucket,
      key,
      format: checked.format,
      kmsKeyArn: checked.kmsKeyArn,
      bootMode: checked.bootMode,
      licenseType: checked.licenseType,
      platform: checked.os === 'windows' ? 'Windows' : 'Linux',
      description: `rehost-factory ${config.name}: ${checked.server?.name ?? key}`,
      clientToken,
      roleName: VMIMPORT_ROLE_NAME,
      tags: { 'rehost-factory:estate': config.name, ...(checked.server ? { 'rehost-factory:server': checked.server.name } : {}) },
      log,
    });
    const importTaskId = started.ImportTaskId;
    log(`import task ${importTaskId} running (${checked.format.diskContainerFormat}, encrypted with ${checked.kmsKeyArn})`);
    const imported = await waitForImport({
      ec2: clients.ec2,
      importTaskId,
      first: started,
      clock,
      timeoutMinutes: settings.import.timeoutMinutes,
      pollSeconds: settings.import.pollSeconds,
      log,
      signal: ctx.signal,
    });
    report.import = { ...imported, kmsKeyArn: checked.kmsKeyArn, bootMode: checked.bootMode, licenseType: checked.licenseType };
    log(`imported ${imported.imageId} (snapshots ${imported.snapshotIds.join(', ') || 'none reported'})`);
    publish();

    if (req.launch && checked.server) {
      const pollMs = settings.import.pollSeconds * 1000;
      report.launch = await launchImported({
        ec2: clients.ec2,
        config,
        server: checked.server,
        placement: req.placement ?? 'cutover',
        imageId: imported.imageId,
        stopFirst: req.stopFirst ?? false,
        clock,
        statusCheckTimeoutMinutes: config.runbook.statusCheckTimeoutMinutes,
        pollMs,
        log,
      });
      publish();
      report.integrity = await checkIntegrity({
        ssm: clients.ssm,
        instanceId: report.launch.instanceId,
        os: checked.os,
        checksums: checked.checksums,
        clock,
        timeoutMinutes: config.runbook.postLaunchTimeoutMinutes,
        pollMs,
        log,
      });
      if (!report.integrity.ok) {
        const bad = report.integrity.files.filter((f) => !f.ok).map((f) => `${f.path} (expected ${f.expected}, got ${f.actual ?? 'no checksum'})`);
        throw new Error(`integrity check failed on ${report.launch.instanceId}: ${bad.join('; ')}`);
      }
    }

    const deleted = !req.keepObject;
    if (deleted) {
      // Deleting the version (not adding a delete marker) really removes the image from the versioned bucket.
      const head = await clients.s3.send(new HeadObjectCommand({ Bucket: checked.bucket, Key: key }));
      await clients.s3.send(new DeleteObjectCommand({ Bucket: checked.bucket, Key: key, VersionId: head.VersionId }));
      log(`deleted s3://${checked.bucket}/${key}${head.VersionId ? ` (version ${head.VersionId})` : ''}`);
    }
    report.object = { bucket: checked.bucket, key, deleted };
    if (statePath) removeUploadState(statePath);
    report.outcome = 'succeeded';
    return report;
  } catch (e) {
    report.error = (e as Error).message;
    throw Object.assign(e as Error, { report });
  } finally {
    report.finishedAt = clock.now().toISOString();
    publish();
  }
}
