/**
 * A small JSON-Schema validator for the subset the CloudFormation resource schemas use here: type,
 * enum, properties, required, additionalProperties, items, $ref to #/definitions, minimum, maximum.
 * Each problem names the path, e.g. "/Properties/PostLaunchActions/Deployment: expected one of ...".
 */
export interface JsonSchema {
  type?: 'string' | 'boolean' | 'integer' | 'number' | 'object' | 'array';
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  $ref?: string;
  minimum?: number;
  maximum?: number;
  definitions?: Record<string, JsonSchema>;
  description?: string;
}

export function validateJson(value: unknown, schema: JsonSchema, root: JsonSchema = schema, path = ''): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/definitions/', '');
    const target = root.definitions?.[name];
    if (!target) return [`${path || '/'}: schema has no definition ${schema.$ref}`];
    return validateJson(value, target, root, path);
  }
  const at = path || '/';
  const errors: string[] = [];
  if (schema.type && !hasType(value, schema.type)) return [`${at}: expected ${schema.type}, got ${describe(value)}`];
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: expected one of ${schema.enum.join(', ')}, got ${JSON.stringify(value)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: expected at least ${schema.minimum}, got ${value}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: expected at most ${schema.maximum}, got ${value}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...validateJson(v, schema.items!, root, `${path}/${i}`)));
  if (isObject(value) && (schema.properties || schema.additionalProperties !== undefined || schema.required)) {
    for (const r of schema.required ?? []) if (!(r in value)) errors.push(`${at}: missing required property ${r}`);
    for (const [k, v] of Object.entries(value)) {
      const p = schema.properties?.[k];
      if (p) errors.push(...validateJson(v, p, root, `${path}/${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}/${k}: unknown property (expected one of ${Object.keys(schema.properties ?? {}).join(', ')})`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...validateJson(v, schema.additionalProperties, root, `${path}/${k}`));
    }
  }
  return errors;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasType(v: unknown, t: NonNullable<JsonSchema['type']>): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'array': return Array.isArray(v);
    case 'object': return isObject(v);
  }
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : `${typeof v} ${JSON.stringify(v)}`;
}
