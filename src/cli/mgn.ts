import { MgnClient } from '@aws-sdk/client-mgn';
import { parseArgs } from 'node:util';
import { createClient } from '../core/aws/clients';
import { loadFactoryFile } from '../config/load';
import { region } from '../config/primitives';
import { initializeMgn } from '../runbook/mgn-init';
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
    // Checked before anything else: a malformed Region would only fail later, at the network.
    if (values.region !== undefined && !region.safeParse(values.region).success) throw new UsageError(`--region "${values.region}": expected an AWS Region name, e.g. "eu-west-1"`);
    const file = values.config ?? defaultConfigPath();
    const { config } = loadFactoryFile(file);
    const target = values.region ?? config.region;
    // No SDK retries: initializeMgn retries itself, reading MGN's state before sending InitializeService again.
    const client = createClient(MgnClient, 'mgn', { region: target, endpoints: config.endpoints, overrides: { maxAttempts: 1 } });
    io.out(`MGN in account ${config.accounts.staging}, Region ${target} (${file})`);
    const outcome = await initializeMgn(client, { log: (l) => io.out(`  ${l}`) });
    io.out(outcome === 'initialized' ? 'initialized' : 'already initialized');
    return 0;
  },
};
