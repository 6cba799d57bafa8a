import type { Command } from './options';

/**
 * The CLI's commands, loaded lazily so `validate` does not pay for the AWS SDK or the provider
 * bindings. Multi-word commands ("wave run", "mgn init") are keyed by their first word and parse
 * the rest themselves.
 */
export const COMMANDS: Record<string, () => Command> = {
  init: () => require('./init').initCommand,
  synth: () => require('./synth').synthCommand,
  validate: () => require('./validate').validateCommand,
  schema: () => require('./schema').schemaCommand,
  mgn: () => require('./mgn').mgnCommand,
  wave: () => require('./wave').waveCommand,
  'vm-import': () => require('./vm-import').vmImportCommand,
  'plan-review': () => require('./plan-review').planReviewCommand,
  'plan-compare': () => require('./plan-review').planCompareCommand,
  outputs: () => require('./outputs').outputsCommand,
};
