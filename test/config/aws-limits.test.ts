import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeEstate } from '../../src/infra/app';
import { nameProblem, NamedService } from '../../src/config/aws-names';
import { MAX_TAGS_PER_RESOURCE } from '../../src/config/aws-tags';
import { MAX_WAVE_SERVERS } from '../../src/config/dispatch';
import { ConfigError } from '../../src/config/errors';
import { parseFactory } from '../../src/config/load';
import { derivedNames } from '../../src/config/resource-names';
import { RESOURCE_TAG_KEYS } from '../../src/config/resource-tags';
import { FactoryConfig } from '../../src/config/schema';
import { ROOT } from '../support/tools';

/**
 * What AWS refuses only at apply or launch time, refused by validate at the field it comes from:
 * reserved addresses, tag counts, derived names, wave size. Then the guards that keep the checks
 * honest: every name and tag the synthesized stacks carry is one validate computed.
 */
const BASE = readFileSync(join(__dirname, 'fixtures', 'base.yaml'), 'utf8');
const EXAMPLE = readFileSync(join(ROOT, 'examples', 'factory.yaml'), 'utf8');

function edit(from: string, to: string): (t: string) => string {
  return (t) => {
    const n = t.split(from).length - 1;
    if (n !== 1) throw new Error(`fixture edit expected 1 match of ${JSON.stringify(from)}, found ${n}`);
    return t.replace(from, to);
  };
}

/** The problems of an estate as `line:column path: message`. */
function problems(text: string): string[] {
  try {
    parseFactory(text, 'f.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

const PRIVATE_IP = 'privateIp: 10.100.10.21';
const withIp = (ip: string) => edit(PRIVATE_IP, `privateIp: ${ip}`)(BASE);

describe('addresses AWS keeps in every subnet', () => {
  it.each([
    ['10.100.10.0', 'the network address'],
    ['10.100.10.1', 'the VPC router'],
    ['10.100.10.2', 'the Amazon DNS server'],
    ['10.100.10.3', 'future use'],
    ['10.100.10.255', 'the broadcast address'],
  ])('a fixed IP %s is refused (%s)', (ip, role) => {
    expect(problems(withIp(ip))).toEqual([
      `38:115 waves[0].applications[0].servers[0].cutover.privateIp: private IP ${ip} is reserved by AWS in subnet "app-a" (10.100.10.0/24) for ${role}: AWS keeps the first four addresses (10.100.10.0-10.100.10.3) and the last (10.100.10.255) of every subnet`,
    ]);
  });

  it.each(['10.100.10.4', '10.100.10.254'])('%s, next to them, is accepted', (ip) => {
    expect(problems(withIp(ip))).toEqual([]);
  });

  it('without the subnet\'s CIDR, the addresses reserved in every possible subnet are still refused', () => {
    const noCidr = (ip: string) => edit('      cidr: 10.100.10.0/24\n', '')(withIp(ip));
    expect(problems(noCidr('10.100.0.1'))).toEqual([
      '37:115 waves[0].applications[0].servers[0].cutover.privateIp: private IP 10.100.0.1 is reserved by AWS for the VPC router in any subnet that can hold it (subnets are /16 to /28); give subnet "app-a" its cidr in network.targetSubnets to check fixed IPs fully',
    ]);
    expect(problems(noCidr('10.100.10.0'))).toEqual([]); // reserved in a /24, not in a /23: unknown here, preflight reads the CIDR
  });

  it('subnets and VPCs AWS cannot create (/16 to /28) are refused', () => {
    expect(problems(edit('cidr: 10.90.1.0/24', 'cidr: 10.90.1.0/29')(BASE))).toEqual(['19:13 network.stagingSubnets[1].cidr: a subnet CIDR must be /16 to /28 in AWS, got 10.90.1.0/29']);
    expect(problems(edit('cidr: 10.90.0.0/22', 'cidr: 10.0.0.0/8')(edit('sourceCidrs: [192.168.10.0/24]', 'sourceCidrs: [192.168.10.0/24]')(BASE)))).toContain('12:13 network.vpc.create.cidr: a VPC CIDR block must be /16 to /28 in AWS, got 10.0.0.0/8');
  });
});

describe('tags per resource, with the ones rehost-factory adds', () => {
  const estateTags = (n: number) => `tags:\n${Array.from({ length: n }, (_, i) => `  t${i}: v`).join('\n')}\n`;

  it(`the estate's tags, 3 default tags and 2 per-resource tags fit ${MAX_TAGS_PER_RESOURCE}: 45 are accepted, 46 refused`, () => {
    expect(problems(BASE + estateTags(45))).toEqual([]);
    expect(problems(BASE + estateTags(46))).toEqual([
      '45:3 tags: 46 estate tags, the 3 rehost-factory adds to every resource (rehost-factory:estate, rehost-factory:stack, ManagedBy) and the 2 it sets on single resources (Name, rehost-factory:subnet) make 51 tags on a staging subnet; AWS allows 50: remove 1 from tags',
    ]);
  });

  it('an estate tag with a key rehost-factory sets counts once', () => {
    expect(problems(BASE + estateTags(45) + '  Name: mine\n')).toEqual([]);
  });

  it('a launched instance carries the estate, server and placement tags and 5 of the runbook: more than 50 are refused at the placement', () => {
    const placementTags = `{ ${Array.from({ length: 40 }, (_, i) => `p${i}: v`).join(', ')} }`;
    const text = edit('instanceType: m6i.large, privateIp: 10.100.10.21 }', `instanceType: m6i.large, privateIp: 10.100.10.21, tags: ${placementTags} }`)(BASE + estateTags(6));
    expect(problems(text)).toEqual([
      '38:135 waves[0].applications[0].servers[0].cutover.tags: the cutover instance of "web01" would carry 51 tags (estate, server and cutover placement tags, and the 5 the runbook adds: Name, rehost-factory:estate, rehost-factory:wave, rehost-factory:server, rehost-factory:launch); AWS allows 50: remove 1',
    ]);
  });

  it('MGN\'s staging area tags with the estate tag', () => {
    const staging = `mgn:\n  replication:\n    stagingAreaTags:\n${Array.from({ length: 50 }, (_, i) => `      s${i}: v`).join('\n')}\n`;
    expect(problems(BASE + staging)).toEqual(['47:7 mgn.replication.stagingAreaTags: the staging area would carry 51 tags (these and rehost-factory:estate); AWS allows 50: remove 1']);
  });
});

describe('names the stacks derive from the estate', () => {
  const named = (name: string, extra = '') => edit('name: test-estate\n', `name: ${name}\n`)(BASE) + extra;

  it('a long estate name makes a VM Import bucket name longer than S3 allows: refused at name, not in generated JSON', () => {
    const name = 'acme-frankfurt-datacenter-one-migration-x';
    expect(problems(named(name, 'vmImport:\n  enabled: true\n'))).toEqual([
      `2:7 name: S3 bucket name "${name}-vm-import-111111111111" has 64 characters; AWS allows 63 (the VM Import bucket): shorten the estate name, or name the bucket in vmImport.bucket.name`,
    ]);
    expect(problems(named(name, 'vmImport:\n  enabled: true\n  bucket:\n    name: acme-dc1-imports\n'))).toEqual([]);
    expect(problems(named(name))).toEqual([]); // no bucket without vmImport
  });

  it('the Resolver endpoint name (64) bounds the estate name at 44 characters', () => {
    expect(problems(named('a'.repeat(44)))).toEqual([]);
    expect(problems(named('a'.repeat(45)))).toEqual([`2:7 name: Route 53 Resolver endpoint name "${'a'.repeat(45)}-mgn-staging-inbound" has 65 characters; AWS allows 64 (the staging Resolver inbound endpoint): shorten or rename the estate (name)`]);
  });

  it.each([
    ['aws-dc1', 'SSM document name "aws-dc1-cloudwatch-agent" is refused by AWS: the prefix "aws" is reserved by AWS for its own documents (the bootstrap document cloudwatch-agent)'],
    ['amazon-dc', 'SSM document name "amazon-dc-cloudwatch-agent" is refused by AWS: the prefix "amazon" is reserved by AWS for its own documents (the bootstrap document cloudwatch-agent)'],
    ['1dc', 'CloudFormation stack name "1dc-mgn-templates" is refused by AWS: it must start with a letter (the MGN templates stack)'],
    ['sg-dc1', 'security group name "sg-dc1-mgn-staging-endpoints" is refused by AWS: it must not start with "sg-" (the prefix of security group IDs) (a staging security group)'],
  ])('estate name %s', (name, message) => {
    expect(problems(named(name))).toEqual([`2:7 name: ${message}: shorten or rename the estate (name)`]);
  });

  it('names given in the estate, checked where they are written', () => {
    expect(problems(BASE + 'bootstrap:\n  logGroupName: /rehost factory/bootstrap\n')).toEqual([
      '45:17 bootstrap.logGroupName: CloudWatch Logs group name "/rehost factory/bootstrap" contains " "; AWS allows letters, digits, _ . - / # (the bootstrap log group): change bootstrap.logGroupName',
    ]);
    expect(problems(BASE + 'vmImport:\n  enabled: true\n  bucket:\n    name: xn--dc1-imports\n')).toEqual([
      '47:11 vmImport.bucket.name: S3 bucket name "xn--dc1-imports" is refused by AWS: the prefix "xn--" is reserved (the VM Import bucket): change vmImport.bucket.name',
    ]);
    const alias = `alias/${'k'.repeat(251)}`;
    expect(problems(edit('accountId: "222222222222"\n', `accountId: "222222222222"\n      kms:\n        alias: ${alias}\n`)(BASE))).toEqual([
      `10:16 accounts.targets[0].kms.alias: KMS alias "${alias}" has 257 characters; AWS allows 256 (the EBS key of "prod"): change kms.alias`,
    ]);
  });

  it('an estate with every resource switched on and the longest name that fits is accepted (the vm-import workflow role bounds it at 39)', () => {
    const longest = EXAMPLE.replace('name: acme-dc1\n', `name: ${'a'.repeat(39)}\n`).replace('  bucket:\n', '  bucket:\n    name: acme-dc1-imports\n');
    expect(problems(longest)).toEqual([]);
  });
});

describe('a wave the cutover workflow can dispatch', () => {
  const wave = (servers: number) =>
    BASE +
    `  - name: big\n    applications:\n      - name: fleet\n        servers:\n` +
    Array.from({ length: servers }, (_, i) => `          - { name: s${i}, hostname: s${i}, os: linux, test: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium }, cutover: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium } }\n`).join('');

  it(`${MAX_WAVE_SERVERS} servers are accepted, one more is refused at the wave`, () => {
    expect(problems(wave(MAX_WAVE_SERVERS))).toEqual([]);
    expect(problems(wave(MAX_WAVE_SERVERS + 1))).toEqual([
      `44:11 waves[1].name: wave "big" has ${MAX_WAVE_SERVERS + 1} servers; one dispatch of the cutover workflow runs at most 1024 (4 matrix chunks of 256 server jobs, GitHub's matrix limit): split it into waves of at most 1024 servers`,
    ]);
  });
});

describe('validate computes every name and tag the synthesized stacks carry', () => {
  /** Name attributes of the resources whose names derive from the estate, by Terraform type. */
  const NAME_ATTRIBUTES: Record<string, { attr: string; service: NamedService }> = {
    aws_s3_bucket: { attr: 'bucket', service: 's3-bucket' },
    aws_iam_role: { attr: 'name', service: 'iam-role' },
    aws_iam_role_policy: { attr: 'name', service: 'iam-policy' },
    aws_kms_alias: { attr: 'name', service: 'kms-alias' },
    aws_kms_grant: { attr: 'name', service: 'kms-grant' },
    aws_ssm_document: { attr: 'name', service: 'ssm-document' },
    aws_ssm_parameter: { attr: 'name', service: 'ssm-parameter' },
    aws_sfn_state_machine: { attr: 'name', service: 'state-machine' },
    aws_cloudwatch_log_group: { attr: 'name', service: 'log-group' },
    aws_security_group: { attr: 'name', service: 'security-group' },
    aws_lambda_function: { attr: 'function_name', service: 'lambda-function' },
    aws_sns_topic: { attr: 'name', service: 'sns-topic' },
    aws_sqs_queue: { attr: 'name', service: 'sqs-queue' },
    aws_dynamodb_table: { attr: 'name', service: 'dynamodb-table' },
    aws_cloudwatch_event_rule: { attr: 'name', service: 'eventbridge-rule' },
    aws_cloudwatch_metric_alarm: { attr: 'alarm_name', service: 'cloudwatch-alarm' },
    aws_cloudformation_stack: { attr: 'name', service: 'cloudformation-stack' },
    aws_route53_resolver_endpoint: { attr: 'name', service: 'resolver-endpoint' },
  };
  /** Names that do not come from the estate (fixed in the constructs); they pass the same rules. */
  const FIXED = new Set(['least-privilege', 'vm-import', 'import-bucket-read', 'mgn-account-autoscaling']);
  // Every resource switched on, long names (the vm-import workflow role bounds the estate name at 39) and 44 estate
  // tags: as far as validate lets an estate go (the example's servers carry a tag of their own).
  const estate = EXAMPLE.replace('name: acme-dc1\n', `name: ${'a'.repeat(39)}\n`).replace(/^tags:\n/m, `tags:\n${Array.from({ length: 42 }, (_, i) => `  extra${i}: v`).join('\n')}\n`);
  let config: FactoryConfig;
  let stacks: Array<{ name: string; tf: TerraformJson }>;

  beforeAll(() => {
    config = parseFactory(estate, 'longest.yaml');
    const out = mkdtempSync(join(tmpdir(), 'rehost-limits-'));
    synthesizeEstate(config, out);
    stacks = readdirSync(join(out, 'stacks')).map((name) => ({ name, tf: JSON.parse(readFileSync(join(out, 'stacks', name, 'cdk.tf.json'), 'utf8')) as TerraformJson }));
  });

  it('every derived name of the stacks is one validate checked (or a fixed name), and AWS accepts it', () => {
    const derived = new Set(derivedNames(config).map((d) => `${d.service} ${d.name}`));
    const unchecked: string[] = [];
    for (const { tf } of stacks) {
      for (const [type, byName] of Object.entries(tf.resource ?? {})) {
        const rule = NAME_ATTRIBUTES[type];
        if (!rule) continue;
        for (const r of Object.values(byName)) {
          const name = r[rule.attr];
          if (typeof name !== 'string' || name.includes('${')) continue; // a reference, not a name of ours
          expect({ name, problem: nameProblem(rule.service, name) }).toEqual({ name, problem: undefined });
          if (!derived.has(`${rule.service} ${name}`) && !FIXED.has(name)) unchecked.push(`${type} ${name}`);
        }
      }
    }
    expect(unchecked).toEqual([]);
  });

  it(`every resource carries at most ${MAX_TAGS_PER_RESOURCE} tags, and no tag keys but the default tags and ${RESOURCE_TAG_KEYS.join(', ')}`, () => {
    let counted = 0;
    for (const { name, tf } of stacks) {
      const defaults = Object.keys(tf.provider?.aws?.[0]?.default_tags?.[0]?.tags ?? {});
      expect({ name, defaults: defaults.length }).toEqual({ name, defaults: Object.keys(config.tags).length + 3 });
      for (const [type, byName] of Object.entries(tf.resource ?? {})) {
        for (const [id, r] of Object.entries(byName)) {
          const own = Object.keys((r.tags as Record<string, string> | undefined) ?? {});
          expect({ resource: `${type}.${id}`, other: own.filter((k) => !RESOURCE_TAG_KEYS.includes(k)) }).toEqual({ resource: `${type}.${id}`, other: [] });
          expect(new Set([...defaults, ...own]).size).toBeLessThanOrEqual(MAX_TAGS_PER_RESOURCE);
          counted++;
        }
      }
    }
    expect(counted).toBeGreaterThan(50);
  });
});

interface TerraformJson {
  provider?: { aws?: Array<{ default_tags?: Array<{ tags?: Record<string, string> }> }> };
  resource?: Record<string, Record<string, Record<string, unknown>>>;
}
