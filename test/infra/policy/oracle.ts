import { ListRolesCommand } from '@aws-sdk/client-iam';
import { ListGrantsCommand, ListKeysCommand, ListResourceTagsCommand } from '@aws-sdk/client-kms';
import { expandIamActions } from '@cloud-copilot/iam-expand';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFactory } from '../../../src/config/load';
import { FactoryConfig } from '../../../src/config/schema';
import { GITHUB_OIDC_HOST, workflowSubjects } from '../../../src/infra/constructs/github-oidc-roles';
import { roleArn } from '../../../src/infra/stacks/access-stack';
import { estateNames } from '../../../src/infra/stacks/estate-names';
import { VMIMPORT_ROLE_NAME } from '../../../src/config/vm-import-names';
import { MotoServer, startMoto } from '../../support/moto';
import { ROOT } from '../../support/tools';
import { Authorization, awsManagedKeyArn, authorizationsOf, MappingWorld, principalContext } from './authorizations';
import { prepareAccounts, registerPrincipals, runTerraform, TerraformRun } from './estate-run';
import { evaluate, Verdict } from './evaluate';
import { pipelinesFlow, runbookFlow, vmImportFlow } from './flows';
import { Doc, PolicyModel, readPolicyModel } from './model';
import { Principal, RecordedRequest, Recorder, startRecorder } from './recorder';
import { kmsAliases, MotoAccount, worldInspector } from './world';

/** One estate run by the oracle: its recordings, the deployed policies, every authorization with its verdict. */
export interface EstateOracle {
  readonly label: string;
  readonly config: FactoryConfig;
  readonly terraform: TerraformRun;
  readonly requests: RecordedRequest[];
  readonly model: PolicyModel;
  readonly world: MappingWorld;
  /** Authorizations of the recorded calls and of the modelled service calls. */
  readonly authorizations: Authorization[];
  readonly verdicts: Map<Authorization, Verdict>;
  /** Requests whose authorizations could not be named (the mapping must cover every operation). */
  readonly unmapped: string[];
  readonly seconds: Record<string, number>;
}

/** The two example estates, as the oracle runs them (the existing-VPC one with a github section, as every estate that uses the workflows has). */
export const EXAMPLES = [
  { label: 'factory', file: 'factory.yaml', edits: [] as Array<[string, string]>, flows: true },
  { label: 'existing', file: 'existing-vpc.yaml', edits: [['\nnetwork:\n', '\ngithub:\n  repository: acme/dc2-migration\n\nnetwork:\n']] as Array<[string, string]>, flows: false },
];

/**
 * Runs an example estate through everything the code does against AWS, recording every call with
 * its principal, then maps each call to its authorizations and evaluates them against the
 * deployed policies. `flows` adds the runbook, VM Import and both pipelines (factory.yaml has every
 * feature on; the existing-VPC estate adds the infrastructure variants: existing VPC, cross-account
 * key principals and grants).
 */
export async function runEstateOracle(example: (typeof EXAMPLES)[number], options: { destroy?: boolean } = {}): Promise<EstateOracle & { stop(): Promise<void> }> {
  const seconds: Record<string, number> = {};
  const t0 = Date.now();
  const moto: MotoServer = await startMoto({ accountPerRequest: true });
  const registry = new Map<string, Principal>();
  let mgnUrl: string | undefined;
  const inspector = worldInspector(moto.url, () => mgnUrl);
  const rec = await startRecorder(moto.url, { name: 'moto', accountPerPrincipal: true, registry, inspector });
  const recorders: Recorder[] = [rec];
  const stop = async () => {
    for (const r of recorders) await r.stop();
    await moto.stop();
  };
  try {
    let text = readFileSync(join(ROOT, 'examples', example.file), 'utf8');
    for (const [from, to] of example.edits) text = text.replace(from, to);
    const first = parseFactory(text, example.file);
    registerPrincipals(rec, example.label, first);
    text = await prepareAccounts(rec, example.label, first, text);
    const config = parseFactory(text, example.file);
    const terraform = await runTerraform(rec, example.label, config, options);
    Object.assign(seconds, terraform.seconds);
    const modelled: Authorization[] = [];
    const imageKeys = new Map<string, string>();
    if (example.flows) {
      let t = Date.now();
      const { mgnRecorder } = await runbookFlow(rec, example.label, config, registry, (url) => (mgnUrl = url), inspector);
      recorders.push(mgnRecorder);
      seconds.runbook = (Date.now() - t) / 1000;
      t = Date.now();
      const imported = await vmImportFlow(rec, moto.url, example.label, config, registry, inspector);
      recorders.push(imported.importRecorder);
      if (imported.imageId && imported.keyId) imageKeys.set(imported.imageId, imported.keyId);
      seconds['vm-import'] = (Date.now() - t) / 1000;
      t = Date.now();
      const pipelines = await pipelinesFlow(rec, moto.url, example.label, config);
      modelled.push(...pipelines.modelled);
      for (const [image, key] of pipelines.imageKeys) imageKeys.set(image, key);
      seconds.pipelines = (Date.now() - t) / 1000;
    }
    const t = Date.now();
    const accounts = [...new Set([config.accounts.staging, ...config.accounts.targets.map((x) => x.accountId)])];
    const model = await readPolicyModel(moto.url, accounts, config.region);
    addAwsManagedKeys(model, accounts, config.region);
    addAwsServiceBuckets(model, config.region);
    const world = await buildWorld(moto.url, accounts, config.region, model, recorders.flatMap((r) => r.requests), imageKeys);
    const requests = recorders.flatMap((r) => r.requests);
    modelled.push(...serviceCalls(config, model, requests));
    const authorizations: Authorization[] = [];
    const unmapped: string[] = [];
    for (const r of requests) {
      if (r.principal.kind !== 'role') continue;
      try {
        authorizations.push(...(await authorizationsOf(r, world)));
      } catch (e) {
        unmapped.push((e as Error).message);
      }
    }
    authorizations.push(...modelled);
    const verdicts = new Map<Authorization, Verdict>();
    const cache = new Map<string, Verdict>();
    for (const a of authorizations) {
      const k = `${a.principal.arn}|${a.action}|${a.resource}|${a.resourceAccount}|${JSON.stringify(a.context)}`;
      let v = cache.get(k);
      if (!v) {
        v = await verdictOf(a, world, model);
        cache.set(k, v);
      }
      verdicts.set(a, v);
    }
    seconds.evaluation = (Date.now() - t) / 1000;
    seconds.total = (Date.now() - t0) / 1000;
    return { label: example.label, config, terraform, requests, model, world, authorizations, verdicts, unmapped, seconds, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Grants of the accounts' keys (KMS authorizes a grantee by its grant, without key or IAM policy). */
interface GrantIndex {
  readonly grants: Array<{ keyArn: string; grantee: string; operations: string[] }>;
}

/** The verdict on one authorization: a KMS grant of the account's keys, else the policies of `model`. */
export async function verdictOf(a: Authorization, world: MappingWorld, model: PolicyModel): Promise<Verdict> {
  return (await grantAllows(a, world)) ?? (await evaluate(a, model));
}

async function grantAllows(a: Authorization, world: MappingWorld & Partial<GrantIndex>): Promise<Verdict | undefined> {
  if (!a.action.startsWith('kms:') || !world.grants) return undefined;
  const op = a.action.slice(4);
  const g = world.grants.find((x) => x.keyArn === a.resource && x.grantee === a.principal.arn && x.operations.includes(op));
  return g ? { allowed: true, result: 'Allowed by grant', policies: [`grant:${a.resource}`] } : undefined;
}

/** Stand-in for the account that owns AWS's service buckets (aws-mgn-*, amazon-ssm-*). */
const AWS_SERVICE_ACCOUNT = '999999999999';

/** AWS's service buckets the staging network reads from (stand-in: readable by everyone, as they are). */
function addAwsServiceBuckets(model: PolicyModel, region: string): void {
  for (const bucket of [`aws-mgn-internal-${region}`, `aws-application-migration-service-${region}`]) {
    model.buckets.set(bucket, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] }] });
  }
}

/** The policy AWS gives its managed keys (alias/aws/<service>): use through the service by the account, metadata reads by the account. */
function addAwsManagedKeys(model: PolicyModel, accounts: string[], region: string): void {
  for (const account of accounts) {
    for (const service of ['dynamodb', 'sqs', 'sns', 's3', 'ssm', 'lambda', 'logs', 'ebs']) {
      const doc: Doc = {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'], Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `${service}.${region}.amazonaws.com` } } },
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'], Resource: '*' },
        ],
      };
      model.keys.set(awsManagedKeyArn(region, account, `alias/aws/${service}`), doc);
    }
  }
}

/** What the mapping needs from the accounts after the flows: aliases, role paths, key tags, grants, stacks, image keys. */
async function buildWorld(motoUrl: string, accounts: string[], region: string, model: PolicyModel, requests: RecordedRequest[], knownImageKeys: Map<string, string>): Promise<MappingWorld & GrantIndex> {
  const aliases = new Map<string, Awaited<ReturnType<typeof kmsAliases>>>();
  const paths = new Map<string, string>();
  const keyTags = new Map<string, Record<string, string>>();
  const grants: GrantIndex['grants'] = [];
  for (const account of accounts) {
    const m = new MotoAccount(motoUrl, account, region);
    try {
      aliases.set(account, await kmsAliases(m));
      for (const r of (await m.iam.send(new ListRolesCommand({}))).Roles ?? []) paths.set(`${account}/${r.RoleName}`, r.Path ?? '/');
      for (const k of (await m.kms.send(new ListKeysCommand({}))).Keys ?? []) {
        const tags = (await m.kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId }))).Tags ?? [];
        keyTags.set(`${account}/${k.KeyId}`, Object.fromEntries(tags.map((t) => [t.TagKey!, t.TagValue!])));
        for (const g of (await m.kms.send(new ListGrantsCommand({ KeyId: k.KeyId }))).Grants ?? []) {
          grants.push({ keyArn: k.KeyArn!, grantee: g.GranteePrincipal!, operations: g.Operations ?? [] });
        }
      }
    } finally {
      m.destroy();
    }
  }
  const stacks = new Map<string, string>();
  const imageKeys = new Map<string, string>(knownImageKeys);
  for (const r of requests) {
    const op = String(r.params.Action ?? '');
    if (op === 'CreateStack') {
      const id = /<StackId>([^<]+)<\/StackId>/.exec(r.response)?.[1];
      if (id) stacks.set(`${r.principal.account}/${r.params.StackName}`, id);
    }
    if ((op === 'CopyImage' || op === 'ImportImage') && r.params.KmsKeyId) {
      const image = /<imageId>([^<]+)<\/imageId>/i.exec(r.response)?.[1];
      if (image) imageKeys.set(image, String(r.params.KmsKeyId));
    }
  }
  return {
    grants,
    keyIdOfAlias: (a, _r, alias) => aliases.get(a)?.byAlias.get(alias),
    aliasesOfKey: (a, _r, id) => aliases.get(a)?.byKey.get(id) ?? [],
    bucketKey: (b) => model.bucketKeys.get(b),
    imageKey: (image) => imageKeys.get(image),
    stackId: (a, _r, name) => stacks.get(`${a}/${name}`),
    topicKey: (t) => model.topics.get(t)?.kmsKeyArn,
    serviceLinkedRoleName: (service) => ({ 'autoscaling.amazonaws.com': 'AWSServiceRoleForAutoScaling' })[service] ?? `AWSServiceRoleFor${service}`,
    rolePath: (a, name) => paths.get(`${a}/${name}`) ?? '/',
    kmsKeyTags: (a, _r, id) => keyTags.get(`${a}/${id}`) ?? {},
  };
}

/**
 * Calls AWS services make with the estate's roles or on its resources, which no code of the estate
 * sends: each service assuming its role (trust with aws:SourceAccount / aws:SourceArn), VM Import
 * working as the vmimport role after ImportImage (reading the image through S3, encrypting the
 * snapshots with the target key), each workflow job assuming its role through GitHub's OIDC
 * provider (the subjects of the trust contract), and EventBridge writing to the dead-letter queue.
 */
export function serviceCalls(c: FactoryConfig, model: PolicyModel, requests: RecordedRequest[]): Authorization[] {
  const staging = c.accounts.staging;
  const region = c.region;
  const names = estateNames(c);
  const out: Authorization[] = [];
  const service = (arn: string): Principal => ({ arn, account: staging, kind: 'service' });
  const roleArnOf = (name: string) => `arn:aws:iam::${staging}:role/${name}`;
  const assume = (svc: string, role: string, extra: Record<string, string>) =>
    out.push({ principal: service(svc), action: 'sts:AssumeRole', resource: roleArnOf(role), resourceAccount: staging, context: { 'aws:SourceAccount': staging, ...extra }, source: `${svc} assumes ${role}` });
  const a = names.automation;
  for (const r of names.automationRoles()) {
    const machine = [a.reEncryption, a.amiSwap].find((m) => r.name === m.slice(0, 64));
    const startOf = [a.reEncryption, a.amiSwap].find((m) => r.name === `${m}-start`.slice(0, 64));
    if (r.service === 'states.amazonaws.com' && machine) assume(r.service, r.name, { 'aws:SourceArn': `arn:aws:states:${region}:${staging}:stateMachine:${machine}` });
    else if (r.service === 'events.amazonaws.com' && startOf) assume(r.service, r.name, { 'aws:SourceArn': `arn:aws:events:${region}:${staging}:rule/${startOf.slice(0, 64)}` });
    else assume(r.service, r.name, {});
  }
  assume('vpc-flow-logs.amazonaws.com', names.flowLogRole, { 'aws:SourceArn': `arn:aws:ec2:${region}:${staging}:vpc-flow-log/fl-0123456789abcdef0` });
  const logs = (groupName: string) => `arn:aws:logs:${region}:${staging}:log-group:${groupName}`;
  const asRole = (name: string): Principal => ({ arn: roleArnOf(name), account: staging, kind: 'role' });
  const call = (principal: Principal, action: string, resource: string, source: string, extra: Record<string, string | string[]> = {}) =>
    out.push({ principal, action, resource, resourceAccount: resource.split(':')[4] || staging, context: { ...principalContext(principal, region), ...extra }, source });
  // VPC Flow Logs delivers with its role; Lambda writes each function's logs with the function's role.
  for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) call(asRole(names.flowLogRole), action, `${logs(names.flowLogGroup)}:log-stream:eni-0123456789abcdef0-all`, 'VPC Flow Logs delivery');
  call(asRole(names.flowLogRole), 'logs:DescribeLogGroups', '*', 'VPC Flow Logs delivery');
  call(asRole(names.flowLogRole), 'logs:DescribeLogStreams', `${logs(names.flowLogGroup)}:*`, 'VPC Flow Logs delivery');
  for (const r of names.automationRoles().filter((x) => x.service === 'lambda.amazonaws.com')) {
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) call(asRole(r.name), action, `${logs(`/aws/lambda/${r.name}`)}:log-stream:2026/01/01/[$LATEST]0123456789abcdef`, 'Lambda writes the function\'s logs');
  }
  // Step Functions sets up and keeps the log delivery of a state machine with logging with its execution role.
  for (const r of names.automationRoles().filter((x) => x.service === 'states.amazonaws.com')) {
    for (const action of ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups']) {
      call(asRole(r.name), action, '*', 'Step Functions log delivery');
    }
  }
  // EventBridge dead-letters undeliverable events of the pipelines' rules into the queue.
  const queue = `arn:aws:sqs:${region}:${staging}:${a.deadLetters}`;
  if (model.queues.has(queue)) {
    for (const rule of [a.reEncryption, a.amiSwap, a.stoppedRuns]) {
      out.push({ principal: service('events.amazonaws.com'), action: 'sqs:SendMessage', resource: queue, resourceAccount: staging, context: { 'aws:SourceArn': `arn:aws:events:${region}:${staging}:rule/${rule.slice(0, 64)}`, 'aws:SourceAccount': staging }, source: `dead letters of ${rule}` });
    }
  }
  // CloudWatch Logs encrypts the estate's log groups with the estate key; the dead-letter alarm publishes to the encrypted topic.
  const estateKey = [...model.keys.entries()].find(([, d]) => JSON.stringify(d).includes('CloudWatchLogsForEstateLogGroups'))?.[0];
  if (estateKey) {
    const groups = [c.bootstrap.logGroupName, ...names.automationRoles().filter((x) => x.service === 'lambda.amazonaws.com').map((x) => `/aws/lambda/${x.name}`)];
    for (const g of groups) {
      for (const action of ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']) {
        out.push({ principal: service(`logs.${region}.amazonaws.com`), action, resource: estateKey, resourceAccount: staging, context: { 'kms:EncryptionContext:aws:logs:arn': logs(g) }, source: `CloudWatch Logs for ${g}` });
      }
    }
    if (model.queues.has(queue)) {
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
        out.push({ principal: service('cloudwatch.amazonaws.com'), action, resource: estateKey, resourceAccount: staging, context: { 'aws:SourceAccount': staging, 'aws:SourceArn': `arn:aws:cloudwatch:${region}:${staging}:alarm:${a.deadLetters}` }, source: 'dead-letter alarm to the encrypted topic' });
      }
    }
  }
  // Launches under the target accounts' EBS keys: MGN (its service-linked role, whose AWS managed policy
  // lets it use keys through EC2), each target account's Auto Scaling role (named by the key policy)
  // and the staging account's Auto Scaling role (its grant) for the swapped images.
  const ebsKeys = [...model.keys.entries()].filter(([, d]) => JSON.stringify(d).includes('UseThroughEc2AndMgn'));
  for (const [key] of ebsKeys) {
    const owner = key.split(':')[4];
    const mgnRole: Principal = { arn: `arn:aws:iam::${staging}:role/aws-service-role/mgn.amazonaws.com/AWSServiceRoleForApplicationMigrationService`, account: staging, kind: 'service' };
    const standIn = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
    for (const action of ['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey']) {
      out.push({
        principal: mgnRole,
        action,
        resource: key,
        resourceAccount: owner,
        context: { ...principalContext(mgnRole, region), 'kms:ViaService': `ec2.${region}.amazonaws.com`, 'kms:CallerAccount': staging, 'kms:GrantIsForAWSResource': 'true' },
        source: 'MGN launches the estate\'s servers',
        identityStandIn: standIn,
      });
    }
    const asg = (account: string): Principal => ({ arn: `arn:aws:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`, account, kind: 'service' });
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:CreateGrant']) {
      out.push({ principal: asg(owner), action, resource: key, resourceAccount: owner, context: { ...principalContext(asg(owner), region), 'kms:ViaService': `ec2.${region}.amazonaws.com`, 'kms:CallerAccount': owner, 'kms:GrantIsForAWSResource': 'true' }, source: 'Auto Scaling of the key\'s account launches' });
      if (c.automation.amiSwap.enabled && owner !== staging) {
        out.push({ principal: asg(staging), action, resource: key, resourceAccount: owner, context: { ...principalContext(asg(staging), region), 'kms:ViaService': `ec2.${region}.amazonaws.com`, 'kms:CallerAccount': staging, 'kms:GrantIsForAWSResource': 'true' }, source: 'Auto Scaling of the staging account launches the swapped images' });
      }
    }
  }
  // From inside the staging network, through its endpoints: the replication servers (MGN's role, an
  // AWS managed policy: stood in) report to MGN and fetch their software from MGN's buckets; the source
  // servers' agents (over the private link) do the same with the agent role.
  const managedStandIn = (action: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
  const mgnServiceRole = (name: string): Principal => ({ arn: `arn:aws:iam::${staging}:role/service-role/${name}`, account: staging, kind: 'role' });
  const inside = (principal: Principal, action: string, resource: string, endpoint: string, resourceAccount: string, source: string) =>
    out.push({ principal, action, resource, resourceAccount, context: principalContext(principal, region), source, identityStandIn: managedStandIn(action), throughEndpoint: endpoint });
  if (model.endpoints.size) {
    const server = mgnServiceRole('AWSApplicationMigrationReplicationServerRole');
    const agent = mgnServiceRole('AWSApplicationMigrationAgentRole');
    inside(server, 'mgn:SendClientMetricsForMgn', '*', 'mgn', staging, 'replication server reports to MGN');
    inside(server, 'mgn:GetChannelCommandsForMgn', '*', 'mgn', staging, 'replication server reads its commands');
    inside(server, 's3:GetObject', `arn:aws:s3:::aws-mgn-internal-${region}/replicator/latest`, 's3', AWS_SERVICE_ACCOUNT, 'replication server fetches its software');
    inside(agent, 'mgn:SendAgentMetricsForMgn', '*', 'mgn', staging, 'agent reports to MGN');
    inside(agent, 's3:GetObject', `arn:aws:s3:::aws-application-migration-service-${region}/latest/linux/aws-replication-installer-init`, 's3', AWS_SERVICE_ACCOUNT, 'agent fetches its installer');
  }
  // GitHub's jobs: each role from each subject the contract gives it.
  if (c.github) {
    const provider = `arn:aws:iam::${staging}:oidc-provider/${GITHUB_OIDC_HOST}`;
    const subjects = workflowSubjects(c.github);
    for (const [kind, subs] of Object.entries(subjects)) {
      for (const sub of subs) {
        out.push({
          principal: { arn: provider, account: staging, kind: 'service' },
          action: 'sts:AssumeRoleWithWebIdentity',
          resource: roleArn(c, kind as 'plan'),
          resourceAccount: staging,
          context: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com', [`${GITHUB_OIDC_HOST}:sub`]: sub },
          source: `job with sub ${sub}`,
        });
      }
    }
  }
  // VM Import: after each ImportImage, the service reads the image and registers the encrypted AMI as the vmimport role.
  const imports = requests.filter((r) => r.params.Action === 'ImportImage');
  if (imports.length) {
    assume('vmie.amazonaws.com', VMIMPORT_ROLE_NAME, { 'sts:ExternalId': 'vmimport' });
    const vmimport: Principal = { arn: roleArnOf(VMIMPORT_ROLE_NAME), account: staging, kind: 'role' };
    const ctx = principalContext(vmimport, region);
    for (const r of imports) {
      const bucket = String(r.params['DiskContainer.1.UserBucket.S3Bucket']);
      const object = String(r.params['DiskContainer.1.UserBucket.S3Key']);
      const bucketKey = model.bucketKeys.get(bucket);
      const src = `VM Import for ${object}`;
      out.push(
        { principal: vmimport, action: 's3:GetBucketLocation', resource: `arn:aws:s3:::${bucket}`, resourceAccount: staging, context: ctx, source: src },
        { principal: vmimport, action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}`, resourceAccount: staging, context: ctx, source: src },
        { principal: vmimport, action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${object}`, resourceAccount: staging, context: ctx, source: src },
      );
      if (bucketKey) {
        out.push({ principal: vmimport, action: 'kms:Decrypt', resource: bucketKey, resourceAccount: bucketKey.split(':')[4], context: { ...ctx, 'kms:ViaService': `s3.${region}.amazonaws.com`, 'kms:CallerAccount': staging, 'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::${bucket}` }, source: src, derived: 'S3 decrypts the image as the reader' });
      }
      for (const action of ['ec2:RegisterImage', 'ec2:CopySnapshot', 'ec2:ModifySnapshotAttribute', 'ec2:DescribeImages', 'ec2:DescribeSnapshots']) {
        const resource = action === 'ec2:RegisterImage' ? `arn:aws:ec2:${region}::image/*` : action.includes('Snapshot') && !action.startsWith('ec2:Describe') ? `arn:aws:ec2:${region}::snapshot/*` : '*';
        out.push({ principal: vmimport, action, resource, resourceAccount: staging, context: ctx, source: src });
      }
      const keyId = String(r.params.KmsKeyId ?? '');
      const keyArn = keyId.includes(':key/') ? keyId : [...model.keys.keys()].find((k) => k.split(':')[4] === keyId.split(':')[4] && !k.includes('aws-managed'));
      if (keyArn) {
        // The operations of AWS's documented role policy (GenerateDataKey*, ReEncrypt*): which of them the service calls is not documented.
        for (const action of ['kms:CreateGrant', 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey']) {
          out.push({ principal: vmimport, action, resource: keyArn, resourceAccount: keyArn.split(':')[4], context: { ...ctx, 'kms:CallerAccount': staging }, source: src, derived: 'VM Import encrypts the snapshots as the vmimport role' });
        }
      }
    }
  }
  return out;
}

/** Every action a role's Allow statements grant, wildcards expanded with the Service Authorization Reference. */
export async function grantedActions(model: PolicyModel, roleArnValue: string): Promise<Map<string, string[]>> {
  const role = model.roles.get(roleArnValue);
  if (!role) throw new Error(`no role ${roleArnValue}`);
  const out = new Map<string, string[]>();
  const docs = [...role.inline.map((p) => ({ name: p.name, doc: p.doc })), ...role.managed.map((p) => ({ name: p.arn, doc: p.doc }))];
  for (const { name, doc } of docs) {
    for (const st of doc.Statement) {
      if (st.Effect !== 'Allow') continue;
      if (st.NotAction) throw new Error(`${roleArnValue} ${name}: an Allow with NotAction grants everything else`);
      const patterns = [st.Action as string | string[]].flat();
      const actions = await expandIamActions(patterns, { expandAsterisk: true, invalidActionBehavior: 'Error' as never });
      for (const action of actions as string[]) out.set(action.toLowerCase(), [...(out.get(action.toLowerCase()) ?? []), `${name}:${String(st.Sid ?? '')}`]);
    }
  }
  return out;
}
