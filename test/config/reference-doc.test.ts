import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FACTORY_REFERENCE_PATH, renderFactoryReference, SchemaNode } from '../../src/config/reference-doc';
import { factoryJsonSchema } from '../../src/config/schema';
import { ROOT } from '../support/tools';

const schema = (): SchemaNode => factoryJsonSchema() as SchemaNode;

describe('factory.yaml reference (docs/reference/factory-yaml.md)', () => {
  it('the committed file is the render of the current schema', () => {
    const committed = readFileSync(join(ROOT, FACTORY_REFERENCE_PATH), 'utf8');
    const current = renderFactoryReference(schema());
    if (committed !== current) {
      throw new Error(`${FACTORY_REFERENCE_PATH} is out of date with the factory.yaml schema: run \`npx projen docs:reference\` and commit the result`);
    }
  });

  it('has one section per top-level field and a row per nested field, with types, defaults and enums', () => {
    const doc = renderFactoryReference(schema());
    for (const field of Object.keys(schema().properties ?? {})) expect(doc).toContain(`\n## ${field}\n`);
    expect(doc).toMatch(/\| `waves\[\]\.applications\[\]\.servers\[\]\.os` \| one of `linux`, `windows` \|/);
    expect(doc).toMatch(/\| `accounts\.targets\[\]\.kms\.deletionWindowDays` \| integer \(≥ 7, ≤ 30\) \| 30 \|/);
    expect(doc).toContain('| `backend.s3.locking` | one of `lockfile`, `dynamodb` |');
    // Placeholders stay visible on GitHub instead of being read as HTML tags.
    expect(doc).toContain('alias/rehost-factory/&lt;estate&gt;/&lt;account name&gt;');
  });

  it('a changed description changes the output', () => {
    const s = schema() as { properties: Record<string, { properties: Record<string, { description?: string }> }> };
    const before = renderFactoryReference(s as SchemaNode);
    s.properties.accounts.properties.staging.description = 'A description nobody wrote';
    const after = renderFactoryReference(s as SchemaNode);
    expect(after).not.toBe(before);
    expect(after).toContain('| `accounts.staging` | string (pattern `^\\d{12}$`) |  | **Required.** A description nobody wrote |');
  });

  it('escapes what would break a table row', () => {
    const doc = renderFactoryReference({
      type: 'object',
      properties: { x: { type: 'string', description: 'a|b <c>\nd', enum: ['p|q'] } },
    });
    expect(doc).toContain('| `x` | one of `p\\|q` |  | a\\|b &lt;c&gt; d |');
  });
});
