import { parseArgs } from 'node:util';
import { isEnvironmentError, isRehostError, RehostError } from '../core/errors';
import { parseUsage, UsageError } from '../core/usage';
import { VmImportRequest } from './preflight';

/**
 * The vm-import request as the CLI and the vm-import action give it (the action turns its inputs
 * into the same arguments), and how an import failure is shown: one parser for both edges.
 */
export const VM_IMPORT_USAGE =
  'rehost-factory vm-import (--image PATH | --s3-key KEY) --format ova|vmdk|vhd|vhdx|raw --os linux|windows [--server NAME] ' +
  '[--kms-key ARN] [--license-type AWS|BYOL] [--boot-mode legacy-bios] [--launch [--placement cutover|test] [--stop-first] ' +
  '[--checksums FILE]] [--keep-object] [--state FILE] [--concurrency N] [--report FILE] [--config FILE]';

/** Parses the command line into a request; flag mistakes are UsageErrors (exit 2). */
export function parseVmImportArgs(argv: string[]): { request: VmImportRequest; configFile?: string; reportPath?: string } {
  const { values: v } = parseUsage(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        image: { type: 'string' },
        's3-key': { type: 'string' },
        format: { type: 'string' },
        os: { type: 'string' },
        server: { type: 'string' },
        'kms-key': { type: 'string' },
        'license-type': { type: 'string' },
        'boot-mode': { type: 'string' },
        launch: { type: 'boolean' },
        placement: { type: 'string' },
        'stop-first': { type: 'boolean' },
        checksums: { type: 'string' },
        'keep-object': { type: 'boolean' },
        state: { type: 'string' },
        concurrency: { type: 'string' },
        report: { type: 'string' },
        config: { type: 'string', short: 'c' },
      },
    }),
  );
  if (!v.image === !v['s3-key']) throw new UsageError('give exactly one of --image PATH (upload a file) or --s3-key KEY (an object already in the import bucket)');
  if (!v.format) throw new UsageError('--format is required (ova, vmdk, vhd, vhdx or raw)');
  if (!v.os) throw new UsageError('--os is required (linux or windows)');
  if (v.placement !== undefined && v.placement !== 'cutover' && v.placement !== 'test') throw new UsageError(`--placement "${v.placement}": expected cutover or test`);
  let concurrency: number | undefined;
  if (v.concurrency !== undefined) {
    concurrency = Number(v.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency "${v.concurrency}": expected a whole number from 1 to 64`);
  }
  if (v.state && v['s3-key']) throw new UsageError('--state applies to uploads (--image), not to --s3-key');
  return {
    configFile: v.config,
    reportPath: v.report,
    request: {
      image: v.image ? { path: v.image } : { s3Key: v['s3-key']! },
      format: v.format,
      os: v.os,
      server: v.server,
      kmsKeyArn: v['kms-key'],
      licenseType: v['license-type'],
      bootMode: v['boot-mode'],
      launch: v.launch ?? false,
      placement: v.placement as 'cutover' | 'test' | undefined,
      stopFirst: v['stop-first'] ?? false,
      checksumsFile: v.checksums,
      keepObject: v['keep-object'] ?? false,
      statePath: v.state,
      concurrency,
    },
  };
}

/** Errors the JavaScript engine raises: a bug wherever they come from. */
const ENGINE_ERRORS: ReadonlyArray<new () => Error> = [TypeError, ReferenceError, SyntaxError, RangeError, EvalError, URIError];

/**
 * An error of the import run as the user sees it: the runbook's own failures (an import task that
 * failed, a wait that timed out, an integrity check, an AWS error) become refusals with their
 * message; errors the engine raises stay as they are (a bug); expected errors keep their kind.
 */
export function asImportFailure(e: unknown): unknown {
  if (isRehostError(e) || !(e instanceof Error) || ENGINE_ERRORS.some((t) => e instanceof t)) return e;
  return new RehostError('refusal', isEnvironmentError(e) && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message, { cause: e });
}

