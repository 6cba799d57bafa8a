import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { factoryJsonSchema } from '../config/schema';
import { Command, parseUsage } from './options';

/** Where the committed JSON Schema lives; examples point editors at it. */
export const JSON_SCHEMA_PATH = 'src/config/factory.schema.json';

export function renderJsonSchema(): string {
  return JSON.stringify(factoryJsonSchema(), null, 2) + '\n';
}

export const schemaCommand: Command = {
  usage: 'rehost-factory schema [--write]',
  summary: `Print the JSON Schema of factory.yaml (--write updates ${JSON_SCHEMA_PATH})`,
  async run(argv, io) {
    const { values } = parseUsage(() => parseArgs({ args: argv, strict: true, options: { write: { type: 'boolean' } } }));
    if (values.write) {
      writeFileSync(JSON_SCHEMA_PATH, renderJsonSchema());
      io.out(`wrote ${JSON_SCHEMA_PATH}`);
    } else {
      io.out(renderJsonSchema().trimEnd());
    }
    return 0;
  },
};
