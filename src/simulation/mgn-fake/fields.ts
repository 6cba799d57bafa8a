import { invalidField } from './errors';

/** A request body as the SDK serialized it (JSON object). */
export type Body = Record<string, unknown>;

const ID_PATTERNS: Record<string, RegExp> = {
  sourceServerID: /^s-[0-9a-zA-Z]{17}$/,
  waveID: /^wave-[0-9a-zA-Z]{8,17}$/,
  applicationID: /^app-[0-9a-zA-Z]{8,17}$/,
  jobID: /^mgnjob-[0-9a-zA-Z]{17}$/,
};

/** A required string member, checked against MGN's ID pattern when it is an ID. */
export function requiredString(body: Body, name: string, pattern = ID_PATTERNS[name]): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0) throw invalidField(name, 'is required');
  if (pattern && !pattern.test(value)) throw invalidField(name, `must match ${pattern.source}`);
  return value;
}

export function optionalString(body: Body, name: string, maxLength = 600): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidField(name, 'must be a string');
  if (value.length > maxLength) throw invalidField(name, `must be at most ${maxLength} characters`);
  return value;
}

/**
 * A required list of IDs of 1..`max` entries (the API model's length constraint, enforced by MGN
 * with a ValidationException before any quota check). Duplicates are dropped.
 */
export function idList(body: Body, name: string, itemName: string, max: number): string[] {
  const value = body[name];
  if (!Array.isArray(value) || value.length === 0) throw invalidField(name, 'must be a non-empty list');
  if (value.length > max) throw invalidField(name, `must contain at most ${max} items, got ${value.length}`);
  const pattern = ID_PATTERNS[itemName];
  for (const id of value) {
    if (typeof id !== 'string' || (pattern && !pattern.test(id))) throw invalidField(name, `item ${JSON.stringify(id)} must match ${pattern?.source ?? 'a string'}`);
  }
  return [...new Set(value as string[])];
}

export function filters(body: Body): Body {
  const value = body.filters;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidField('filters', 'must be an object');
  return value as Body;
}

export function optionalStringList(body: Body, name: string): string[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidField(name, 'must be a list of strings');
  return value as string[];
}

export function tagsOf(body: Body, name = 'tags'): Record<string, string> {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) throw invalidField(name, 'must be a map of strings');
  return { ...(value as Record<string, string>) };
}
