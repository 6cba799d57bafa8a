import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import { ConfigError } from '../../src/config/errors';
import { parseFactory } from '../../src/config/load';

const BASE = readFileSync(join(__dirname, 'fixtures', 'base.yaml'), 'utf8');

/** Replaces exactly one occurrence, so a fixture edit that no longer matches fails loudly. */
function edit(from: string, to: string): (t: string) => string {
  return (t) => {
    const n = t.split(from).length - 1;
    if (n !== 1) throw new Error(`fixture edit expected 1 match of ${JSON.stringify(from)}, found ${n}`);
    return t.replace(from, to);
  };
}

/** BASE with the staging VPC existing: subnets by ID, staging-a with its route table, staging-b without. */
const existingVpc = (t: string) =>
  edit('    create:\n      cidr: 10.90.0.0/22', '    existing:\n      vpcId: vpc-0123456789abcdef0\n      cidr: 10.90.0.0/22')(
    edit('      cidr: 10.90.0.0/24\n', '      subnetId: subnet-0123456789abcde01\n      routeTableId: rtb-0123456789abcde01\n')(edit('      cidr: 10.90.1.0/24\n', '      subnetId: subnet-0123456789abcde02\n')(t)),
  );
/** Appends a top-level section to BASE (it starts on line 44). */
const append = (text: string) => (t: string) => t + text;
/** A second target subnet after app-a (lines 25-27). */
const secondTargetSubnet = (fields: string) => edit('      cidr: 10.100.10.0/24\n', `      cidr: 10.100.10.0/24\n    - name: app-b\n${fields}`);
const KEY = 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab';

interface Case {
  name: string;
  mutate: (t: string) => string;
  /** Line of the first expected problem (1-based). */
  line: number;
  path: string;
  message: RegExp;
}

const CASES: Case[] = [
  { name: 'YAML syntax error', mutate: edit('region: eu-west-1', 'region: [eu-west-1'), line: 4, path: '(syntax)', message: /YAML syntax error/ },
  { name: 'duplicate YAML key', mutate: edit('name: test-estate\n', 'name: test-estate\nname: again\n'), line: 3, path: '(syntax)', message: /YAML syntax error: Map keys must be unique/ },
  { name: 'wrong version', mutate: edit('version: 1', 'version: 2'), line: 1, path: 'version', message: /expected version: 1/ },
  { name: 'missing required region', mutate: edit('region: eu-west-1\n', ''), line: 1, path: 'region', message: /missing required field/ },
  { name: 'bad region', mutate: edit('region: eu-west-1', 'region: Europe'), line: 3, path: 'region', message: /expected an AWS Region name/ },
  { name: 'unknown top-level key', mutate: edit('region: eu-west-1', 'region: eu-west-1\nregoin: x'), line: 4, path: 'regoin', message: /unknown field "regoin"/ },
  { name: 'account ID as number', mutate: edit('staging: "111111111111"', 'staging: 111111111111'), line: 5, path: 'accounts.staging', message: /expected a 12-digit AWS account ID.*got number/ },
  { name: 'account ID too short', mutate: edit('accountId: "222222222222"', 'accountId: "2222"'), line: 8, path: 'accounts.targets[0].accountId', message: /12-digit AWS account ID/ },
  { name: 'no target accounts', mutate: edit('  targets:\n    - name: prod\n      accountId: "222222222222"\n', '  targets: []\n'), line: 6, path: 'accounts.targets', message: /at least 1/ },
  { name: 'invalid VPC CIDR', mutate: edit('cidr: 10.90.0.0/22', 'cidr: 10.90.0.0/33'), line: 12, path: 'network.vpc.create.cidr', message: /expected an IPv4 CIDR block/ },
  { name: 'CIDR with host bits', mutate: edit('cidr: 10.90.1.0/24', 'cidr: 10.90.1.7/24'), line: 19, path: 'network.stagingSubnets[1].cidr', message: /with the network address/ },
  { name: 'vpc neither create nor existing', mutate: edit('    create:\n      cidr: 10.90.0.0/22', '    build:\n      cidr: 10.90.0.0/22'), line: 11, path: 'network.vpc', message: /expected either "create: \{ cidr \}" or "existing/ },
  { name: 'overlapping staging subnets', mutate: edit('cidr: 10.90.1.0/24', 'cidr: 10.90.0.128/25'), line: 19, path: 'network.stagingSubnets[1].cidr', message: /overlaps 10\.90\.0\.0\/24/ },
  { name: 'staging subnet outside the VPC', mutate: edit('cidr: 10.90.1.0/24', 'cidr: 10.91.1.0/24'), line: 19, path: 'network.stagingSubnets[1].cidr', message: /inside the VPC CIDR 10\.90\.0\.0\/22/ },
  { name: 'staging subnets in one AZ', mutate: edit('availabilityZone: eu-west-1b', 'availabilityZone: eu-west-1a'), line: 14, path: 'network.stagingSubnets', message: /at least 2 Availability Zones/ },
  { name: 'resolver subnets in one AZ', mutate: edit('resolverSubnets: [staging-a, staging-b]', 'resolverSubnets: [staging-a]'), line: 20, path: 'network.resolverSubnets', message: /at least 2 subnet names.*2 AZs/ },
  { name: 'resolver subnet not declared', mutate: edit('resolverSubnets: [staging-a, staging-b]', 'resolverSubnets: [staging-a, staging-c]'), line: 20, path: 'network.resolverSubnets[1]', message: /expected the name of a subnet in network.stagingSubnets.*"staging-c"/ },
  { name: 'AZ of another Region', mutate: edit('availabilityZone: eu-west-1b', 'availabilityZone: us-east-1b'), line: 18, path: 'network.stagingSubnets[1].availabilityZone', message: /Availability Zone of eu-west-1/ },
  { name: 'subnetId in a created VPC', mutate: edit('      cidr: 10.90.1.0/24\n', '      cidr: 10.90.1.0/24\n      subnetId: subnet-0123456789abcdef0\n'), line: 20, path: 'network.stagingSubnets[1].subnetId', message: /expected no "subnetId"/ },
  { name: 'on-prem CIDR overlaps the VPC', mutate: edit('sourceCidrs: [192.168.10.0/24]', 'sourceCidrs: [10.90.0.0/16]'), line: 26, path: 'network.onPremises.sourceCidrs[0]', message: /overlaps the staging VPC CIDR/ },
  { name: 'bad DNS server IP', mutate: edit('dnsServers: [192.168.10.53]', 'dnsServers: [192.168.10.300]'), line: 27, path: 'network.onPremises.dnsServers[0]', message: /expected an IPv4 address/ },
  { name: 'placement subnet not declared', mutate: edit('sourceServerId: s-1234567890abcdef0\n            test: { subnet: app-a', 'sourceServerId: s-1234567890abcdef0\n            test: { subnet: app-z'), line: 37, path: 'waves[0].applications[0].servers[0].test.subnet', message: /expected the name of a subnet in network.targetSubnets \(app-a\), got "app-z"/ },
  { name: 'private IP outside its subnet', mutate: edit('privateIp: 10.100.10.21', 'privateIp: 10.100.11.21'), line: 38, path: 'waves[0].applications[0].servers[0].cutover.privateIp', message: /not in subnet "app-a"/ },
  { name: 'duplicate server name', mutate: edit('- name: web02', '- name: web01'), line: 39, path: 'waves[0].applications[0].servers[1].name', message: /duplicate server name "web01" \(a server belongs to exactly one application\)/ },
  { name: 'same server in two applications', mutate: (t) => t + '      - name: web-copy\n        servers:\n          - name: web01\n            fqdn: web01.corp.example.com\n            os: linux\n            test: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium }\n            cutover: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium }\n', line: 46, path: 'waves[0].applications[1].servers[0].name', message: /duplicate server name "web01".*already used at waves\[0\]\.applications\[0\]\.servers\[0\]\.name in application "web"/ },
  { name: 'duplicate sourceServerId', mutate: edit('hostname: web02', 'hostname: web02\n            sourceServerId: s-1234567890abcdef0'), line: 41, path: 'waves[0].applications[0].servers[1].sourceServerId', message: /duplicate sourceServerId "s-1234567890abcdef0"/ },
  { name: 'bad sourceServerId pattern', mutate: edit('sourceServerId: s-1234567890abcdef0', 'sourceServerId: s-12345'), line: 36, path: 'waves[0].applications[0].servers[0].sourceServerId', message: /"s-" followed by 17 characters.*got "s-12345"/ },
  { name: 'unknown OS', mutate: edit('os: windows', 'os: solaris'), line: 41, path: 'waves[0].applications[0].servers[1].os', message: /expected one of "linux", "windows", got "solaris"/ },
  { name: 'server without any identity', mutate: edit('            hostname: web02\n', ''), line: 39, path: 'waves[0].applications[0].servers[1]', message: /needs at least one of sourceServerId, fqdn, hostname or ipAddress/ },
  { name: 'unknown key in a placement', mutate: edit('instanceType: m6i.large }', 'instanceType: m6i.large, subnetz: x }'), line: 43, path: 'waves[0].applications[0].servers[1].cutover.subnetz', message: /unknown field "subnetz"/ },
  { name: 'security group list wrong type', mutate: edit('cutover: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: m6i.large }', 'cutover: { subnet: app-a, securityGroups: sg-0aa0000000000a001, instanceType: m6i.large }'), line: 43, path: 'waves[0].applications[0].servers[1].cutover.securityGroups', message: /expected a list, got the single value "sg-0aa0000000000a001": write it as a list, e.g. \[sg-0aa0000000000a001\]/ },
  { name: 'bad security group ID', mutate: edit('cutover: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: m6i.large }', 'cutover: { subnet: app-a, securityGroups: [default], instanceType: m6i.large }'), line: 43, path: 'waves[0].applications[0].servers[1].cutover.securityGroups[0]', message: /expected a security group ID/ },
  { name: 'target account not declared', mutate: edit('os: windows', 'os: windows\n            targetAccount: dev'), line: 42, path: 'waves[0].applications[0].servers[1].targetAccount', message: /accounts.targets \(prod\), got "dev"/ },
  { name: 'duplicate wave name', mutate: (t) => t + '  - name: wave-1\n    applications:\n      - name: other\n        servers:\n          - name: x01\n            hostname: x01\n            os: linux\n            test: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium }\n            cutover: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium }\n', line: 44, path: 'waves[1].name', message: /duplicate wave name "wave-1"/ },
  { name: 'empty waves', mutate: (t) => t.slice(0, t.indexOf('waves:')) + 'waves: []\n', line: 28, path: 'waves', message: /at least 1/ },
  { name: 'bad ISO-8601 lag duration', mutate: (t) => t + 'runbook:\n  maxReplicationLag: 5 minutes\n', line: 45, path: 'runbook.maxReplicationLag', message: /ISO-8601 duration/ },
  { name: 'join-active-directory without its parameters', mutate: (t) => t + 'bootstrap:\n  postLaunch:\n    - document: join-active-directory\n', line: 46, path: 'bootstrap.postLaunch[0].document', message: /needs bootstrap.activeDirectory/ },
  { name: 'unknown bootstrap document', mutate: (t) => t + 'bootstrap:\n  postLaunch:\n    - document: install-everything\n', line: 46, path: 'bootstrap.postLaunch[0].document', message: /expected one of "cloudwatch-agent"/ },
  { name: 's3 backend with dynamodb locking but no table', mutate: (t) => t + 'backend:\n  s3:\n    bucket: my-state\n    locking: dynamodb\n', line: 46, path: 'backend.s3', message: /expected "dynamodbTable" when locking is "dynamodb"/ },
  // Rules that only synth enforced before (construct errors, exit 1, no location).
  { name: 'existing staging subnet without routeTableId', mutate: existingVpc, line: 19, path: 'network.stagingSubnets[1]', message: /expected "routeTableId": the S3 gateway endpoint .* every staging route table/ },
  { name: 'routeTableId in a created VPC', mutate: edit('      cidr: 10.90.1.0/24\n', '      cidr: 10.90.1.0/24\n      routeTableId: rtb-0123456789abcde02\n'), line: 20, path: 'network.stagingSubnets[1].routeTableId', message: /expected no "routeTableId"/ },
  { name: 'replication staging subnet not declared', mutate: append('mgn:\n  replication:\n    stagingSubnet: staging-z\n'), line: 46, path: 'mgn.replication.stagingSubnet', message: /network.stagingSubnets \(staging-a, staging-b\), got "staging-z"/ },
  { name: 'replication key account not declared', mutate: append('mgn:\n  replication:\n    encryptionKeyAccount: dev\n'), line: 46, path: 'mgn.replication.encryptionKeyAccount', message: /accounts.targets \(prod\), got "dev"/ },
  { name: 'existing key of another account', mutate: edit('accountId: "222222222222"\n', `accountId: "222222222222"\n      kms:\n        existingKeyArn: ${KEY.replace('222222222222', '999999999999')}\n`), line: 10, path: 'accounts.targets[0].kms.existingKeyArn', message: /belongs to account 999999999999; expected a key of the target account 222222222222/ },
  { name: 'existing key of another Region', mutate: edit('accountId: "222222222222"\n', `accountId: "222222222222"\n      kms:\n        existingKeyArn: ${KEY.replace('eu-west-1', 'us-east-1')}\n`), line: 10, path: 'accounts.targets[0].kms.existingKeyArn', message: /in us-east-1; expected a key in the estate Region eu-west-1/ },
  { name: 'key shared with its own account', mutate: edit('accountId: "222222222222"\n', 'accountId: "222222222222"\n      kms:\n        crossAccountPrincipals: ["333333333333", "222222222222"]\n'), line: 10, path: 'accounts.targets[0].kms.crossAccountPrincipals[1]', message: /"222222222222" is the key's own account/ },
  { name: 'reserved KMS alias', mutate: edit('accountId: "222222222222"\n', 'accountId: "222222222222"\n      kms:\n        alias: alias/aws/ebs\n'), line: 10, path: 'accounts.targets[0].kms.alias', message: /not "alias\/aws\/"/ },
  { name: 'GitHub branch with a wildcard', mutate: append('github:\n  repository: acme/migration\n  branch: "release/*"\n'), line: 46, path: 'github.branch', message: /plain branch name without wildcards/ },
  { name: 'workflow role names longer than IAM allows', mutate: (t) => t.replace('name: test-estate\n', 'name: acme-frankfurt-datacenter-one-wave-x\n') + 'github:\n  repository: acme/migration\n  roleNamePrefix: rehost-factory-workflows\n', line: 46, path: 'github.roleNamePrefix', message: /IAM role name "rehost-factory-workflows-acme-frankfurt-datacenter-one-wave-x-vm-import" has 71 characters; AWS allows 64 \(a workflow role\): shorten github.roleNamePrefix or the estate name/ },
  { name: 'GitHub environment with a wildcard', mutate: append('github:\n  repository: acme/migration\n  cutoverEnvironment: cutover-?\n'), line: 46, path: 'github.cutoverEnvironment', message: /plain environment name without wildcards/ },
  { name: 'unknown post-launch parameter', mutate: append('bootstrap:\n  postLaunch:\n    - document: validate-server\n      parameters:\n        Ports: ["443"]\n'), line: 48, path: 'bootstrap.postLaunch[0].parameters.Ports', message: /validate-server has no parameter "Ports" \(it declares Services, MinFreeDiskPercent, Names, Endpoints\)/ },
  { name: 'post-launch parameter against its allowedPattern', mutate: append('bootstrap:\n  postLaunch:\n    - document: validate-server\n      parameters:\n        MinFreeDiskPercent: ["ten"]\n'), line: 48, path: 'bootstrap.postLaunch[0].parameters.MinFreeDiskPercent', message: /"ten" does not match its allowedPattern/ },
  { name: 'legacy agent name the document refuses', mutate: append('bootstrap:\n  legacyAgents: [nagios, "x;reboot"]\n'), line: 45, path: 'bootstrap.legacyAgents', message: /remove-legacy-agents parameter "AgentNames" = "nagios,x;reboot" does not match/ },
  { name: 'post-launch documents with different deployments', mutate: append('bootstrap:\n  postLaunch:\n    - document: cloudwatch-agent\n    - document: validate-server\n      deployment: TEST_ONLY\n'), line: 48, path: 'bootstrap.postLaunch[1].deployment', message: /expected deployment TEST_AND_CUTOVER like bootstrap.postLaunch\[0\]: MGN applies one deployment/ },
  { name: 'VM Import target account not declared', mutate: append('vmImport:\n  enabled: true\n  targetAccount: dev\n'), line: 46, path: 'vmImport.targetAccount', message: /accounts.targets \(prod\), got "dev"/ },
  // Availability Zones and CIDRs.
  {
    name: 'resolver subnets in one AZ (2 names, same AZ)',
    mutate: (t) => edit('resolverSubnets: [staging-a, staging-b]', 'resolverSubnets: [staging-a, staging-c]')(edit('      cidr: 10.90.1.0/24\n', '      cidr: 10.90.1.0/24\n    - name: staging-c\n      availabilityZone: eu-west-1a\n      cidr: 10.90.2.0/24\n')(t)),
    line: 23,
    path: 'network.resolverSubnets',
    message: /expected resolver subnets in at least 2 Availability Zones, all are in eu-west-1a/,
  },
  { name: 'overlapping target subnets', mutate: secondTargetSubnet('      subnetId: subnet-0a1b2c3d4e5f60002\n      cidr: 10.100.10.128/25\n'), line: 27, path: 'network.targetSubnets[1].cidr', message: /CIDR 10\.100\.10\.128\/25 overlaps 10\.100\.10\.0\/24 of another target subnet \(network\.targetSubnets\[0\]\.cidr\) \(if they are in different VPCs, declare them/ },
  { name: 'duplicate target subnet ID', mutate: secondTargetSubnet('      subnetId: subnet-0a1b2c3d4e5f60001\n'), line: 26, path: 'network.targetSubnets[1].subnetId', message: /duplicate target subnet ID "subnet-0a1b2c3d4e5f60001"/ },
  {
    name: 'target subnet outside its VPC',
    mutate: edit('  targetSubnets:\n    - name: app-a\n      subnetId: subnet-0a1b2c3d4e5f60001\n', '  targetVpcs:\n    - name: apps\n      vpcId: vpc-0aa0000000000a001\n      cidrs: [10.100.0.0/21, 10.101.0.0/20]\n  targetSubnets:\n    - name: app-a\n      subnetId: subnet-0a1b2c3d4e5f60001\n      vpc: apps\n'),
    line: 29,
    path: 'network.targetSubnets[0].cidr',
    message: /expected a CIDR inside the CIDR blocks of VPC "apps" \(10\.100\.0\.0\/21, 10\.101\.0\.0\/20\), got 10\.100\.10\.0\/24/,
  },
  { name: 'target subnet VPC not declared', mutate: edit('      subnetId: subnet-0a1b2c3d4e5f60001\n', '      subnetId: subnet-0a1b2c3d4e5f60001\n      vpc: apps\n'), line: 24, path: 'network.targetSubnets[0].vpc', message: /network.targetVpcs \(none declared\), got "apps"/ },
  { name: 'on-prem CIDR overlaps a staging subnet', mutate: edit('sourceCidrs: [192.168.10.0/24]', 'sourceCidrs: [192.168.10.0/24, 10.90.1.0/25]'), line: 26, path: 'network.onPremises.sourceCidrs[1]', message: /on-premises CIDR 10\.90\.1\.0\/25 overlaps the staging VPC CIDR 10\.90\.0\.0\/22/ },
];

describe('bad estate files', () => {
  it('the base fixture is valid', () => {
    expect(() => parseFactory(BASE, 'base.yaml')).not.toThrow();
  });

  it(`has at least 25 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-bad-'));
    const file = join(dir, 'factory.yaml');
    writeFileSync(file, c.mutate(BASE));
    const out = join(dir, 'cdktf.out');
    const err: string[] = [];
    const code = await runCli(['synth', '--config', file, '--out', out], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(existsSync(out)).toBe(false);
    let problems: ConfigError['problems'] = [];
    try {
      parseFactory(readFileSync(file, 'utf8'), file);
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    const hit = problems.find((p) => p.path === c.path);
    expect({ path: hit?.path, all: problems.map((p) => `${p.line} ${p.path}: ${p.message}`) }).toMatchObject({ path: c.path });
    expect(hit!.message).toMatch(c.message);
    expect(hit!.line).toBe(c.line);
    expect(hit!.column).toBeGreaterThan(0);
    // The CLI prints file:line:column path: message for the same problem.
    expect(err.join('\n')).toContain(`${file}:${hit!.line}:${hit!.column} ${c.path}: ${hit!.message}`);
  });

  it('reports every problem at once, schema and cross-field alike, in line order', () => {
    const text = edit('accountId: "222222222222"', 'accountId: 42')(edit('cidr: 10.90.1.0/24', 'cidr: 10.90.0.128/25')(edit('- name: web02', '- name: web01')(BASE)));
    let problems: ConfigError['problems'] = [];
    try {
      parseFactory(text, 'multi.yaml');
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems.map((p) => p.path)).toEqual(['accounts.targets[0].accountId', 'network.stagingSubnets[1].cidr', 'waves[0].applications[0].servers[1].name']);
    expect(problems.map((p) => p.line)).toEqual([8, 19, 39]);
  });

  it.each([
    ['on-premises CIDRs that overlap each other', edit('sourceCidrs: [192.168.10.0/24]', 'sourceCidrs: [192.168.0.0/16, 192.168.10.0/24]')],
    ['target subnets that overlap in different declared VPCs', (t: string) =>
      edit('  targetSubnets:\n', '  targetVpcs:\n    - { name: prod-vpc, vpcId: vpc-0aa0000000000a001, cidrs: [10.100.0.0/16] }\n    - { name: dev-vpc, vpcId: vpc-0aa0000000000a002, cidrs: [10.100.0.0/16] }\n  targetSubnets:\n')(
        edit('      cidr: 10.100.10.0/24\n', '      cidr: 10.100.10.0/24\n      vpc: prod-vpc\n    - name: app-b\n      subnetId: subnet-0a1b2c3d4e5f60002\n      cidr: 10.100.10.0/24\n      vpc: dev-vpc\n')(t),
      )],
    ['an existing VPC with a route table on every staging subnet', (t: string) => edit('      subnetId: subnet-0123456789abcde02\n', '      subnetId: subnet-0123456789abcde02\n      routeTableId: rtb-0123456789abcde02\n')(existingVpc(t))],
  ])('accepts %s', (_name, mutate) => {
    expect(() => parseFactory(mutate(BASE), 'ok.yaml')).not.toThrow();
  });

  it('names a missing file with exit code 2', async () => {
    const err: string[] = [];
    const code = await runCli(['validate', '/nonexistent/factory.yaml'], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('/nonexistent/factory.yaml:0:0 (file): cannot read the estate file: file not found');
  });
});
