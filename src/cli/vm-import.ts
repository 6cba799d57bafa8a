import { loadFactoryFile } from '../config/load';
import { isRehostError } from '../core/errors';
import { systemClock } from '../core/clock';
import { writeReport } from '../vm-import/report';
import { runVmImport } from '../vm-import/run';
import { createVmImportClients, defaultReportPath, destroyVmImportClients } from '../vm-import/session';
import { asImportFailure, parseVmImportArgs, VM_IMPORT_USAGE } from '../vm-import/args';
import { Command, defaultConfigPath } from './options';

const USAGE = VM_IMPORT_USAGE;

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
