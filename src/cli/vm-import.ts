import { parseArgs } from 'node:util';
import { loadFactoryFile } from '../config/load';
import { isEnvironmentError, isRehostError, RehostError } from '../core/errors';
import { systemClock } from '../core/clock';
import { VmImportRequest } from '../vm-import/preflight';
import { writeReport } from '../vm-import/report';
import { runVmImport } from '../vm-import/run';
import { createVmImportClients, defaultReportPath, destroyVmImportClients } from '../vm-import/session';
import { Command, defaultConfigPath, parseUsage, UsageError } from './options';

const USAGE =
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

export const vmImportCommand: Command = {
  usage: USAGE,
  summary: 'Import a disk image as an encrypted AMI (resumable upload, ImportImage), optionally launch and verify it',
  async run(argv, io) {
    const { request, configFile, reportPath } = parseVmImportArgs(argv);
    const { config } = loadFactoryFile(configFile ?? defaultConfigPath());
    const clients = createVmImportClients(config);
    const report = reportPath ?? defaultReportPath(request.image);
    // Ctrl-C stops between parts; the state file keeps what finished, and the same command resumes.
    const controller = new AbortController();
    const onSigint = () => controller.abort(new Error('interrupted: run the same command again to resume'));
    process.once('SIGINT', onSigint);
    try {
      const result = await runVmImport(request, {
        config,
        clients,
        clock: systemClock,
        log: (l) => io.err(l),
        progress: { isTTY: Boolean(process.stderr.isTTY), write: (t) => process.stderr.write(t) },
        signal: controller.signal,
        onReport: (r) => writeReport(report, r),
      });
      io.out(`imported ${result.import?.imageId}${result.launch ? `, launched ${result.launch.instanceId} (status checks 2/2, SSM reachable)` : ''}; report: ${report}`);
      return 0;
    } catch (e) {
      const failure = asImportFailure(e);
      if (!isRehostError(failure) || failure.kind !== 'refusal') throw failure; // bad input (exit 2) and bugs: the CLI's error boundary
      io.err(`error: ${failure.message}${(e as { report?: unknown }).report ? `\nreport: ${report}` : ''}`);
      return 1;
    } finally {
      process.removeListener('SIGINT', onSigint);
      destroyVmImportClients(clients);
    }
  },
};
