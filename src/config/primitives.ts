import * as z from 'zod';
import { tagKeyProblem, tagValueProblem, TagScope } from './aws-tags';

/** Reusable field types for factory.yaml; each says in its message what a valid value looks like. */

export const accountId = z
  .string({ error: 'expected a 12-digit AWS account ID in quotes, e.g. "111122223333"' })
  .regex(/^\d{12}$/, 'expected a 12-digit AWS account ID, e.g. "111122223333"');

export const region = z
  .string({ error: 'expected an AWS Region name, e.g. "eu-west-1"' })
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'expected an AWS Region name, e.g. "eu-west-1"');

export const availabilityZone = z
  .string({ error: 'expected an Availability Zone name, e.g. "eu-west-1a"' })
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/, 'expected an Availability Zone name, e.g. "eu-west-1a"');

/** A name used in resource names and references: lowercase letters, digits and hyphens. */
export const name = z
  .string({ error: 'expected a name: lowercase letters, digits and hyphens' })
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a name of 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit');

export const ipv4 = z.string({ error: 'expected an IPv4 address, e.g. "10.0.0.2"' }).refine((v) => parseIpv4(v) !== undefined, {
  message: 'expected an IPv4 address, e.g. "10.0.0.2"',
});

export const cidr = z.string({ error: 'expected an IPv4 CIDR block, e.g. "10.20.0.0/16"' }).refine((v) => parseCidr(v) !== undefined, {
  message: 'expected an IPv4 CIDR block with the network address, e.g. "10.20.0.0/16"',
});

export const vpcId = z.string().regex(/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/, 'expected a VPC ID, e.g. "vpc-0123456789abcdef0"');
export const subnetId = z.string().regex(/^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/, 'expected a subnet ID, e.g. "subnet-0123456789abcdef0"');
export const securityGroupId = z.string().regex(/^sg-[0-9a-f]{8}([0-9a-f]{9})?$/, 'expected a security group ID, e.g. "sg-0123456789abcdef0"');
export const routeTableId = z.string().regex(/^rtb-[0-9a-f]{8}([0-9a-f]{9})?$/, 'expected a route table ID, e.g. "rtb-0123456789abcdef0"');

/** MGN source server IDs are "s-" followed by 17 hexadecimal characters. */
export const sourceServerId = z
  .string()
  .regex(/^s-[0-9a-zA-Z]{17}$/, 'expected an MGN source server ID: "s-" followed by 17 characters, e.g. "s-1234567890abcdef0"');

export const instanceType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'expected an EC2 instance type, e.g. "m5.large"');

export const iamArn = z.string().regex(/^arn:aws[a-z-]*:iam::(\d{12}|aws):[a-z-]+\/?.*$/, 'expected an IAM ARN, e.g. "arn:aws:iam::111122223333:role/Admin"');
export const kmsKeyArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, 'expected a KMS key ARN, e.g. "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"');

/**
 * An ISO-8601 duration as the runbook compares it with MGN's lagDuration: days, and hours,
 * minutes and seconds after the T ("PT15M", "PT1H30M", "P1D"). The messages name the usual
 * mistakes: "P20M" (20 months), a bare number, a unit without the T.
 */
export const isoDuration = z
  .string({ error: (issue) => (issue.input === undefined ? 'expected an ISO-8601 duration, e.g. "PT15M"' : durationTypeMessage(issue.input)) })
  .regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, { error: (issue) => durationMessage(String(issue.input)) });

function durationTypeMessage(v: unknown): string {
  if (typeof v === 'number') return `expected an ISO-8601 duration in quotes, e.g. "PT${v}M" for ${v} minutes (a bare number has no unit)`;
  return 'expected an ISO-8601 duration in quotes, e.g. "PT15M"';
}

function durationMessage(v: string): string {
  const t = v.trim();
  let m = /^P(\d+)M$/.exec(t);
  if (m) return `that is ${m[1]} month${m[1] === '1' ? '' : 's'} in ISO-8601 (an M before the T counts months); minutes go after the T: "PT${m[1]}M"`;
  m = /^P(\d+(?:\.\d+)?)([HS])$/.exec(t);
  if (m) return `hours, minutes and seconds go after the T: "PT${m[1]}${m[2]}"`;
  if (/^P.*\d[YMW]/.test(t.split('T')[0])) return 'years (Y), months (M) and weeks (W) are not accepted here: use days ("P1D") or hours, minutes and seconds after the T ("PT1H30M")';
  m = /^(\d+)\s*(m|min|mins|minutes?)$/i.exec(t);
  if (m) return `expected an ISO-8601 duration: ${m[1]} minutes is "PT${m[1]}M"`;
  if (/^p/.test(t)) return `ISO-8601 designators are upper case: "${t.toUpperCase()}"`;
  return 'expected an ISO-8601 duration, e.g. "PT15M" (15 minutes), "PT1H30M" or "P1D"';
}

/** Tags as AWS accepts them; `scope` says where they go (see TagScope). */
function tagMap(scope: TagScope) {
  const key = z.string().superRefine((k, ctx) => {
    const problem = tagKeyProblem(k, scope);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: k, params: { complete: true } });
  });
  const value = z.string({ error: 'expected a tag value as a string (in quotes when it looks like a number or a date)' }).superRefine((v, ctx) => {
    const problem = tagValueProblem(v, scope);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: v, params: { complete: true } });
  });
  return z.record(key, value);
}

/** Tags that go on every resource the stacks create. */
export const tags = tagMap('every-service').describe('Tags as key: value pairs');
/** Tags that only EC2 carries (launched instances and their volumes, MGN staging resources). */
export const ec2Tags = tagMap('ec2').describe('Tags as key: value pairs');

export function parseIpv4(v: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export interface CidrRange { readonly first: number; readonly last: number; readonly prefix: number }

/** Parses "a.b.c.d/n"; undefined when malformed or when host bits are set. */
export function parseCidr(v: string): CidrRange | undefined {
  const [ip, len, ...rest] = v.split('/');
  if (rest.length || len === undefined || !/^\d{1,2}$/.test(len)) return undefined;
  const prefix = Number(len);
  const addr = parseIpv4(ip);
  if (addr === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0) return undefined;
  return { first: addr, last: addr + size - 1, prefix };
}

export function cidrsOverlap(a: CidrRange, b: CidrRange): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function cidrContains(outer: CidrRange, inner: CidrRange): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}
