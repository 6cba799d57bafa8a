import { writeFileSync } from 'node:fs';
import { ImportOutcome } from './import-task';
import { IntegrityOutcome } from './integrity';
import { LaunchOutcome } from './launch';

/** The JSON report of one `vm-import` run, for the audit trail (written on success and on failure). */
export interface VmImportReport {
  readonly version: 1;
  outcome: 'succeeded' | 'failed';
  error?: string;
  readonly server?: string;
  readonly startedAt: string;
  finishedAt?: string;
  readonly image: {
    readonly source: string;
    readonly format: string;
    readonly os: string;
    readonly size: number;
    /** SHA-256 (hex) of the image file, when it was uploaded from a file. */
    sha256?: string;
    /** S3's composite SHA-256 of the object ("<base64>-<parts>"). */
    compositeSha256?: string;
  };
  upload?: {
    readonly bucket: string;
    readonly key: string;
    readonly uploadId: string;
    readonly partSize: number;
    readonly partCount: number;
    readonly partsSent: number;
    readonly partsResumed: number;
    readonly seconds: number;
    readonly bytesPerSecond: number;
  };
  import?: ImportOutcome & { readonly kmsKeyArn: string; readonly bootMode?: string; readonly licenseType?: string };
  launch?: LaunchOutcome;
  integrity?: IntegrityOutcome;
  object?: { readonly bucket: string; readonly key: string; readonly deleted: boolean };
}

export function writeReport(path: string, report: VmImportReport): void {
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
}
