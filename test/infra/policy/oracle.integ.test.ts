/**
 * The policy oracle: both example estates are applied (access stack by an administrator, the rest by
 * the apply role), planned by the plan role, and factory.yaml's estate is run through the runbook,
 * VM Import and both pipelines, every AWS call recorded with its principal. Each call is mapped to
 * the authorizations it needs and evaluated against the deployed policies (docs/security.md, "Policy
 * oracle"). ORACLE_ONLY=factory|existing runs one estate (a debugging aid: the grant check needs both);
 * ORACLE_REPORT=<file> writes per role what is granted and observed.
 */
import { writeFileSync } from 'node:fs';
import { GITHUB_OIDC_HOST, workflowSubjects } from '../../../src/infra/constructs/github-oidc-roles';
import { instanceProfiles } from '../../../src/infra/stacks/automation-stack';
import { roleArn } from '../../../src/infra/stacks/access-stack';
import { estateNames } from '../../../src/infra/stacks/estate-names';
import { deniedCalls, describe as line, roleKinds, unexplainedGrants, withoutAction, withRole, withStatement } from './assertions';
import { Authorization, principalContext } from './authorizations';
import { evaluate } from './evaluate';
import { apiCall } from './wire';
import { EstateOracle, EXAMPLES, grantedActions, runEstateOracle } from './oracle';

jest.setTimeout(1_800_000);
const only = process.env.ORACLE_ONLY;
const oracles: Array<EstateOracle & { stop(): Promise<void> }> = [];
beforeAll(async () => {
  oracles.push(...(await Promise.all(EXAMPLES.filter((e) => !only || e.label === only).map((e) => runEstateOracle(e)))));
}, 1_800_000);
afterAll(async () => Promise.all(oracles.map((o) => o.stop())));

const factory = () => {
  const o = oracles.find((x) => x.label === 'factory');
  if (!o) throw new Error('the factory estate was not run (ORACLE_ONLY)');
  return o;
};

/** An authorization the oracle builds itself: a principal of the estate asking for one action. */
function ask(o: EstateOracle, principalArn: string, action: string, resource: string, context: Record<string, string | string[]> = {}, extra: Partial<Authorization> = {}): Authorization {
  const account = principalArn.split(':')[4];
  const principal = { arn: principalArn, account, kind: 'role' as const };
  return { principal, action, resource, resourceAccount: resource.split(':')[4] || account, context: { ...principalContext(principal, o.config.region), ...context }, source: 'oracle test', ...extra };
}

async function verdicts(o: EstateOracle, cases: Array<[Authorization, boolean]>): Promise<string[]> {
  const wrong: string[] = [];
  for (const [a, expected] of cases) {
    const v = await evaluate(a, o.model);
    if (v.allowed !== expected) wrong.push(`expected ${expected ? 'allowed' : 'denied'}: ${line(a, v)}`);
  }
  return wrong;
}

test('every recorded call maps to the authorizations it needs', () => {
  for (const o of oracles) expect({ estate: o.label, unmapped: o.unmapped }).toEqual({ estate: o.label, unmapped: [] });
  const operations = new Set(oracles.flatMap((o) => o.requests.filter((r) => r.principal.kind === 'role').map((r) => { const call = apiCall(r); return `${call.service}:${call.operation}`; })));
  if (!only) expect(operations.size).toBeGreaterThan(150);
});

test('(a) every call is allowed for its principal', async () => {
  for (const o of oracles) expect({ estate: o.label, denied: await deniedCalls(o) }).toEqual({ estate: o.label, denied: [] });
});

test('(b) every action a role grants is observed or allowlisted with its reason', async () => {
  if (only) return;
  const report = await unexplainedGrants(oracles);
  if (process.env.ORACLE_REPORT) {
    const lines = [...report.kinds].map(([kind, k]) => `${kind}: granted ${k.granted.size} observed ${[...k.observed].filter((a) => k.granted.has(a)).length}\n  granted: ${[...k.granted].sort().join(' ')}\n  observed: ${[...k.observed].sort().join(' ')}`);
    writeFileSync(process.env.ORACLE_REPORT, `${oracles.map((o) => `${o.label} ${JSON.stringify(o.seconds)}`).join('\n')}\n${lines.join('\n')}\n`);
  }
  expect(report.unknownRoles).toEqual([]);
  expect(report.unexplained).toEqual([]);
  expect(report.stale).toEqual([]);
});

test('the oracle fails on a planted missing grant: the cutover role without mgn:StartTest', async () => {
  const o = factory();
  const cutover = roleArn(o.config, 'cutover');
  const model = withRole(o.model, cutover, (r) => withoutAction(r, 'mgn:StartTest'));
  const denied = await deniedCalls(o, model, (a) => a.principal.arn === cutover);
  expect(denied.length).toBeGreaterThan(0);
  expect(denied.every((d) => d.includes(' mgn:StartTest '))).toBe(true);
});

test('the oracle fails on a planted over-grant: the cutover role with ec2:TerminateInstances', async () => {
  if (only) return;
  const o = factory();
  const cutover = roleArn(o.config, 'cutover');
  const planted = withRole(o.model, cutover, (r) => withStatement(r, { Sid: 'Planted', Effect: 'Allow', Action: 'ec2:TerminateInstances', Resource: '*' }));
  const report = await unexplainedGrants(oracles, new Map([[o.label, planted]]));
  expect(report.unexplained).toEqual(['cutover ec2:terminateinstances']);
});

test('each workflow role is assumed only from the subjects of the contract', async () => {
  for (const o of oracles) {
    const g = o.config.github!;
    const subjects = workflowSubjects(g);
    const provider = `arn:aws:iam::${o.config.accounts.staging}:oidc-provider/${GITHUB_OIDC_HOST}`;
    const job = (role: keyof typeof subjects, sub: string, aud = 'sts.amazonaws.com'): Authorization => ({
      principal: { arn: provider, account: o.config.accounts.staging, kind: 'service' },
      action: 'sts:AssumeRoleWithWebIdentity',
      resource: roleArn(o.config, role),
      resourceAccount: o.config.accounts.staging,
      context: { [`${GITHUB_OIDC_HOST}:aud`]: aud, [`${GITHUB_OIDC_HOST}:sub`]: sub },
      source: `job ${sub}`,
    });
    const repo = `repo:${g.repository}`;
    const cases: Array<[Authorization, boolean]> = [];
    for (const role of Object.keys(subjects) as Array<keyof typeof subjects>) {
      for (const [other, subs] of Object.entries(subjects)) for (const sub of subs) cases.push([job(role, sub), other === role]);
      cases.push([job(role, subjects[role][0], 'https://github.com/acme'), false]);
      cases.push([job(role, subjects[role][0].replace(repo, 'repo:acme/fork')), false]);
      cases.push([job(role, `${repo}:ref:refs/heads/feature`), false]);
      cases.push([job(role, `${repo}:environment:${g.applyEnvironment}-copy`), false]);
    }
    expect(await verdicts(o, cases)).toEqual([]);
  }
});

test('the apply role cannot change the workflow roles, the boundary or the bootstrap key, and creates only bounded roles', async () => {
  const o = factory();
  const c = o.config;
  const names = estateNames(c);
  const staging = c.accounts.staging;
  const apply = roleArn(c, 'apply');
  const boundary = `arn:aws:iam::${staging}:policy/${names.boundaryPolicy}`;
  const swapRole = `arn:aws:iam::${staging}:role/${names.automation.amiSwap}`;
  const secretsKeyId = o.world.keyIdOfAlias(staging, c.region, names.bootstrapSecretsKeyAlias)!;
  const secretsKey = `arn:aws:kms:${c.region}:${staging}:key/${secretsKeyId}`;
  const cases: Array<[Authorization, boolean]> = [];
  for (const kind of ['plan', 'apply', 'cutover', 'vm-import'] as const) {
    const target = roleArn(c, kind);
    for (const action of ['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRole', 'iam:TagRole']) {
      cases.push([ask(o, apply, action, target, { 'iam:PermissionsBoundary': boundary }), false]);
    }
  }
  for (const action of ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:SetDefaultPolicyVersion']) cases.push([ask(o, apply, action, boundary), false]);
  cases.push([ask(o, apply, 'iam:DeleteRolePermissionsBoundary', swapRole), false]);
  cases.push([ask(o, apply, 'iam:PutRolePermissionsBoundary', swapRole, { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' }), false]);
  cases.push([ask(o, apply, 'iam:CreateRole', swapRole), false]);
  cases.push([ask(o, apply, 'iam:CreateRole', swapRole, { 'iam:PermissionsBoundary': boundary }), true]);
  cases.push([ask(o, apply, 'iam:CreateRole', `arn:aws:iam::${staging}:role/${names.rolePrefix}-admin`, { 'iam:PermissionsBoundary': boundary }), false]);
  cases.push([ask(o, apply, 'iam:PutRolePolicy', swapRole, { 'iam:PermissionsBoundary': boundary }), true]);
  cases.push([ask(o, apply, 'iam:PutRolePolicy', swapRole), false]);
  cases.push([ask(o, apply, 'iam:AttachRolePolicy', swapRole, { 'iam:PermissionsBoundary': boundary, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' }), false]);
  cases.push([ask(o, apply, 'iam:PassRole', swapRole, { 'iam:PassedToService': 'states.amazonaws.com' }), true]);
  cases.push([ask(o, apply, 'iam:PassRole', swapRole, { 'iam:PassedToService': 'ec2.amazonaws.com' }), false]);
  cases.push([ask(o, apply, 'iam:PassRole', roleArn(c, 'cutover'), { 'iam:PassedToService': 'states.amazonaws.com' }), false]);
  for (const action of ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:CreateGrant', 'kms:Decrypt']) {
    cases.push([ask(o, apply, action, secretsKey, { 'kms:ResourceAliases': [names.bootstrapSecretsKeyAlias] }), false]);
  }
  for (const action of ['iam:DeleteOpenIDConnectProvider', 'iam:UpdateOpenIDConnectProviderThumbprint', 'iam:AddClientIDToOpenIDConnectProvider']) {
    cases.push([ask(o, apply, action, `arn:aws:iam::${staging}:oidc-provider/${GITHUB_OIDC_HOST}`), false]);
  }
  expect(await verdicts(o, cases)).toEqual([]);
  // What a bounded role can do at most: nothing with IAM, STS, KMS key policies or Organizations.
  const bounded = await grantedActions({ ...o.model, roles: new Map([['boundary', { arn: 'boundary', account: staging, trust: { Statement: [] }, inline: [], managed: [{ arn: boundary, doc: o.model.roles.get(swapRole)!.boundary!.doc }] }]]) }, 'boundary');
  expect([...bounded.keys()].filter((a) => /^(iam:(?!passrole$)|sts:|organizations:|kms:(putkeypolicy|createkey|schedulekeydeletion))/.test(a))).toEqual([]);
});

test('secrets: the plan role reads no secrets; the join password decrypts only on launched instances through Parameter Store', async () => {
  const o = factory();
  const c = o.config;
  const names = estateNames(c);
  const staging = c.accounts.staging;
  const plan = roleArn(c, 'plan');
  const ad = c.bootstrap.activeDirectory!;
  const parameter = `arn:aws:ssm:${c.region}:${staging}:parameter/${ad.passwordParameter.replace(/^\//, '')}`;
  const secretsKey = `arn:aws:kms:${c.region}:${staging}:key/${o.world.keyIdOfAlias(staging, c.region, names.bootstrapSecretsKeyAlias)!}`;
  const viaSsm = { 'kms:ViaService': `ssm.${c.region}.amazonaws.com`, 'kms:CallerAccount': staging, 'kms:EncryptionContext:PARAMETER_ARN': parameter };
  const importBucket = [...o.model.bucketKeys.keys()].find((b) => b.includes('vm-import'))!;
  const cases: Array<[Authorization, boolean]> = [
    [ask(o, plan, 'ssm:GetParameter', parameter), false],
    [ask(o, plan, 'ssm:GetParameters', `arn:aws:ssm:${c.region}:${staging}:parameter/rehost/ad/join-user`), false],
    [ask(o, plan, 'kms:Decrypt', secretsKey, viaSsm), false],
    [ask(o, plan, 'kms:Decrypt', `arn:aws:kms:${c.region}:${staging}:key/00000000-0000-0000-0000-000000000000`), false],
    [ask(o, plan, 'secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${c.region}:${staging}:secret:any-AbCdEf`), false],
    [ask(o, plan, 's3:GetObject', `arn:aws:s3:::${importBucket}/images/wiki01.vmdk`), false],
  ];
  for (const kind of ['apply', 'cutover', 'vm-import'] as const) cases.push([ask(o, roleArn(c, kind), 'kms:Decrypt', secretsKey, viaSsm), false]);
  // Instance roles are the customer's: stood in with the kms:Decrypt the join document says they need.
  const standIn = { identityStandIn: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] } };
  for (const profile of instanceProfiles(c)) {
    const role = `arn:aws:iam::${staging}:role/${profile}`;
    cases.push([ask(o, role, 'kms:Decrypt', secretsKey, viaSsm, standIn), true]);
    cases.push([ask(o, role, 'kms:Decrypt', secretsKey, { 'kms:CallerAccount': staging, 'kms:EncryptionContext:PARAMETER_ARN': parameter }, standIn), false]);
    cases.push([ask(o, role, 'kms:Decrypt', secretsKey, { ...viaSsm, 'kms:EncryptionContext:PARAMETER_ARN': `arn:aws:ssm:${c.region}:${staging}:parameter/other` }, standIn), false]);
  }
  cases.push([ask(o, `arn:aws:iam::${staging}:role/SomeAdmin`, 'kms:Decrypt', secretsKey, viaSsm, standIn), false]);
  expect(await verdicts(o, cases)).toEqual([]);
});

test('service roles are assumed only by their service, for the estate\'s own resources', async () => {
  const o = factory();
  const c = o.config;
  const staging = c.accounts.staging;
  const names = estateNames(c);
  const assume = (service: string, roleName: string, context: Record<string, string>): Authorization => ({
    principal: { arn: service, account: staging, kind: 'service' },
    action: 'sts:AssumeRole',
    resource: `arn:aws:iam::${staging}:role/${roleName}`,
    resourceAccount: staging,
    context,
    source: `${service} assumes ${roleName}`,
  });
  const machine = names.automation.amiSwap;
  const machineArn = (name: string) => `arn:aws:states:${c.region}:${staging}:stateMachine:${name}`;
  const cases: Array<[Authorization, boolean]> = [
    [assume('states.amazonaws.com', machine, { 'aws:SourceAccount': staging, 'aws:SourceArn': machineArn(machine) }), true],
    [assume('states.amazonaws.com', machine, { 'aws:SourceAccount': staging, 'aws:SourceArn': machineArn('someone-elses') }), false],
    [assume('states.amazonaws.com', machine, { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': `arn:aws:states:${c.region}:999999999999:stateMachine:${machine}` }), false],
    [assume('lambda.amazonaws.com', names.automation.amiSwap, { 'aws:SourceAccount': staging }), false],
    [assume('lambda.amazonaws.com', names.automation.functions.applyRetention, { 'aws:SourceAccount': '999999999999' }), false],
    [assume('vpc-flow-logs.amazonaws.com', names.flowLogRole, { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': `arn:aws:ec2:${c.region}:999999999999:vpc-flow-log/fl-1` }), false],
    [assume('vmie.amazonaws.com', 'vmimport', {}), false],
    [assume('vmie.amazonaws.com', 'vmimport', { 'sts:ExternalId': 'vmimport' }), true],
  ];
  expect(await verdicts(o, cases)).toEqual([]);
});

test('the staging endpoints admit the estate\'s accounts and AWS\'s service buckets only', async () => {
  const o = factory();
  const staging = o.config.accounts.staging;
  const standIn = (action: string) => ({ identityStandIn: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] } });
  const stranger = 'arn:aws:iam::333333333333:role/someone';
  const importBucket = [...o.model.bucketKeys.keys()].find((b) => b.includes('vm-import'))!;
  const cases: Array<[Authorization, boolean]> = [
    [ask(o, stranger, 'mgn:SendAgentMetricsForMgn', '*', {}, { ...standIn('mgn:SendAgentMetricsForMgn'), resourceAccount: '333333333333', throughEndpoint: 'mgn' }), false],
    [ask(o, stranger, 'ec2:DescribeInstances', '*', {}, { ...standIn('ec2:DescribeInstances'), resourceAccount: '333333333333', throughEndpoint: 'ec2' }), false],
    [ask(o, `arn:aws:iam::${staging}:role/someone`, 's3:PutObject', 'arn:aws:s3:::exfiltration/x', {}, { ...standIn('s3:PutObject'), resourceAccount: '333333333333', throughEndpoint: 's3' }), false],
    [ask(o, roleArn(o.config, 'vm-import'), 's3:ListBucket', `arn:aws:s3:::${importBucket}`, {}, { throughEndpoint: 's3' }), true],
  ];
  expect(await verdicts(o, cases)).toEqual([]);
});

test('every role of the estates has a kind the oracle checks', () => {
  for (const o of oracles) {
    const kinds = roleKinds(o.config);
    const missing = [...kinds.keys()].filter((arn) => !o.model.roles.has(arn));
    expect({ estate: o.label, missing }).toEqual({ estate: o.label, missing: [] });
  }
});
