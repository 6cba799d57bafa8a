import { App, Testing } from 'cdktf';
import { FactoryConfig } from '../../../src/config/schema';
import { MgnStack } from '../../../src/infra/stacks/mgn-stack';
import { NetworkStack } from '../../../src/infra/stacks/network-stack';
import { SecurityStack } from '../../../src/infra/stacks/security-stack';
import { editedExample } from './example-estate';

/** The example estate, optionally with one text replacement. */
function estate(from?: string, to = ''): FactoryConfig {
  return editedExample(from === undefined ? [] : [[from, to]]);
}

function stacksOf(config: FactoryConfig) {
  const app = Testing.app() as App;
  const network = new NetworkStack(app, { config });
  const security = new SecurityStack(app, { config });
  const mgn = new MgnStack(app, { config, network, security });
  const json = (s: NetworkStack | SecurityStack | MgnStack) => JSON.parse(Testing.synth(s)) as { provider: { aws: Array<{ alias?: string }> }; resource?: Record<string, unknown>; output?: Record<string, { value: string }> };
  return { network, security, mgn, json };
}

describe('staging stacks from factory.yaml settings', () => {
  it('exposes ebsKeys per target account for other stacks and creates the key through the target account provider', () => {
    const { security, json } = stacksOf(estate());
    expect(Object.keys(security.ebsKeys)).toEqual(['prod']);
    expect(security.ebsKeys.prod).toMatchObject({ aliasName: 'alias/rehost-factory/acme-dc1/prod', accountId: '222222222222' });
    expect(security.ebsKeys.prod.keyArn).toMatch(/TOKEN/);
    const tf = json(security);
    expect(tf.provider.aws.map((p) => p.alias)).toEqual([undefined, 'target-prod']);
    expect(Object.values((tf.resource!.aws_kms_key as Record<string, { provider: string }>))[0].provider).toBe('aws.target-prod');
  });

  it('uses the default provider when a target account is the staging account, and an existing key as given', () => {
    const same = stacksOf(estate('accountId: "222222222222"', 'accountId: "111111111111"'));
    expect(same.json(same.security).provider.aws.map((p) => p.alias)).toEqual([undefined]);
    const arn = 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const existing = stacksOf(estate('      kms:\n', `      kms:\n        existingKeyArn: ${arn}\n`));
    expect(existing.security.ebsKeys.prod.keyArn).toBe(arn);
    // Only the estate key (log groups, topic, import bucket): no EBS key is created.
    expect(Object.keys(existing.json(existing.security).resource!.aws_kms_key ?? {})).toEqual([expect.stringMatching(/^estate-key/)]);
  });

  it('refuses an existing key of another account and post-launch documents with different deployments', () => {
    // validate refuses both (test/config/bad-estates.integ.test.ts); the stacks still guard a config built without it.
    const foreign = 'arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const unvalidated = (change: (c: FactoryConfig) => void) => {
      const c = structuredClone(estate());
      change(c);
      return c;
    };
    expect(() => stacksOf(unvalidated((c) => (c.accounts.targets[0].kms.existingKeyArn = foreign)))).toThrow(/kms.existingKeyArn belongs to account 999999999999, expected the target account 222222222222/);
    expect(() => stacksOf(unvalidated((c) => (c.bootstrap.postLaunch[0].deployment = 'CUTOVER_ONLY')))).toThrow(/one deployment to every post-launch document/);
  });

  it('without CloudFormation support for the replication type, outputs the equivalent aws mgn command instead', () => {
    const { mgn, json } = stacksOf(estate('    stagingSubnet: staging-a\n', '    stagingSubnet: staging-b\n    inCloudFormation: false\n'));
    const out = json(mgn).output!;
    // Testing.synth of one stack leaves references to other stacks unconverted (the app's synth makes them remote-state lookups).
    const cmd = out.replication_template_command.value;
    expect(cmd).toMatch(/^aws mgn create-replication-configuration-template --region eu-west-1 --cli-input-json '\{.*\}'$/);
    const input = JSON.parse(/'(.*)'$/.exec(cmd)![1]) as Record<string, unknown>;
    expect(input).toMatchObject({ stagingAreaSubnetId: expect.stringContaining('subnet-staging-b'), dataPlaneRouting: 'PRIVATE_IP', ebsEncryption: 'CUSTOM', bandwidthThrottling: 200 });
    expect(Object.keys(mgn.templates.template.Resources)).toEqual(['LaunchConfigurationTemplate']);
  });
});

describe('network stack details', () => {
  type Sg = { name: string; ingress: Array<{ description: string; cidr_blocks: string[] }> };
  const network = (config: FactoryConfig) => {
    const app = Testing.app() as App;
    return JSON.parse(Testing.synth(new NetworkStack(app, { config }))) as { resource: Record<string, Record<string, Sg>>; data: Record<string, Record<string, { id: string }>>; output: Record<string, unknown> };
  };

  it('admits HTTPS to the endpoints from each existing staging subnet\'s own CIDR, read from AWS, not from the whole VPC', () => {
    const tf = network(editedExample([], 'existing-vpc.yaml'));
    const endpoints = Object.values(tf.resource.aws_security_group).find((g) => g.name.endsWith('-endpoints'))!;
    const fromStaging = endpoints.ingress.find((i) => i.description === 'HTTPS from staging subnets')!.cidr_blocks;
    expect(Object.values(tf.data.aws_subnet).map((d) => d.id)).toEqual(['subnet-0123456789abcde01', 'subnet-0123456789abcde02']);
    expect(fromStaging).toEqual([expect.stringMatching(/^\$\{data\.aws_subnet\.subnet-staging-1a\.cidr_block\}$/), expect.stringMatching(/^\$\{data\.aws_subnet\.subnet-staging-1b\.cidr_block\}$/)]);
    expect(fromStaging).not.toContain('10.50.0.0/16');
    // A configured CIDR is used as given, without a lookup.
    const given = network(editedExample([['      subnetId: subnet-0123456789abcde01\n', '      subnetId: subnet-0123456789abcde01\n      cidr: 10.50.1.0/24\n']], 'existing-vpc.yaml'));
    expect(Object.values(given.data.aws_subnet).map((d) => d.id)).toEqual(['subnet-0123456789abcde02']);
    const givenSg = Object.values(given.resource.aws_security_group).find((g) => g.name.endsWith('-endpoints'))!;
    expect(givenSg.ingress.find((i) => i.description === 'HTTPS from staging subnets')!.cidr_blocks[0]).toBe('10.50.1.0/24');
  });

  it('offers a DNS forwarding table only with private DNS, and no longer takes onPremises.dnsDomains', () => {
    expect(Object.keys(network(estate()).output)).toContain('dns_forwarding_table');
    const off = network(estate('    privateDns: true\n', '    privateDns: false\n'));
    expect(Object.keys(off.output)).not.toContain('dns_forwarding_table');
    expect(Object.keys(off.output)).toContain('interface_endpoint_dns_names');
    expect(() => estate('    dnsServers: [192.168.10.53, 192.168.20.53]\n', '    dnsServers: [192.168.10.53, 192.168.20.53]\n    dnsDomains: [corp.example.com]\n')).toThrow(/dnsDomains/);
  });
});
