import { boundedName } from './bounded-name';
import { ebsKeyAlias, importBucketName, VMIMPORT_ROLE_NAME } from './vm-import-names';
import { NamedService } from './aws-names';
import { BOOTSTRAP_DOCUMENTS } from './bootstrap-documents';
import type { FactoryConfig } from './schema';

/**
 * The names the stacks give the estate's resources. The stacks and constructs build names with
 * these functions, and `validate` checks the same names against AWS's rules (aws-names.ts): one
 * copy of every naming rule. Free of the provider bindings, so validation does not load them.
 */

/** The staging network's names: VPC and subnet Name tags, security groups, Resolver endpoint. */
export function stagingNetworkNames(estate: string) {
  return {
    vpc: `${estate}-mgn-staging`,
    subnet: (subnet: string) => `${estate}-${subnet}`,
    securityGroupPrefix: `${estate}-mgn-staging`,
    resolverEndpoint: `${estate}-mgn-staging-inbound`,
  };
}

/** The three staging security groups, from their common prefix. */
export function stagingSecurityGroupNames(prefix: string) {
  return { endpoints: `${prefix}-endpoints`, replication: `${prefix}-replication`, resolver: `${prefix}-resolver-inbound` };
}

/**
 * The start of the deployed bootstrap SSM documents' names: `runbook.ssmDocumentPrefix`, else
 * `<estate>-`. The stack names the documents with it and the runbook looks them up with it.
 */
export function bootstrapDocumentPrefix(c: Pick<FactoryConfig, 'name' | 'runbook'>): string {
  return c.runbook.ssmDocumentPrefix ?? `${c.name}-`;
}

/** A deployed bootstrap SSM document: `<prefix><document>` (the prefix carries its separator). */
export function bootstrapDocumentName(prefix: string, document: string): string {
  return `${prefix}${document}`;
}

/** The Parameter Store value a post-launch action's parameter is read from (MGN passes only these). */
export function postLaunchParameterName(estate: string, document: string, parameter: string): string {
  return `/rehost-factory/${estate}/post-launch/${document}/${parameter}`;
}

/** The CloudFormation stack that holds the MGN templates. */
export function mgnTemplatesStackName(estate: string): string {
  return `${estate}-mgn-templates`;
}

/** The prefix of the workflow roles: `<roleNamePrefix>-<estate>`. */
export function workflowRoleNamePrefix(roleNamePrefix: string, estate: string): string {
  return `${roleNamePrefix}-${estate}`;
}

/** A workflow role (and its inline policy): `<prefix>-plan|apply|cutover|vm-import`. */
export function workflowRoleName(prefix: string, role: string): string {
  return `${prefix}-${role}`;
}

/** The staging-account key of the estate's log groups, topic and import bucket. */
export function estateKeyAlias(estate: string): string {
  return `alias/rehost-factory/${estate}/estate`;
}

/** The key of the bootstrap secrets (the AD join password). */
export function bootstrapSecretsKeyAlias(estate: string): string {
  return `alias/rehost-factory/${estate}/bootstrap-secrets`;
}

/** The staging VPC's flow logs: log group and delivery role. */
export function flowLogNames(estate: string) {
  return { logGroup: `/rehost-factory/${estate}/vpc-flow-logs`, role: boundedName(estate, 'vpc-flow-logs', 64) };
}

/** The managed policy every role the apply role creates carries as its permissions boundary. */
export function boundaryPolicyName(workflowRolePrefix: string): string {
  return `${workflowRolePrefix}-boundary`;
}

/** The automation stack's names; long estate names are cut with a hash (boundedName). */
export function automationNames(estate: string) {
  return {
    topic: boundedName(estate, 'automation', 256),
    claimsTable: boundedName(estate, 'automation-claims', 255),
    deadLetters: boundedName(estate, 'automation-dead-letters', 80),
    reEncryption: boundedName(estate, 'ami-re-encryption', 58),
    amiSwap: boundedName(estate, 'ami-swap', 58),
    stoppedRuns: boundedName(estate, 'automation-stopped-runs', 64),
    functions: {
      resolveSourceImage: boundedName(estate, 'resolve-source-image', 64),
      resolveBackupTarget: boundedName(estate, 'resolve-backup-target', 64),
      applyRetention: boundedName(estate, 'apply-retention', 64),
      recoverStoppedRun: boundedName(estate, 'recover-stopped-run', 64),
    },
  };
}

/** A pipeline function's log group and role. */
export function pipelineFunctionNames(functionName: string) {
  return { function: functionName, logGroup: `/aws/lambda/${functionName}`, role: functionName };
}

/** A pipeline state machine's log group, role, EventBridge rule and the rule's role. */
export function stateMachineNames(name: string) {
  return { stateMachine: name, logGroup: `/aws/vendedlogs/states/${name}`, role: name.slice(0, 64), rule: name.slice(0, 64), startRole: `${name}-start`.slice(0, 64) };
}

/** The EventBridge rule of the stopped-run recovery. */
export function stoppedRunRuleName(name: string): string {
  return name.slice(0, 64);
}

/** A name the stacks derive from the estate, and the field a user changes to fix it. */
export interface DerivedName {
  readonly service: NamedService;
  readonly name: string;
  /** What the resource is, e.g. "the VM Import bucket". */
  readonly what: string;
  /** The field the name comes from (where a problem is reported). */
  readonly field: PropertyKey[];
  /** How to fix a name AWS refuses. */
  readonly fix: string;
}

/** Every name the stacks would create for this estate (resources that are switched off have none). */
export function derivedNames(c: FactoryConfig): DerivedName[] {
  const out: DerivedName[] = [];
  const fromName = (service: NamedService, name: string, what: string) => out.push({ service, name, what, field: ['name'], fix: 'shorten or rename the estate (name)' });
  // network
  const net = stagingNetworkNames(c.name);
  fromName('resolver-endpoint', net.resolverEndpoint, 'the staging Resolver inbound endpoint');
  for (const sg of Object.values(stagingSecurityGroupNames(net.securityGroupPrefix))) fromName('security-group', sg, 'a staging security group');
  // security: EBS keys, bootstrap documents and their log group, workflow roles
  c.accounts.targets.forEach((t, i) => {
    if (t.kms.existingKeyArn) return;
    const alias = ebsKeyAlias(c, t);
    if (t.kms.alias) out.push({ service: 'kms-alias', name: alias, what: `the EBS key of "${t.name}"`, field: ['accounts', 'targets', i, 'kms', 'alias'], fix: 'change kms.alias' });
    else fromName('kms-alias', alias, `the EBS key of "${t.name}"`);
    t.kms.grants.forEach((g, j) => out.push({ service: 'kms-grant', name: g.name, what: 'a KMS grant', field: ['accounts', 'targets', i, 'kms', 'grants', j, 'name'], fix: 'rename the grant' }));
  });
  fromName('kms-alias', estateKeyAlias(c.name), 'the estate key');
  if (c.bootstrap.activeDirectory) fromName('kms-alias', bootstrapSecretsKeyAlias(c.name), 'the bootstrap secrets key');
  const flow = flowLogNames(c.name);
  fromName('log-group', flow.logGroup, 'the staging VPC flow log group');
  fromName('iam-role', flow.role, 'the flow log delivery role');
  for (const d of BOOTSTRAP_DOCUMENTS) {
    const name = bootstrapDocumentName(bootstrapDocumentPrefix(c), d);
    if (c.runbook.ssmDocumentPrefix === undefined) fromName('ssm-document', name, `the bootstrap document ${d}`);
    else out.push({ service: 'ssm-document', name, what: `the bootstrap document ${d}`, field: ['runbook', 'ssmDocumentPrefix'], fix: 'change runbook.ssmDocumentPrefix' });
  }
  out.push({ service: 'log-group', name: c.bootstrap.logGroupName, what: 'the bootstrap log group', field: ['bootstrap', 'logGroupName'], fix: 'change bootstrap.logGroupName' });
  if (c.github) {
    const prefix = workflowRoleNamePrefix(c.github.roleNamePrefix, c.name);
    for (const role of ['vm-import', 'cutover', 'apply', 'plan']) { // longest first: the one a problem names
      const name = workflowRoleName(prefix, role);
      const field = ['github', 'roleNamePrefix'];
      const fix = 'shorten github.roleNamePrefix or the estate name';
      out.push({ service: 'iam-role', name, what: 'a workflow role', field, fix }, { service: 'iam-policy', name, what: 'a workflow role policy', field, fix });
    }
    out.push({ service: 'iam-policy', name: boundaryPolicyName(prefix), what: 'the permissions boundary', field: ['github', 'roleNamePrefix'], fix: 'shorten github.roleNamePrefix or the estate name' });
  }
  // mgn
  fromName('cloudformation-stack', mgnTemplatesStackName(c.name), 'the MGN templates stack');
  c.bootstrap.postLaunch.forEach((p, i) => {
    for (const param of Object.keys(p.parameters)) {
      out.push({ service: 'ssm-parameter', name: postLaunchParameterName(c.name, p.document, param), what: `the post-launch parameter ${param}`, field: ['bootstrap', 'postLaunch', i, 'parameters', param], fix: 'shorten the estate name' });
    }
  });
  // automation
  const a = c.automation;
  if (a.amiReEncryption.enabled || a.amiSwap.enabled) {
    const n = automationNames(c.name);
    fromName('sns-topic', n.topic, 'the automation topic');
    fromName('dynamodb-table', n.claimsTable, 'the automation claims table');
    fromName('sqs-queue', n.deadLetters, 'the dead-letter queue');
    fromName('cloudwatch-alarm', n.deadLetters, 'the dead-letter alarm');
    fromName('eventbridge-rule', stoppedRunRuleName(n.stoppedRuns), 'the stopped-run rule');
    const fns = [n.functions.recoverStoppedRun];
    const machines: string[] = [];
    if (a.amiReEncryption.enabled) {
      fns.push(n.functions.resolveSourceImage);
      machines.push(n.reEncryption);
    }
    if (a.amiSwap.enabled) {
      fns.push(n.functions.resolveBackupTarget, n.functions.applyRetention);
      machines.push(n.amiSwap);
    }
    for (const f of fns) {
      const x = pipelineFunctionNames(f);
      fromName('lambda-function', x.function, 'a pipeline function');
      fromName('log-group', x.logGroup, 'a pipeline function log group');
      fromName('iam-role', x.role, 'a pipeline function role');
    }
    for (const m of machines) {
      const x = stateMachineNames(m);
      fromName('state-machine', x.stateMachine, 'a pipeline state machine');
      fromName('log-group', x.logGroup, 'a state machine log group');
      fromName('iam-role', x.role, 'a state machine role');
      fromName('eventbridge-rule', x.rule, 'a pipeline rule');
      fromName('iam-role', x.startRole, 'a pipeline rule role');
    }
  }
  // vm-import
  if (c.vmImport.enabled) {
    const bucket = importBucketName(c);
    if (c.vmImport.bucket.name) out.push({ service: 's3-bucket', name: bucket, what: 'the VM Import bucket', field: ['vmImport', 'bucket', 'name'], fix: 'change vmImport.bucket.name' });
    else out.push({ service: 's3-bucket', name: bucket, what: 'the VM Import bucket', field: ['name'], fix: 'shorten the estate name, or name the bucket in vmImport.bucket.name' });
    out.push({ service: 'iam-role', name: VMIMPORT_ROLE_NAME, what: 'the vmimport role', field: ['vmImport', 'enabled'], fix: '' });
  }
  return out;
}
