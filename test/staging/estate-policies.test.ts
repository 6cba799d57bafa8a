import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleConfig, synthToTemp } from '../support/synth';

/**
 * Policy tests over the synthesized JSON of both examples, every stack of the estate.
 * Statements come from JSON policy strings and from aws_iam_policy_document data sources.
 */
type Resources = Record<string, Record<string, Record<string, unknown>>>;
interface StackJson { resource?: Resources; data?: Resources; output?: Record<string, { value: unknown }> }
interface Statement { Effect: string; Action?: string | string[]; NotAction?: unknown; Resource?: string | string[]; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> }
interface Found { where: string; statement: Statement; keyPolicy: boolean }

const STACKS = ['network', 'security', 'mgn', 'automation', 'vm-import'];
const READ_ONLY = /^[a-z0-9-]+:(Describe|Get|List|Head|BatchGet|Search|Lookup|Query|Scan|Select|View|Check)[A-Za-z*]*$/;

function load(example: string): Record<string, StackJson> {
  const { outdir } = synthToTemp(exampleConfig(example));
  return Object.fromEntries(STACKS.map((s) => [s, JSON.parse(readFileSync(join(outdir, 'stacks', s, 'cdk.tf.json'), 'utf8')) as StackJson]));
}

function each(stacks: Record<string, StackJson>, kind: 'resource' | 'data', type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(stacks).flatMap(([s, tf]) => Object.entries(tf[kind]?.[type] ?? {}).map(([n, r]) => [`${s}/${type}.${n}`, r] as [string, Record<string, unknown>]));
}

function statements(stacks: Record<string, StackJson>): { found: Found[]; unreadable: string[] } {
  const found: Found[] = [];
  const unreadable: string[] = [];
  const fromJson = (where: string, text: unknown, keyPolicy = false) => {
    if (typeof text !== 'string') return;
    if (/^\$\{data\.aws_iam_policy_document\.[^}]+\.json\}$/.test(text)) return; // read from the data source below
    try {
      const doc = JSON.parse(text) as { Statement: Statement[] };
      for (const st of doc.Statement) found.push({ where, statement: st, keyPolicy });
    } catch {
      unreadable.push(where);
    }
  };
  for (const t of ['aws_iam_role_policy', 'aws_iam_policy', 'aws_s3_bucket_policy', 'aws_vpc_endpoint', 'aws_kms_key']) {
    for (const [where, r] of each(stacks, 'resource', t)) fromJson(where, r.policy, t === 'aws_kms_key');
  }
  for (const [where, r] of each(stacks, 'resource', 'aws_iam_role')) {
    fromJson(`${where} trust`, r.assume_role_policy);
    for (const p of (r.inline_policy as Array<{ policy: string }> | undefined) ?? []) fromJson(where, p.policy);
  }
  for (const [where, d] of each(stacks, 'data', 'aws_iam_policy_document')) {
    type DataCondition = { test: string; variable: string; values: string[] };
    for (const st of (d.statement as Array<{ effect?: string; actions?: string[]; resources?: string[]; condition?: DataCondition[]; principals?: unknown }>) ?? []) {
      const condition = st.condition?.length ? Object.fromEntries(st.condition.map((c) => [c.test, { [c.variable]: c.values }])) : undefined;
      found.push({ where, keyPolicy: false, statement: { Effect: st.effect ?? 'Allow', Action: st.actions, Resource: st.resources, Principal: st.principals, Condition: condition } });
    }
  }
  return { found, unreadable };
}

const list = (x: string | string[] | undefined): string[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

describe.each(['factory.yaml', 'existing-vpc.yaml'])('policies of %s', (example) => {
  const stacks = load(example);

  it('admits no 0.0.0.0/0 or ::/0 ingress anywhere', () => {
    const open: string[] = [];
    for (const [where, sg] of each(stacks, 'resource', 'aws_security_group')) {
      for (const rule of (sg.ingress as Array<{ cidr_blocks?: string[]; ipv6_cidr_blocks?: string[] }>) ?? []) {
        if ([...(rule.cidr_blocks ?? []), ...(rule.ipv6_cidr_blocks ?? [])].some((c) => c === '0.0.0.0/0' || c === '::/0')) open.push(where);
      }
    }
    for (const [where, r] of each(stacks, 'resource', 'aws_security_group_rule')) if (r.type === 'ingress' && list(r.cidr_blocks as string[]).includes('0.0.0.0/0')) open.push(where);
    for (const [where, r] of each(stacks, 'resource', 'aws_vpc_security_group_ingress_rule')) if (r.cidr_ipv4 === '0.0.0.0/0' || r.cidr_ipv6 === '::/0') open.push(where);
    expect(open).toEqual([]);
    expect(each(stacks, 'resource', 'aws_security_group').length).toBeGreaterThanOrEqual(3);
  });

  it('keeps every S3 bucket private, encrypted and TLS-only', () => {
    const problems: string[] = [];
    for (const [where, bucket] of each(stacks, 'resource', 'aws_s3_bucket')) {
      const ref = where.split('/')[1].replace(/^aws_s3_bucket\./, '');
      const refersTo = (r: Record<string, unknown>) => JSON.stringify(r.bucket).includes(`aws_s3_bucket.${ref}.`);
      const pab = each(stacks, 'resource', 'aws_s3_bucket_public_access_block').find(([, r]) => refersTo(r))?.[1];
      if (!pab || !['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every((k) => pab[k] === true)) problems.push(`${where}: not private`);
      if (!each(stacks, 'resource', 'aws_s3_bucket_server_side_encryption_configuration').some(([, r]) => refersTo(r))) problems.push(`${where}: not encrypted`);
      const policy = each(stacks, 'resource', 'aws_s3_bucket_policy').find(([, r]) => refersTo(r));
      const tlsOnly = policy && statements({ x: { resource: { aws_s3_bucket_policy: { p: policy[1] } }, data: stacks[where.split('/')[0]].data } }).found.some(
        (f) => f.statement.Effect === 'Deny' && JSON.stringify(f.statement.Condition?.Bool ?? {}).includes('aws:SecureTransport'),
      );
      if (!tlsOnly) problems.push(`${where}: not TLS-only`);
      void bucket;
    }
    expect(problems).toEqual([]);
  });

  it('turns rotation on for every customer managed key', () => {
    const keys = each(stacks, 'resource', 'aws_kms_key');
    expect(keys.length).toBeGreaterThanOrEqual(example === 'factory.yaml' ? 1 : 1);
    expect(keys.filter(([, k]) => k.enable_key_rotation !== true).map(([w]) => w)).toEqual([]);
  });

  // Scoped to the stacks of the staging infrastructure (issue 3); the automation and vm-import
  // stacks have statements on "*" for APIs without resource-level permissions (log delivery,
  // vmimport's EC2 calls) that their owners decide on.
  it('gives every mutating IAM statement of the network, security and mgn stacks named resources or a condition', () => {
    const { found, unreadable } = statements({ network: stacks.network, security: stacks.security, mgn: stacks.mgn });
    expect(unreadable).toEqual([]);
    expect(found.length).toBeGreaterThan(example === 'factory.yaml' ? 20 : 10);
    const loose = found.filter(({ statement: s, keyPolicy }) => {
      if (s.Effect !== 'Allow' || s.Condition) return false;
      if (s.NotAction) return true;
      const mutating = list(s.Action).some((a) => !READ_ONLY.test(a));
      // In a key policy, Resource "*" is the key itself.
      const named = keyPolicy || list(s.Resource).some((r) => r !== '*');
      return mutating && !named;
    });
    expect(loose.map((l) => `${l.where}: ${JSON.stringify(l.statement)}`)).toEqual([]);
  });

  it('pins sub (and aud) in every GitHub OIDC trust', () => {
    const trusts = statements(stacks).found.filter((f) => JSON.stringify(f.statement.Principal ?? '').includes('oidc-provider') || JSON.stringify(f.statement.Principal ?? '').includes('openid_connect_provider'));
    if (!stacks.security.resource?.aws_iam_role) return expect(trusts).toEqual([]);
    for (const { where, statement } of trusts) {
      const c = statement.Condition ?? {};
      const sub = Object.values(c).map((m) => m['token.actions.githubusercontent.com:sub']).find(Boolean);
      expect({ where, aud: c.StringEquals?.['token.actions.githubusercontent.com:aud'] }).toEqual({ where, aud: 'sts.amazonaws.com' });
      expect(list(sub as string[]).length).toBeGreaterThan(0);
      for (const s of list(sub as string[])) expect(s).toMatch(/^repo:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+:(\*|ref:refs\/heads\/[^*]+|environment:[^*]+)$/);
    }
    expect(trusts.length).toBe(example === 'factory.yaml' ? 3 : 0);
  });
});

describe('outputs of the example network stack', () => {
  const network = load('factory.yaml').network.output!;

  it('give the network team endpoint DNS names, resolver IPs, a forwarding table and agent command lines', () => {
    expect(Object.keys(network.interface_endpoint_dns_names.value as object).sort()).toEqual(['ec2', 'ec2messages', 'kms', 'logs', 'mgn', 's3', 'ssm', 'ssmmessages', 'sts']);
    expect(network.resolver_inbound_ips.value).toMatch(/^\$\{\[for a in aws_route53_resolver_endpoint\.resolver_endpoint_\w+\.ip_address : a\.ip\]\}$/);
    expect((network.dns_forwarding_table.value as Array<{ domain: string }>).map((r) => r.domain)).toEqual(['mgn.eu-west-1.amazonaws.com', 'ec2.eu-west-1.amazonaws.com', 's3.eu-west-1.amazonaws.com']);
    const cmds = network.agent_install_commands.value as { linux: string; windows: string };
    for (const c of [cmds.linux, cmds.windows]) {
      expect(c).toContain('--region eu-west-1');
      expect(c).toMatch(/--endpoint https:\/\/\$\{aws_vpc_endpoint\.endpoints_mgn_\w+\.dns_entry\[0\]\.dns_name\}/);
      expect(c).toMatch(/--s3-endpoint https:\/\/\$\{replace\(aws_vpc_endpoint\.endpoints_s3_\w+\.dns_entry\[0\]\.dns_name, "\*", "bucket"\)\}/);
    }
    expect(cmds.linux).toContain('aws-replication-installer-init');
    expect(cmds.windows).toContain('AwsReplicationWindowsInstaller.exe');
  });
});
