import { App, Testing } from 'cdktf';
import { FactoryConfig } from '../../../src/config/schema';
import { NetworkStack } from '../../../src/infra/stacks/network-stack';
import { editedExample } from './example-estate';
import { allowedBy, Statement } from './iam-matcher';

/**
 * The scoped endpoint policies of the network stack, read from its synthesized JSON (one stack,
 * no Terraform): the S3 gateway and S3 interface endpoints must let replication servers and agents
 * reach every bucket they need (MGN's buckets, amazon-ssm-<region>, the Amazon Linux
 * 2023 repository bucket; plus network.endpoints.extraS3Buckets), and the MGN endpoint must admit
 * agent sessions (execute-api:Invoke on POST/CreateSessionForMgn).
 */
type Endpoint = { service_name: string; vpc_endpoint_type: string; policy?: string };

function endpoints(config: FactoryConfig): Endpoint[] {
  const app = Testing.app() as App;
  const tf = JSON.parse(Testing.synth(new NetworkStack(app, { config }))) as { resource: { aws_vpc_endpoint: Record<string, Endpoint> } };
  return Object.values(tf.resource.aws_vpc_endpoint);
}

function policyOf(eps: Endpoint[], service: string, type: 'Gateway' | 'Interface'): Statement[] {
  const ep = eps.find((e) => e.service_name.endsWith(`.${service}`) && e.vpc_endpoint_type === type);
  if (!ep?.policy) throw new Error(`no ${type} endpoint for ${service} with a policy`);
  return (JSON.parse(ep.policy) as { Statement: Statement[] }).Statement;
}

/** The buckets MGN, the SSM agent and replication-server updates read, written out here rather than taken from the code under test. */
function serviceBuckets(region: string): string[] {
  return [
    `aws-mgn-clients-${region}`, `aws-mgn-clients-hashes-${region}`, `aws-mgn-internal-${region}`, `aws-mgn-internal-hashes-${region}`,
    `aws-application-migration-service-${region}`, `aws-application-migration-service-hashes-${region}`,
    `amazon-ssm-${region}`, `al2023-repos-${region}-de612dc2`,
  ];
}

const ESTATES: Array<[string, FactoryConfig, string[]]> = [
  ['factory.yaml', editedExample([]), []],
  ['existing-vpc.yaml', editedExample([], 'existing-vpc.yaml'), []],
  [
    'factory.yaml with extraS3Buckets',
    editedExample([['    privateDns: true\n', '    privateDns: true\n    extraS3Buckets: [acme-migration-tools, "acme-patches-*"]\n']]),
    ['acme-migration-tools', 'acme-patches-2026'],
  ],
];

describe.each(ESTATES)('endpoint policies of %s', (_label, config, extra) => {
  const eps = endpoints(config);
  const region = config.region;
  // A caller outside the estate's accounts, reading a bucket none of them owns.
  const foreign = { 'aws:PrincipalAccount': '999999999999', 'aws:ResourceAccount': '999999999999' };

  it.each([['Gateway' as const], ['Interface' as const]])('the S3 %s endpoint lets anyone read every bucket replication and the agents need', (type) => {
    const statements = policyOf(eps, 's3', type);
    const missing = [...serviceBuckets(region), ...extra].flatMap((b) => [
      ...(allowedBy(statements, 's3:GetObject', `arn:aws:s3:::${b}/latest/linux/aws-replication-installer-init`, foreign) ? [] : [`s3:GetObject ${b}/*`]),
      ...(allowedBy(statements, 's3:ListBucket', `arn:aws:s3:::${b}`, foreign) ? [] : [`s3:ListBucket ${b}`]),
    ]);
    expect(missing).toEqual([]);
  });

  it('the S3 endpoints refuse other buckets unless one of the estate\'s accounts owns them', () => {
    for (const type of ['Gateway', 'Interface'] as const) {
      const statements = policyOf(eps, 's3', type);
      expect(allowedBy(statements, 's3:GetObject', 'arn:aws:s3:::someone-elses-bucket/data', foreign)).toBeUndefined();
      expect(allowedBy(statements, 's3:PutObject', `arn:aws:s3:::${serviceBuckets(region)[0]}/x`, foreign)).toBeUndefined();
      expect(allowedBy(statements, 's3:PutObject', 'arn:aws:s3:::our-state/x', { ...foreign, 'aws:ResourceAccount': config.accounts.staging })).toBeDefined();
    }
  });

  it('the MGN endpoint admits agent sessions (POST/CreateSessionForMgn) and the estate\'s accounts only', () => {
    const statements = policyOf(eps, 'mgn', 'Interface');
    expect(allowedBy(statements, 'execute-api:Invoke', `arn:aws:execute-api:${region}:123456789012:a1b2c3d4e5/prod/POST/CreateSessionForMgn`)).toBeDefined();
    expect(allowedBy(statements, 'execute-api:Invoke', `arn:aws:execute-api:${region}:123456789012:a1b2c3d4e5/prod/POST/SomethingElse`)).toBeUndefined();
    expect(allowedBy(statements, 'mgn:StartCutover', '*', { 'aws:PrincipalAccount': config.accounts.staging })).toBeDefined();
    expect(allowedBy(statements, 'mgn:StartCutover', '*', { 'aws:PrincipalAccount': '999999999999' })).toBeUndefined();
  });
});
