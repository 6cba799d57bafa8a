import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageInfo } from '../core/package-info';
import { factoryJsonSchema } from '../config/schema';
import { Command, parseUsage } from './options';

/** Where the JSON Schema lives in the package; examples and estate files point editors at it. */
export const JSON_SCHEMA_PATH = 'src/config/factory.schema.json';

export function renderJsonSchema(): string {
  return JSON.stringify(factoryJsonSchema(), null, 2) + '\n';
}

export const schemaCommand: Command = {
  usage: 'rehost-factory schema [--write]',
  summary: `Print the JSON Schema of factory.yaml (--write updates the package's ${JSON_SCHEMA_PATH})`,
  async run(argv, io) {
    const { values } = parseUsage(() => parseArgs({ args: argv, strict: true, options: { write: { type: 'boolean' } } }));
    if (values.write) {
      // The package's own copy (the committed file in a checkout), wherever the command runs.
      const file = join(packageInfo().root, JSON_SCHEMA_PATH);
      writeFileSync(file, renderJsonSchema());
      io.out(`wrote ${file}`);
    } else {
      io.out(renderJsonSchema().trimEnd());
    }
    return 0;
  },
};
