import { PolicyStatement } from '../policy-document';

/** The tag the runbook puts on the MGN waves, applications and jobs it creates. */
export const ESTATE_TAG_KEY = 'rehost-factory:estate';

/**
 * The tag key MGN puts on the launch templates it manages (one per source server). The runbook adds
 * versions only to those; AWS's own MGN policies key on the same tag.
 */
export const MGN_MANAGED_TAG = 'AWSApplicationMigrationServiceManaged';

/** An EBS key preflight describes in a target account. */
export interface DescribedKey {
  readonly accountId: string;
  /** Alias name ("alias/..."): preflight names the key by its alias ARN in that account. */
  readonly alias?: string;
  /** A configured key ARN, described as it is. */
  readonly keyArn?: string;
}

/** What the wave runbook works on, by the names the estate gives it. */
export interface CutoverScope {
  readonly accountId: string;
  readonly region: string;
  /** Value of ESTATE_TAG_KEY: the estate's name. */
  readonly estate: string;
  /**
   * MGN source servers of the estate, when every server names its sourceServerId.
   * @default every source server of the account and Region (most servers are found by host name, IP or FQDN)
   */
  readonly sourceServerIds?: string[];
  /** SSM documents preflight describes (the post-launch documents). @default none */
  readonly documentNames?: string[];
  /** Instance profiles the placements name (preflight reads each). @default none */
  readonly instanceProfiles?: string[];
  /** The target accounts' EBS keys preflight describes. @default none */
  readonly keys?: DescribedKey[];
}

/**
 * Exactly the calls of the wave runbook (src/runbook: resolve, preflight, plan sync, launch-template
 * write, StartTest/StartCutover, job and instance polling, finalize, revert, archive), scoped to the
 * estate: MGN waves and applications it tagged, the estate's source servers where they are known,
 * launch templates MGN manages, the estate's documents, instance profiles and target keys. No
 * SendCommand (MGN runs the post-launch documents itself), no Parameter Store reads, no EC2
 * start/stop/reboot, no MGN settings changes (post-launch actions, templates, launch settings).
 */
export function cutoverStatements(s: CutoverScope): PolicyStatement[] {
  const mgn = (rest: string) => `arn:aws:mgn:${s.region}:${s.accountId}:${rest}`;
  const servers = s.sourceServerIds?.length ? s.sourceServerIds.map((id) => mgn(`source-server/${id}`)) : [mgn('source-server/*')];
  const tagged = { StringEquals: { [`aws:ResourceTag/${ESTATE_TAG_KEY}`]: s.estate } };
  const out: PolicyStatement[] = [
    // List and describe calls MGN authorizes only on "*".
    { Sid: 'MgnReads', Effect: 'Allow', Action: ['mgn:DescribeSourceServers', 'mgn:DescribeJobs', 'mgn:ListWaves', 'mgn:ListApplications'], Resource: '*' },
    { Sid: 'MgnServerReads', Effect: 'Allow', Action: ['mgn:GetLaunchConfiguration', 'mgn:ListSourceServerActions'], Resource: servers },
    { Sid: 'MgnJobLogs', Effect: 'Allow', Action: 'mgn:DescribeJobLogItems', Resource: mgn('job/*') },
    // The plan sync creates the wave and its applications with the estate's tag (tag-on-create needs TagResource).
    {
      Sid: 'MgnCreatePlan',
      Effect: 'Allow',
      Action: ['mgn:CreateWave', 'mgn:CreateApplication'],
      Resource: '*',
      Condition: { StringEquals: { [`aws:RequestTag/${ESTATE_TAG_KEY}`]: s.estate } },
    },
    {
      Sid: 'MgnTagOnCreate',
      Effect: 'Allow',
      Action: 'mgn:TagResource',
      Resource: [mgn('wave/*'), mgn('application/*'), mgn('job/*')],
      Condition: { StringEquals: { 'mgn:CreateAction': ['CreateWave', 'CreateApplication', 'StartTest', 'StartCutover', 'TerminateTargetInstances'] } },
    },
    { Sid: 'MgnPlanMembership', Effect: 'Allow', Action: ['mgn:AssociateApplications', 'mgn:AssociateSourceServers'], Resource: [mgn('wave/*'), mgn('application/*')], Condition: tagged },
    // A server moves out of its previous application (whoever made it) before it joins the estate's.
    { Sid: 'MgnMoveServers', Effect: 'Allow', Action: 'mgn:DisassociateSourceServers', Resource: mgn('application/*') },
    {
      Sid: 'MgnServerLifecycle',
      Effect: 'Allow',
      Action: [
        'mgn:AssociateSourceServers', 'mgn:DisassociateSourceServers', 'mgn:StartTest', 'mgn:StartCutover', 'mgn:TerminateTargetInstances',
        'mgn:FinalizeCutover', 'mgn:ChangeServerLifeCycleState', 'mgn:MarkAsArchived',
      ],
      Resource: servers,
    },
    {
      Sid: 'Ec2Reads',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions',
        'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeInstanceTypeOfferings',
      ],
      Resource: '*',
    },
    // MGN launches from the default version of each server's launch template: the runbook adds a
    // version with the placement and makes it the default, only on templates MGN manages.
    {
      Sid: 'MgnLaunchTemplates',
      Effect: 'Allow',
      Action: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'],
      Resource: `arn:aws:ec2:${s.region}:${s.accountId}:launch-template/*`,
      Condition: { Null: { [`aws:ResourceTag/${MGN_MANAGED_TAG}`]: 'false' } },
    },
  ];
  if (s.documentNames?.length) {
    out.push({ Sid: 'PostLaunchDocuments', Effect: 'Allow', Action: 'ssm:DescribeDocument', Resource: s.documentNames.map((d) => `arn:aws:ssm:${s.region}:${s.accountId}:document/${d}`) });
  }
  if (s.instanceProfiles?.length) {
    out.push({ Sid: 'InstanceProfiles', Effect: 'Allow', Action: 'iam:GetInstanceProfile', Resource: s.instanceProfiles.map((p) => `arn:aws:iam::${s.accountId}:instance-profile/${p}`) });
  }
  out.push(...describeKeyStatements('TargetKeys', s.region, s.keys ?? []));
  return out;
}

/**
 * kms:DescribeKey on target keys named by alias (the key's ARN is unknown before the security stack
 * made it: the statement names the account's keys and requires the alias among the key's aliases,
 * kms:ResourceAliases, however the request names the key) or by key ARN.
 */
export function describeKeyStatements(sid: string, region: string, keys: DescribedKey[]): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  const byAlias = keys.filter((k) => k.alias && !k.keyArn);
  for (const account of [...new Set(byAlias.map((k) => k.accountId))]) {
    out.push({
      Sid: `${sid}ByAlias${account}`,
      Effect: 'Allow',
      Action: 'kms:DescribeKey',
      Resource: `arn:aws:kms:${region}:${account}:key/*`,
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': byAlias.filter((k) => k.accountId === account).map((k) => k.alias!) } },
    });
  }
  const byArn = keys.filter((k) => k.keyArn).map((k) => k.keyArn!);
  if (byArn.length) out.push({ Sid: `${sid}ByArn`, Effect: 'Allow', Action: 'kms:DescribeKey', Resource: byArn });
  return out;
}
