import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListWavesCommand, MgnClient } from '@aws-sdk/client-mgn';
import { createClient } from '../../src/core/aws/clients';
import { createRunbookClients } from '../../src/runbook/clients';
import { parseFactory } from '../../src/config/load';

/** The URL a client would send a command to, captured before anything leaves the process. */
async function target(client: MgnClient | EC2Client, command: ListWavesCommand | DescribeVpcsCommand): Promise<string> {
  // One client type for the middleware API: both stacks take the same finalizeRequest middleware.
  const c = client as MgnClient;
  c.middlewareStack.add(
    () => async (args: { request: unknown }) => {
      const r = args.request as { protocol: string; hostname: string; port?: number; path: string };
      throw Object.assign(new Error('captured'), { url: `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path}` });
    },
    { step: 'finalizeRequest', name: 'captureUrl', priority: 'low' },
  );
  try {
    await c.send(command as ListWavesCommand);
  } catch (e) {
    if ((e as { url?: string }).url) return (e as { url: string }).url;
    throw e;
  }
  throw new Error('the command was sent');
}

describe('service-specific endpoint variables', () => {
  const saved = { ...process.env };
  const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('@aws-sdk/client-mgn 3.523.0 honours AWS_ENDPOINT_URL_MGN and AWS_ENDPOINT_URL by itself, but not AWS_IGNORE_CONFIGURED_ENDPOINT_URLS; createClient resolves the same way', async () => {
    expect(require('@aws-sdk/client-mgn/package.json').version).toBe('3.523.0');
    const mgn = () => target(new MgnClient({ region: 'eu-west-1', credentials }), new ListWavesCommand({}));
    expect(await mgn()).toBe('https://mgn.eu-west-1.amazonaws.com/ListWaves');
    process.env.AWS_ENDPOINT_URL_MGN = 'http://127.0.0.1:4010';
    process.env.AWS_ENDPOINT_URL_EC2 = 'http://127.0.0.1:4011';
    expect(await mgn()).toBe('http://127.0.0.1:4010/ListWaves');
    expect(await target(new EC2Client({ region: 'eu-west-1', credentials }), new DescribeVpcsCommand({}))).toBe('http://127.0.0.1:4011/');
    delete process.env.AWS_ENDPOINT_URL_MGN;
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4012';
    expect(await mgn()).toBe('http://127.0.0.1:4012/ListWaves');
    // The opt-out variable is not honoured by this client version (it is by createClient's resolution).
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = 'true';
    expect(await mgn()).toBe('http://127.0.0.1:4012/ListWaves');
    delete process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;

    // What the runbook does: one resolution for every client (variable, then AWS_ENDPOINT_URL, then factory.yaml).
    const env = { AWS_ENDPOINT_URL_MGN: 'http://127.0.0.1:4010', AWS_ENDPOINT_URL: 'http://127.0.0.1:4012' };
    expect(await target(createClient(MgnClient, 'mgn', { region: 'eu-west-1', env, overrides: { credentials } }), new ListWavesCommand({}))).toBe('http://127.0.0.1:4010/ListWaves');
    expect(await target(createClient(MgnClient, 'mgn', { region: 'eu-west-1', env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4012' }, overrides: { credentials } }), new ListWavesCommand({}))).toBe(
      'http://127.0.0.1:4012/ListWaves',
    );
  });

  it('falls back to the endpoints section of factory.yaml (the staging VPC private endpoints) and keeps SDK retries to the runbook', async () => {
    const config = parseFactory(
      `version: 1
name: ep
region: eu-west-1
accounts: { staging: "111111111111", targets: [{ name: prod, accountId: "222222222222" }] }
network:
  vpc: { create: { cidr: 10.90.0.0/22 } }
  stagingSubnets: [{ name: a, availabilityZone: eu-west-1a, cidr: 10.90.0.0/24 }, { name: b, availabilityZone: eu-west-1b, cidr: 10.90.1.0/24 }]
  onPremises: { sourceCidrs: [192.168.0.0/16], dnsServers: [192.168.10.53] }
  targetSubnets: [{ name: x, subnetId: subnet-0a1b2c3d4e5f60001 }]
endpoints:
  mgn: https://vpce-0abc-mgn.mgn.eu-west-1.vpce.amazonaws.com
waves: [{ name: w, applications: [{ name: a, servers: [{ name: s1, hostname: s1, os: linux, test: { subnet: x, securityGroups: [sg-0aa0000000000a001], instanceType: t3.small }, cutover: { subnet: x, securityGroups: [sg-0aa0000000000a001], instanceType: t3.small } }] }] }]
`,
      'ep.yaml',
    );
    const clients = createRunbookClients(config, { env: {}, overrides: { credentials } });
    expect(await target(clients.mgn, new ListWavesCommand({}))).toBe('https://vpce-0abc-mgn.mgn.eu-west-1.vpce.amazonaws.com/ListWaves');
    expect(await clients.mgn.config.maxAttempts()).toBe(1);
  });
});
