import { MgnClient } from '@aws-sdk/client-mgn';
import { parseArgs } from 'node:util';
import { createClient } from '../aws/clients';
import { loadFactoryFile } from '../config/load';
import { initializeMgn } from '../mgn/initialize';
import { Command, defaultConfigPath, parseUsage, UsageError } from './options';

/** `rehost-factory mgn init`: initialize MGN in the staging account and Region, once. */
export const mgnCommand: Command = {
  usage: 'rehost-factory mgn init [--config FILE] [--region REGION]',
  summary: 'Initialize Application Migration Service in the staging account and Region (idempotent; a prerequisite of the mgn stack)',
  async run(argv, io) {
    const { positionals, values } = parseUsage(() =>
      parseArgs({ args: argv, strict: true, allowPositionals: true, options: { config: { type: 'string', short: 'c' }, region: { type: 'string' } } }),
    );
    if (positionals[0] !== 'init' || positionals.length > 1) throw new UsageError(`expected "mgn init", got "mgn ${positionals.join(' ')}"`);
    const file = values.config ?? defaultConfigPath();
    const { config } = loadFactoryFile(file);
    const region = values.region ?? config.region;
    // No SDK retries: initializeMgn retries itself, reading MGN's state before sending InitializeService again.
    const client = createClient(MgnClient, 'mgn', { region, endpoints: config.endpoints, overrides: { maxAttempts: 1 } });
    io.out(`MGN in account ${config.accounts.staging}, Region ${region} (${file})`);
    const outcome = await initializeMgn(client, { log: (l) => io.out(`  ${l}`) });
    io.out(outcome === 'initialized' ? 'initialized' : 'already initialized');
    return 0;
  },
};
