import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { factoryJsonSchema } from './schema';

/** Where the generated factory.yaml reference is committed. */
export const FACTORY_REFERENCE_PATH = 'docs/reference/factory-yaml.md';

/** The parts of JSON Schema (draft 2020-12, as zod writes it) that the reference reads. */
export interface SchemaNode {
  readonly type?: string | string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly properties?: Record<string, SchemaNode>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | SchemaNode;
  readonly propertyNames?: SchemaNode;
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

/**
 * The factory.yaml reference as Markdown: one section per top-level field, each with a table of
 * every field beneath it (path, type, default, description; enums and constraints in the type).
 * Descriptions and defaults come only from the schema, so the reference cannot drift from the
 * loader: a description written in the zod schema appears here after `npx projen docs:reference`.
 */
export function renderFactoryReference(schema: SchemaNode): string {
  const out: string[] = [
    '# factory.yaml reference',
    '',
    '<!-- Generated from src/config/factory.schema.json by `npx projen docs:reference`. Do not edit by hand. -->',
    '',
    'Every field of the estate file, generated from the JSON Schema that `rehost-factory validate`,',
    '`synth` and editors use (`src/config/factory.schema.json`, itself generated from the zod schema in',
    '`src/config/`). A path such as `waves[].applications[]` means "each element of the list";',
    '`tags.<key>` means a map with keys of your choosing. Where a field accepts one of several shapes,',
    'each shape\'s fields are listed, marked *(one of)*. The cross-field rules (unique names, CIDRs',
    'that do not overlap, ...) are in [docs/estate-limits.md](../estate-limits.md) and the',
    '[cross-field rules](../factory-yaml.md#cross-field-rules).',
    '',
  ];
  const required = new Set(schema.required ?? []);
  const top = Object.entries(schema.properties ?? {});
  out.push('| field | required | description |', '|---|---|---|');
  for (const [name, node] of top) {
    out.push(`| [\`${name}\`](#${name.toLowerCase()}) | ${required.has(name) ? 'yes' : 'no'} | ${escapeText(splitDefault(node.description).text)} |`);
  }
  out.push('');
  for (const [name, node] of top) {
    out.push(`## ${name}`, '');
    const { text } = splitDefault(node.description);
    out.push(`${required.has(name) ? 'Required.' : 'Optional.'}${text ? ` ${escapeText(text)}` : ''}`, '');
    const rows: Row[] = [];
    collect(node, name, required.has(name), rows);
    out.push('| field | type | default | description |', '|---|---|---|---|');
    for (const r of rows) out.push(`| \`${r.path}\` | ${r.type} | ${r.default} | ${r.description} |`);
    out.push('');
  }
  return out.join('\n');
}

/** Appends the row of `node` at `path`, then the rows of everything beneath it. */
function collect(node: SchemaNode, path: string, required: boolean, rows: Row[], variant = false): void {
  const { text, defaultNote } = splitDefault(node.description);
  const notes: string[] = [];
  if (variant) notes.push('*(one of)*');
  if (required) notes.push('**Required.**');
  if (text) notes.push(escapeText(text));
  rows.push({ path, type: typeOf(node), default: defaultOf(node, defaultNote), description: notes.join(' ') });

  const shapes = node.anyOf ?? node.oneOf;
  if (shapes) {
    // A union of object shapes (e.g. backend: local or s3): list each shape's fields.
    for (const shape of shapes) {
      if (!shape.properties) continue;
      const req = new Set(shape.required ?? []);
      for (const [k, child] of Object.entries(shape.properties)) collect(child, `${path}.${k}`, req.has(k), rows, true);
    }
    return;
  }
  if (node.properties) {
    const req = new Set(node.required ?? []);
    for (const [k, child] of Object.entries(node.properties)) collect(child, `${path}.${k}`, req.has(k), rows);
  }
  if (typeof node.additionalProperties === 'object' && hasChildren(node.additionalProperties)) {
    collect(node.additionalProperties, `${path}.<key>`, false, rows);
  }
  if (node.items && hasChildren(node.items)) {
    const item = node.items;
    const req = new Set(item.required ?? []);
    if (item.properties) {
      for (const [k, child] of Object.entries(item.properties)) collect(child, `${path}[].${k}`, req.has(k), rows);
    } else {
      collect(item, `${path}[]`, false, rows);
    }
  }
}

function hasChildren(node: SchemaNode): boolean {
  const shapes = node.anyOf ?? node.oneOf ?? [];
  return Boolean(node.properties || shapes.some((s) => s.properties) || (node.items && hasChildren(node.items)));
}

/** The type column: base type, enum or constant, and the constraints a value must meet. */
function typeOf(node: SchemaNode): string {
  if (node.const !== undefined) return `constant ${code(JSON.stringify(node.const))}`;
  if (node.enum) return `one of ${node.enum.map((v) => code(String(v))).join(', ')}`;
  const shapes = node.anyOf ?? node.oneOf;
  if (shapes) {
    const parts = shapes.map((s) => (s.properties ? `{ ${Object.keys(s.properties).map((k) => code(k)).join(', ')} }` : typeOf(s)));
    return `one of: ${[...new Set(parts)].join(' or ')}`;
  }
  const base = Array.isArray(node.type) ? node.type.join(' or ') : node.type ?? 'any';
  let t: string;
  if (base === 'array') {
    t = `list of ${node.items ? (node.items.properties ? 'objects' : typeOf(node.items)) : 'any'}`;
  } else if (base === 'object' && typeof node.additionalProperties === 'object') {
    const key = node.propertyNames ? typeOf(node.propertyNames) : 'string';
    t = `map of ${key} to ${typeOf(node.additionalProperties)}`;
  } else {
    t = base;
  }
  const c: string[] = [];
  if (node.pattern !== undefined) c.push(`pattern ${code(node.pattern)}`);
  if (node.format !== undefined) c.push(`format ${node.format}`);
  if (node.minimum !== undefined) c.push(`≥ ${node.minimum}`);
  if (node.exclusiveMinimum !== undefined) c.push(`> ${node.exclusiveMinimum}`);
  if (node.maximum !== undefined) c.push(`≤ ${node.maximum}`);
  if (node.exclusiveMaximum !== undefined) c.push(`< ${node.exclusiveMaximum}`);
  if (node.minLength !== undefined) c.push(`length ≥ ${node.minLength}`);
  if (node.maxLength !== undefined) c.push(`length ≤ ${node.maxLength}`);
  if (node.minItems !== undefined) c.push(`≥ ${node.minItems} items`);
  if (node.maxItems !== undefined) c.push(`≤ ${node.maxItems} items`);
  return c.length ? `${t} (${c.join(', ')})` : t;
}

/** The default column: the schema's own note (`@default ...`) when it has one, else its value. */
function defaultOf(node: SchemaNode, note: string | undefined): string {
  if (note) return escapeText(note);
  if (node.default === undefined) return '';
  const json = JSON.stringify(node.default);
  // A whole object's default is the defaults of its fields, listed in their rows.
  if (typeof node.default === 'object' && node.default !== null && json !== '{}' && json !== '[]') return 'see its fields';
  return code(json);
}

/** Splits "What it is. @default value" into the description and the default note. */
function splitDefault(description: string | undefined): { text: string; defaultNote?: string } {
  if (!description) return { text: '' };
  const i = description.indexOf('@default');
  if (i < 0) return { text: description.trim() };
  return { text: description.slice(0, i).trim(), defaultNote: description.slice(i + '@default'.length).trim() };
}

/** Text for a table cell or paragraph: no HTML tags (`<estate>` stays visible), no cell breaks. */
function escapeText(s: string): string {
  return cell(s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** An inline code span that survives a table cell, whatever backticks or pipes the value holds. */
function code(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** Writes the reference of the current schema (the projen task `docs:reference`). */
export function writeFactoryReference(path = FACTORY_REFERENCE_PATH): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderFactoryReference(factoryJsonSchema() as SchemaNode));
}

if (require.main === module) {
  writeFactoryReference();
  process.stdout.write(`wrote ${FACTORY_REFERENCE_PATH}\n`);
}
