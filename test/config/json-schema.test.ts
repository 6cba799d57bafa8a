import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSON_SCHEMA_PATH, renderJsonSchema } from '../../src/cli/schema';
import { ROOT } from '../support/tools';

describe('JSON Schema of factory.yaml', () => {
  it('the committed file is generated from the current zod schema (run `npm run cli -- schema --write`)', () => {
    expect(readFileSync(join(ROOT, JSON_SCHEMA_PATH), 'utf8')).toBe(renderJsonSchema());
  });

  it('describes the sections editors complete, with defaults and enums', () => {
    const schema = JSON.parse(renderJsonSchema());
    expect(schema.required).toEqual(expect.arrayContaining(['version', 'name', 'region', 'accounts', 'network', 'waves']));
    expect(schema.additionalProperties).toBe(false);
    const server = schema.properties.waves.items.properties.applications.items.properties.servers.items;
    expect(server.properties.os.enum).toEqual(['linux', 'windows']);
    expect(server.properties.sourceServerId.pattern).toBe('^s-[0-9a-zA-Z]{17}$');
    expect(schema.properties.mgn.properties.launch.properties.bootMode.default).toBe('USE_SOURCE');
  });

  it('each example points editors at the schema', () => {
    for (const f of ['factory.yaml', 'existing-vpc.yaml']) {
      expect(readFileSync(join(ROOT, 'examples', f), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../src/config/factory.schema.json');
    }
  });
});
