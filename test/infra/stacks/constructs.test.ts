import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { EbsKey, EBS_GRANT_OPERATIONS } from '../../../src/infra/constructs/ebs-key';
import { GithubOidcRoles } from '../../../src/infra/constructs/github-oidc-roles';
import { MgnTemplates, mgnTemplate, ReplicationSettings } from '../../../src/infra/constructs/mgn-templates';
import { ResolverInboundEndpoint } from '../../../src/infra/constructs/resolver-inbound-endpoint';
import { SsmBootstrapDocuments } from '../../../src/infra/constructs/ssm-bootstrap-documents';
import { StagingSecurityGroups, StagingSecurityGroupsProps } from '../../../src/infra/constructs/staging-security-groups';
import { VpcEndpoints } from '../../../src/infra/constructs/vpc-endpoints';

type Tf = { resource: Record<string, Record<string, Record<string, unknown>>> };

function synth(build: (scope: Construct) => void): Tf {
  return JSON.parse(Testing.synthScope(build)) as Tf;
}
function only<T = Record<string, unknown>>(tf: Tf, type: string): T[] {
  return Object.values(tf.resource[type] ?? {}) as T[];
}

describe('StagingSecurityGroups', () => {
  const base: StagingSecurityGroupsProps = {
    vpcId: 'vpc-1',
    namePrefix: 'est',
    sourceCidrs: ['192.168.10.0/24'],
    stagingCidrs: ['10.0.0.0/24', '10.0.1.0/24'],
    onPremDnsServers: ['192.168.10.53'],
    s3PrefixListId: 'pl-123',
  };
  type Sg = { name: string; ingress: Array<{ protocol: string; from_port: number; cidr_blocks: string[] }>; egress: Array<{ protocol: string; from_port: number; cidr_blocks: string[]; prefix_list_ids: string[]; security_groups: string[] }> };

  it('opens 1500 to the sources, 443 to the endpoints, TCP and UDP 53 to the resolver; DNS egress only with custom DNS', () => {
    const plain = only<Sg>(synth((s) => new StagingSecurityGroups(s, 'sg', base)), 'aws_security_group');
    const byName = Object.fromEntries(plain.map((g) => [g.name, g]));
    expect(byName['est-replication'].ingress).toEqual([expect.objectContaining({ protocol: 'tcp', from_port: 1500, cidr_blocks: ['192.168.10.0/24'] })]);
    expect(byName['est-replication'].egress.map((e) => [e.protocol, e.from_port, e.prefix_list_ids.length + e.security_groups.length])).toEqual([['tcp', 443, 1], ['tcp', 443, 1]]);
    expect(byName['est-endpoints'].ingress.map((i) => i.cidr_blocks)).toEqual([['192.168.10.0/24'], ['10.0.0.0/24', '10.0.1.0/24']]);
    expect(byName['est-resolver-inbound'].ingress.map((i) => [i.protocol, i.from_port, i.cidr_blocks])).toEqual([['tcp', 53, ['192.168.10.53/32']], ['udp', 53, ['192.168.10.53/32']]]);

    const custom = only<Sg>(synth((s) => new StagingSecurityGroups(s, 'sg', { ...base, customDnsServers: ['10.9.9.9'] })), 'aws_security_group');
    const dns = custom.find((g) => g.name === 'est-replication')!.egress.filter((e) => e.from_port === 53);
    expect(dns.map((e) => [e.protocol, e.cidr_blocks])).toEqual([['tcp', ['10.9.9.9/32']], ['udp', ['10.9.9.9/32']]]);
  });

  it.each([
    [{ sourceCidrs: ['0.0.0.0/0'] }, /sourceCidrs must not contain 0.0.0.0\/0/],
    [{ stagingCidrs: [] }, /stagingCidrs must name at least one CIDR/],
    [{ onPremDnsServers: [] }, /onPremDnsServers must name at least one/],
  ])('refuses %p', (bad, message) => {
    expect(() => synth((s) => new StagingSecurityGroups(s, 'sg', { ...base, ...bad }))).toThrow(message);
  });
});

describe('VpcEndpoints', () => {
  const defaults = { subnetIds: ['subnet-a', 'subnet-b'], securityGroupIds: ['sg-e'] };
  type Ep = { service_name: string; vpc_endpoint_type: string; private_dns_enabled?: boolean; dns_options?: { private_dns_only_for_inbound_resolver_endpoint: boolean }; subnet_ids?: string[]; depends_on?: string[]; policy?: string; route_table_ids?: string[] };

  it('builds interface endpoints from a map with shared defaults and per-endpoint overrides, plus the S3 gateway', () => {
    const tf = synth((s) => new VpcEndpoints(s, 'ep', {
      vpcId: 'vpc-1',
      region: 'eu-west-1',
      defaults,
      interfaceEndpoints: { mgn: {}, s3: {}, ssm: { subnetIds: ['subnet-c'], privateDns: false } },
      s3Gateway: { routeTableIds: ['rtb-1', 'rtb-2'], policy: '{"Version":"2012-10-17","Statement":[]}' },
    }));
    const eps = only<Ep>(tf, 'aws_vpc_endpoint');
    const by = (svc: string, type: string) => eps.find((e) => e.service_name === `com.amazonaws.eu-west-1.${svc}` && e.vpc_endpoint_type === type)!;
    expect(eps).toHaveLength(4);
    expect(by('mgn', 'Interface')).toMatchObject({ private_dns_enabled: true, subnet_ids: defaults.subnetIds });
    expect(by('mgn', 'Interface').dns_options).toBeUndefined();
    // S3: private DNS answers only the inbound resolver; the VPC keeps using the gateway endpoint.
    expect(by('s3', 'Interface')).toMatchObject({ private_dns_enabled: true, dns_options: { private_dns_only_for_inbound_resolver_endpoint: true } });
    expect(by('s3', 'Interface').depends_on).toEqual([expect.stringMatching(/^aws_vpc_endpoint\.ep_s3-gateway/)]);
    expect(by('ssm', 'Interface')).toMatchObject({ private_dns_enabled: false, subnet_ids: ['subnet-c'] });
    expect(by('s3', 'Gateway')).toMatchObject({ route_table_ids: ['rtb-1', 'rtb-2'], policy: expect.stringContaining('2012-10-17') });
  });

  it('refuses an S3 interface endpoint with private DNS but no gateway, and empty defaults', () => {
    expect(() => synth((s) => new VpcEndpoints(s, 'ep', { vpcId: 'v', region: 'eu-west-1', defaults, interfaceEndpoints: { s3: {} } }))).toThrow(/needs s3Gateway/);
    expect(() => synth((s) => new VpcEndpoints(s, 'ep', { vpcId: 'v', region: 'eu-west-1', defaults: { ...defaults, subnetIds: [] }, interfaceEndpoints: {} }))).toThrow(/defaults.subnetIds/);
  });
});

describe('ResolverInboundEndpoint', () => {
  it('puts one IP in each subnet and exposes the IPs as a list expression', () => {
    let ips = '';
    const tf = synth((s) => {
      ips = new ResolverInboundEndpoint(s, 'r', { name: 'in', securityGroupIds: ['sg-r'], subnets: [{ subnetId: 'subnet-a', availabilityZone: 'eu-west-1a' }, { subnetId: 'subnet-b', availabilityZone: 'eu-west-1b' }] }).ipAddresses;
    });
    const [ep] = only<{ direction: string; ip_address: Array<{ subnet_id: string }> }>(tf, 'aws_route53_resolver_endpoint');
    expect(ep.direction).toBe('INBOUND');
    expect(ep.ip_address.map((a) => a.subnet_id)).toEqual(['subnet-a', 'subnet-b']);
    // The endpoint's address is a token until synthesis; the example test checks the resolved output.
    expect(ips).toMatch(/^\$\{\[for a in .+\.ip_address : a\.ip\]\}$/);
  });

  it('refuses fewer than 2 IPs or a single Availability Zone', () => {
    const one = [{ subnetId: 'subnet-a', availabilityZone: 'eu-west-1a' }];
    expect(() => synth((s) => new ResolverInboundEndpoint(s, 'r', { name: 'in', securityGroupIds: ['sg'], subnets: one }))).toThrow(/at least 2 entries/);
    expect(() => synth((s) => new ResolverInboundEndpoint(s, 'r', { name: 'in', securityGroupIds: ['sg'], subnets: [...one, { subnetId: 'subnet-b', availabilityZone: 'eu-west-1a' }] }))).toThrow(/at least 2 Availability Zones/);
  });
});

describe('EbsKey', () => {
  const props = { accountId: '222222222222', region: 'eu-west-1', alias: 'alias/x/prod', mgnAccountId: '111111111111' };
  type Statement = { Sid: string; Principal: { AWS: string | string[] }; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> };

  it('turns rotation on and lets EC2 and MGN use the key only through kms:ViaService, plus Auto Scaling, cross-account principals and grants', () => {
    const tf = synth((s) => new EbsKey(s, 'k', { ...props, crossAccountPrincipals: ['555555555555'], grants: [{ name: 'asg', granteePrincipal: 'arn:aws:iam::555555555555:role/x' }] }));
    const [key] = only<{ enable_key_rotation: boolean; deletion_window_in_days: number; policy: string }>(tf, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    expect(key.deletion_window_in_days).toBe(30);
    const statements = (JSON.parse(key.policy) as { Statement: Statement[] }).Statement;
    const sid = (s: string) => statements.find((x) => x.Sid === s)!;
    expect(sid('UseThroughEc2AndMgn').Condition!.StringEquals['kms:ViaService']).toEqual(['ec2.eu-west-1.amazonaws.com', 'mgn.eu-west-1.amazonaws.com']);
    expect(sid('UseThroughEc2AndMgn').Principal.AWS).toEqual(['arn:aws:iam::222222222222:root', 'arn:aws:iam::111111111111:root']);
    expect(sid('GrantsForAwsResources').Condition!.Bool).toEqual({ 'kms:GrantIsForAWSResource': true });
    // AWS's pattern: the service-linked role itself is the Principal (root + aws:PrincipalArn would
    // defer to the role's IAM policy, which has no access to customer managed keys).
    const asg = 'arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
    expect(sid('AutoScalingServiceLinkedRoleUse')).toMatchObject({ Principal: { AWS: asg }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'] });
    expect(sid('AutoScalingServiceLinkedRoleUse').Condition).toBeUndefined();
    expect(sid('AutoScalingServiceLinkedRoleGrants')).toMatchObject({ Principal: { AWS: asg }, Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } });
    expect(JSON.stringify(statements)).not.toContain('aws:PrincipalArn');
    // Another account: its launches use the key through EC2 only, and it may grant only its own Auto Scaling role the EBS operations.
    expect(sid('CrossAccountUseThroughEc2')).toMatchObject({ Principal: { AWS: 'arn:aws:iam::555555555555:root' }, Condition: { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } } });
    expect(sid('CrossAccountGrantsForAutoScaling').Condition).toEqual({
      'ForAllValues:StringEquals': { 'kms:GrantOperations': EBS_GRANT_OPERATIONS },
      StringEquals: { 'kms:GranteePrincipal': 'arn:aws:iam::555555555555:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling' },
    });
    expect(only(tf, 'aws_kms_alias')).toEqual([expect.objectContaining({ name: 'alias/x/prod' })]);
    expect(only(tf, 'aws_kms_grant')).toEqual([expect.objectContaining({ name: 'asg', grantee_principal: 'arn:aws:iam::555555555555:role/x', operations: EBS_GRANT_OPERATIONS })]);
  });

  it('reads an existing Auto Scaling role before CreateKey, or creates it when told (KMS refuses a policy naming a missing principal)', () => {
    type Key = { depends_on: string[] };
    const existing = synth((s) => new EbsKey(s, 'k', props)) as Tf & { data: Record<string, Record<string, { name: string }>> };
    expect(Object.values(existing.data.aws_iam_role)).toEqual([{ name: 'AWSServiceRoleForAutoScaling' }]);
    expect(only<Key>(existing, 'aws_kms_key')[0].depends_on).toEqual([expect.stringMatching(/^data\.aws_iam_role\.k_autoscaling-role/)]);
    expect(only(existing, 'aws_iam_service_linked_role')).toEqual([]);

    const created = synth((s) => new EbsKey(s, 'k', { ...props, createAutoScalingRole: true })) as Tf & { data?: Record<string, unknown> };
    expect(only(created, 'aws_iam_service_linked_role')).toEqual([{ aws_service_name: 'autoscaling.amazonaws.com' }]);
    expect(only<Key>(created, 'aws_kms_key')[0].depends_on).toEqual([expect.stringMatching(/^aws_iam_service_linked_role\.k_autoscaling-role/)]);
    expect(created.data?.aws_iam_role).toBeUndefined();
  });

  it('lets the MGN account\'s workflow roles describe it, VM Import encrypt with it, and grants the MGN account\'s Auto Scaling role', () => {
    const apply = 'arn:aws:iam::111111111111:role/rf-apply';
    const tf = synth((s) => new EbsKey(s, 'k', { ...props, describers: ['arn:aws:iam::111111111111:role/rf-cutover'], vmImportRoleArn: 'arn:aws:iam::111111111111:role/vmimport', mgnAccountAutoScaling: true, mgnAccountGrantManager: apply })) as Tf & {
      data: Record<string, Record<string, { name: string }>>;
    };
    const statements = (JSON.parse(only<{ policy: string }>(tf, 'aws_kms_key')[0].policy) as { Statement: Statement[] }).Statement;
    const sid = (x: string) => statements.find((st) => st.Sid === x)!;
    // Roles created after the key: named through the account root and aws:PrincipalArn (KMS refuses a principal that does not exist yet).
    expect(sid('DescribeFromWorkflows')).toMatchObject({ Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:DescribeKey', Condition: { ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/rf-cutover'] } } });
    expect(sid('VmImportServiceRole').Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/vmimport' } });
    const staging = 'arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
    expect(sid('MgnAccountAutoScalingGrant').Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': apply }, StringEquals: { 'kms:GranteePrincipal': staging }, 'ForAllValues:StringEquals': { 'kms:GrantOperations': EBS_GRANT_OPERATIONS } });
    // The grant itself, made with the stack's default provider (the MGN account's), once the grantee was read.
    const grant = only<{ grantee_principal: string; key_id: string; provider?: string }>(tf, 'aws_kms_grant')[0];
    expect(grant).toMatchObject({ operations: EBS_GRANT_OPERATIONS, grantee_principal: expect.stringContaining('data.aws_iam_role.k_mgn-account-autoscaling-role') });
    expect(grant.provider).toBeUndefined();
  });

  it('tells each cross-account Auto Scaling account the grant command for its own role', () => {
    let commands: Record<string, string> = {};
    synth((s) => {
      commands = new EbsKey(s, 'k', { ...props, crossAccountPrincipals: ['555555555555', 'arn:aws:iam::666666666666:role/ops'] }).autoScalingGrantCommands;
    });
    expect(Object.keys(commands)).toEqual(['555555555555']);
    expect(commands['555555555555']).toMatch(
      /^aws kms create-grant --region eu-west-1 --key-id \$\{TfToken\[TOKEN\.\d+\]\} --grantee-principal arn:aws:iam::555555555555:role\/aws-service-role\/autoscaling\.amazonaws\.com\/AWSServiceRoleForAutoScaling --operations Decrypt GenerateDataKeyWithoutPlaintext ReEncryptFrom ReEncryptTo CreateGrant$/,
    );
  });

  it.each([
    [{ alias: 'alias/aws/ebs' }, /reserved "alias\/aws\/" prefix/],
    [{ alias: 'ebs' }, /must start with "alias\/"/],
    [{ deletionWindowDays: 3 }, /between 7 and 30/],
    [{ crossAccountPrincipals: ['222222222222'] }, /must not contain the key's own account/],
  ])('refuses %p', (bad, message) => {
    expect(() => synth((s) => new EbsKey(s, 'k', { ...props, ...bad }))).toThrow(message);
  });
});

describe('GithubOidcRoles', () => {
  const props = {
    repository: 'acme/mig', branch: 'main', applyEnvironment: 'infra', cutoverEnvironment: 'cutover', vmImportEnvironment: 'vm-import', accountId: '111111111111', namePrefix: 'rf-est',
    statements: Object.fromEntries(['plan', 'apply', 'cutover', 'vm-import'].map((r) => [r, [{ Sid: 'X', Effect: 'Allow' as const, Action: 'ec2:DescribeVpcs', Resource: '*' }]])) as never,
  };
  type Trust = { Statement: Array<{ Condition: Record<string, Record<string, string | string[]>> }> };

  it('trusts exactly the contract\'s subjects (pull requests and the branch for plan, one environment for each write role), aud pinned, sessions as long as the jobs', () => {
    const tf = synth((s) => new GithubOidcRoles(s, 'gh', props));
    expect(only(tf, 'aws_iam_openid_connect_provider')).toEqual([expect.objectContaining({ url: 'https://token.actions.githubusercontent.com', client_id_list: ['sts.amazonaws.com'] })]);
    const roles = only<{ name: string; assume_role_policy: string; max_session_duration: number }>(tf, 'aws_iam_role');
    const trust = Object.fromEntries(roles.map((r) => [r.name, (JSON.parse(r.assume_role_policy) as Trust).Statement[0].Condition]));
    const sub = (r: string) => trust[r].StringEquals['token.actions.githubusercontent.com:sub'];
    expect(sub('rf-est-plan')).toEqual(['repo:acme/mig:pull_request', 'repo:acme/mig:ref:refs/heads/main']);
    expect(sub('rf-est-apply')).toEqual(['repo:acme/mig:environment:infra']);
    expect(sub('rf-est-cutover')).toEqual(['repo:acme/mig:environment:cutover']);
    expect(sub('rf-est-vm-import')).toEqual(['repo:acme/mig:environment:vm-import']);
    for (const t of Object.values(trust)) {
      expect(Object.keys(t)).toEqual(['StringEquals']);
      expect(t.StringEquals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    }
    expect(Object.fromEntries(roles.map((r) => [r.name, r.max_session_duration]))).toEqual({ 'rf-est-plan': 3600, 'rf-est-apply': 3600, 'rf-est-cutover': 14400, 'rf-est-vm-import': 36000 });
    // No managed policy: each role has only its own statements.
    expect(only(tf, 'aws_iam_role_policy_attachment')).toEqual([]);
  });

  it('splits a policy over IAM\'s inline limit into managed policies of at most 6,144 characters', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ Sid: `S${i}`, Effect: 'Allow' as const, Action: Array.from({ length: 8 }, (_x, j) => `ec2:DescribeVpcAttribute${i}x${j}`), Resource: '*' }));
    const tf = synth((s) => new GithubOidcRoles(s, 'gh', { ...props, statements: { ...(props.statements as object), apply: many } as never }));
    const policies = only<{ name: string; policy: string }>(tf, 'aws_iam_policy');
    expect(policies.length).toBeGreaterThan(1);
    for (const p of policies) expect(p.policy.length).toBeLessThanOrEqual(6144);
    expect(policies.flatMap((p) => (JSON.parse(p.policy) as { Statement: Array<{ Sid: string }> }).Statement.map((x) => x.Sid))).toEqual(many.map((m) => m.Sid));
    expect(only(tf, 'aws_iam_role_policy_attachment')).toHaveLength(policies.length);
  });

  it('uses an existing provider when told, and refuses wildcards in what pins sub', () => {
    const tf = synth((s) => new GithubOidcRoles(s, 'gh', { ...props, createProvider: false }));
    expect(only(tf, 'aws_iam_openid_connect_provider')).toEqual([]);
    expect(only<{ assume_role_policy: string }>(tf, 'aws_iam_role')[0].assume_role_policy).toContain('arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com');
    expect(() => synth((s) => new GithubOidcRoles(s, 'gh', { ...props, branch: '*' }))).toThrow(/branch must be a plain name/);
    expect(() => synth((s) => new GithubOidcRoles(s, 'gh', { ...props, vmImportEnvironment: 'vm-*' }))).toThrow(/vmImportEnvironment must be a plain name/);
    expect(() => synth((s) => new GithubOidcRoles(s, 'gh', { ...props, repository: 'acme' }))).toThrow(/"owner\/repo"/);
    expect(() => synth((s) => new GithubOidcRoles(s, 'gh', { ...props, namePrefix: 'rehost-factory-acme-data-centre-one-frankfurt-exit-prog' }))).toThrow(
      /role name "rehost-factory-acme-data-centre-one-frankfurt-exit-prog-vm-import" has 65 characters; IAM allows 64: shorten github.roleNamePrefix/,
    );
  });
});

describe('SsmBootstrapDocuments', () => {
  it('deploys each document with estate defaults, escapes shell ${...} for Terraform, and creates the log group', () => {
    const tf = synth((s) => new SsmBootstrapDocuments(s, 'b', { namePrefix: 'est-', documents: ['remove-legacy-agents'], parameterDefaults: { 'remove-legacy-agents': { AgentNames: 'open-vm-tools,VMware Tools' } }, logGroupName: '/x', logRetentionDays: 30 }));
    const [doc] = only<{ name: string; document_type: string; document_format: string; content: string }>(tf, 'aws_ssm_document');
    expect(doc).toMatchObject({ name: 'est-remove-legacy-agents', document_type: 'Command', document_format: 'YAML' });
    expect(doc.content).toContain('default: open-vm-tools,VMware Tools');
    expect(doc.content).toContain('"$${NAMES[@]}"');
    expect(doc.content).not.toMatch(/(^|[^$])\$\{/);
    expect(only(tf, 'aws_cloudwatch_log_group')).toEqual([expect.objectContaining({ name: '/x', retention_in_days: 30 })]);
  });

  it('refuses a default for an undeclared parameter or one its allowedPattern rejects', () => {
    expect(() => synth((s) => new SsmBootstrapDocuments(s, 'b', { namePrefix: 'e', documents: ['validate-server'], parameterDefaults: { 'validate-server': { Nope: 'x' } }, logGroupName: '/x' }))).toThrow(/validate-server has no parameter "Nope"/);
    expect(() => synth((s) => new SsmBootstrapDocuments(s, 'b', { namePrefix: 'e', documents: ['validate-server'], parameterDefaults: { 'validate-server': { MinFreeDiskPercent: 'ten' } }, logGroupName: '/x' }))).toThrow(/does not match its allowedPattern/);
  });
});

describe('mgnTemplate', () => {
  const replication: ReplicationSettings = { stagingSubnetId: 'subnet-a', securityGroupIds: ['sg-r'], ebsKeyArn: 'arn:aws:kms:eu-west-1:222222222222:key/k' };
  const doc = (deployment: 'TEST_AND_CUTOVER' | 'CUTOVER_ONLY', n = 'a') => ({ actionName: n, documentName: `est-${n}`, deployment, parameters: { P: `/p/${n}` } });

  it('replicates privately with the customer managed key and maps post-launch documents with Parameter Store parameters', () => {
    const t = mgnTemplate(replication, { postLaunch: [doc('CUTOVER_ONLY')], logGroupName: '/log' });
    expect(t.Resources.ReplicationConfigurationTemplate!.Properties).toMatchObject({ DataPlaneRouting: 'PRIVATE_IP', CreatePublicIP: false, EbsEncryption: 'CUSTOM', EbsEncryptionKeyArn: replication.ebsKeyArn, AssociateDefaultSecurityGroup: false });
    expect(t.Resources.LaunchConfigurationTemplate.Properties.PostLaunchActions).toEqual({
      Deployment: 'CUTOVER_ONLY',
      CloudWatchLogGroupName: '/log',
      SsmDocuments: [{ ActionName: 'a', SsmDocumentName: 'est-a', TimeoutSeconds: 3600, MustSucceedForCutover: true, Parameters: { P: [{ ParameterType: 'STRING', ParameterName: '/p/a' }] } }],
    });
  });

  it('leaves the replication template out where CloudFormation lacks the type, and offers the same settings as an MGN API call', () => {
    let cli = '';
    const tf = synth((s) => {
      cli = new MgnTemplates(s, 'm', { stackName: 'x', region: 'eu-west-1', replication, launch: {}, replicationInCloudFormation: false }).replicationCliCommand;
    });
    const [stack] = only<{ template_body: string }>(tf, 'aws_cloudformation_stack');
    const body = JSON.parse(stack.template_body) as { Resources: Record<string, unknown>; Outputs: Record<string, unknown> };
    expect(Object.keys(body.Resources)).toEqual(['LaunchConfigurationTemplate']);
    expect(Object.keys(body.Outputs)).toEqual(['LaunchConfigurationTemplateId']);
    const input = JSON.parse(/--cli-input-json '(.+)'$/.exec(cli)![1]) as Record<string, unknown>;
    expect(cli).toMatch(/^aws mgn create-replication-configuration-template --region eu-west-1 /);
    expect(input).toMatchObject({ stagingAreaSubnetId: 'subnet-a', dataPlaneRouting: 'PRIVATE_IP', createPublicIP: false, ebsEncryption: 'CUSTOM', ebsEncryptionKeyArn: replication.ebsKeyArn, replicationServersSecurityGroupsIDs: ['sg-r'] });
  });

  it.each([
    [{ ...replication, securityGroupIds: [] }, {}, /at least one security group/],
    [{ ...replication, bandwidthThrottlingMbps: 20_000 }, {}, /0 to 10000/],
    [replication, { enableMapAutoTagging: true }, /mapAutoTaggingMpeId is required/],
    [replication, { postLaunch: [doc('TEST_AND_CUTOVER')] }, /logGroupName is required/],
    [replication, { postLaunch: [doc('TEST_AND_CUTOVER', 'a'), doc('CUTOVER_ONLY', 'b')], logGroupName: '/l' }, /one deployment to every post-launch document.*a: TEST_AND_CUTOVER, b: CUTOVER_ONLY/],
    [replication, { postLaunch: Array.from({ length: 11 }, (_, i) => doc('TEST_AND_CUTOVER', `d${i}`)), logGroupName: '/l' }, /at most 10/],
  ])('refuses bad settings (%#)', (r, l, message) => {
    expect(() => mgnTemplate(r, l)).toThrow(message);
  });
});
