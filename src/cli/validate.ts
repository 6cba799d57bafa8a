import { parseArgs } from 'node:util';
import { loadFactoryFile } from '../config/load';
import { Command, defaultConfigPath, parseUsage } from './options';

export const validateCommand: Command = {
  usage: 'rehost-factory validate [FILE]',
  summary: 'Check an estate file and report every problem with file, line and field',
  async run(argv, io) {
    const { positionals } = parseUsage(() => parseArgs({ args: argv, strict: true, allowPositionals: true, options: {} }));
    const file = positionals[0] ?? defaultConfigPath();
    const { config } = loadFactoryFile(file);
    const servers = config.waves.flatMap((w) => w.applications.flatMap((a) => a.servers)).length;
    io.out(`${file}: valid (${config.waves.length} waves, ${servers} servers, Region ${config.region})`);
    return 0;
  },
};
