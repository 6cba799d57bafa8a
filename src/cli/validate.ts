import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors';
import { loadFactoryFile } from '../config/load';
import { Command, defaultConfigPath, parseUsage } from './options';

export const validateCommand: Command = {
  usage: 'rehost-factory validate [FILE ...]',
  summary: 'Check estate files and report every problem with file, line and field (exit 2 when any file has one)',
  async run(argv, io) {
    const { positionals } = parseUsage(() => parseArgs({ args: argv, strict: true, allowPositionals: true, options: {} }));
    const files = positionals.length ? positionals : [defaultConfigPath()];
    let invalid = 0;
    for (const file of files) {
      try {
        const { config, file: shown } = loadFactoryFile(file);
        const servers = config.waves.flatMap((w) => w.applications.flatMap((a) => a.servers)).length;
        io.out(`${shown}: valid (${config.waves.length} waves, ${servers} servers, Region ${config.region})`);
      } catch (e) {
        // Every file is checked; an invalid estate is reported here, anything else is not the file's fault.
        if (!(e instanceof ConfigError)) throw e;
        io.err(e.message);
        invalid++;
      }
    }
    if (invalid && files.length > 1) io.err(`${invalid} of ${files.length} estate files are invalid`);
    return invalid ? 2 : 0;
  },
};
