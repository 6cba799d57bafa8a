/**
 * AWS's rules for tags (docs/estate-limits.md): what factory.yaml checks where a tag is written,
 * so that a tag AWS would refuse at apply or launch time is refused at its line instead.
 */

/** Tags a resource may carry (tags with the aws: prefix, which AWS adds, do not count). */
export const MAX_TAGS_PER_RESOURCE = 50;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;

/**
 * Where a tag goes decides which characters it may use: the estate's tags go on every resource the
 * stacks create (IAM, KMS, S3, Lambda...), which accept only the characters common to all services;
 * tags that only EC2 carries (launched instances and volumes, MGN staging resources) may use any.
 */
export type TagScope = 'every-service' | 'ec2';

/** Letters, digits and white space of any script, and _ . : / = + - @ */
const COMMON_CHARACTER = /[\p{L}\p{Z}\p{N}_.:/=+\-@]/u;
const COMMON_CHARACTERS = 'letters, digits, spaces and _ . : / = + - @';

/** Length as AWS counts it: Unicode characters, not UTF-16 code units. */
export function characterCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Why AWS would refuse `key` as a tag key, or undefined. */
export function tagKeyProblem(key: string, scope: TagScope): string | undefined {
  const shown = preview(key);
  if (key.length === 0) return 'tag keys must not be empty';
  const n = characterCount(key);
  if (n > TAG_KEY_MAX) return `tag key ${shown} has ${n} characters; AWS allows ${TAG_KEY_MAX}`;
  if (/^aws:/i.test(key)) return `tag key ${shown} starts with "${key.slice(0, 4)}", a prefix AWS reserves for its own tags: choose another key`;
  if (scope === 'every-service') {
    const bad = firstUncommon(key);
    if (bad) return `tag key ${shown} contains ${bad}; the estate's tags go on every resource, and AWS allows only ${COMMON_CHARACTERS} in tags on all services`;
  }
  return undefined;
}

/** Why AWS would refuse `value` as a tag value, or undefined. */
export function tagValueProblem(value: string, scope: TagScope): string | undefined {
  const n = characterCount(value);
  if (n > TAG_VALUE_MAX) return `tag value ${preview(value)} has ${n} characters; AWS allows ${TAG_VALUE_MAX}`;
  if (scope === 'every-service') {
    const bad = firstUncommon(value);
    if (bad) return `tag value ${preview(value)} contains ${bad}; the estate's tags go on every resource, and AWS allows only ${COMMON_CHARACTERS} in tags on all services`;
  }
  return undefined;
}

/** The tags a resource ends up with (later maps override earlier keys), for counting. */
export function tagKeys(...sets: ReadonlyArray<Readonly<Record<string, string>> | readonly string[]>): Set<string> {
  const keys = new Set<string>();
  for (const s of sets) for (const k of Array.isArray(s) ? s : Object.keys(s)) if (!/^aws:/i.test(k)) keys.add(k);
  return keys;
}

function firstUncommon(s: string): string | undefined {
  for (const ch of s) {
    if (!COMMON_CHARACTER.test(ch)) {
      const code = ch.codePointAt(0)!;
      const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
      return code < 0x20 || (code >= 0x7f && code < 0xa0) ? `the control character ${hex}` : `"${ch}" (${hex})`;
    }
  }
  return undefined;
}

function preview(s: string): string {
  const chars = [...s];
  return JSON.stringify(chars.length > 40 ? `${chars.slice(0, 37).join('')}...` : s);
}
