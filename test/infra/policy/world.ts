import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeImagesCommand, DescribeLaunchTemplatesCommand, DescribeTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { KMSClient, ListAliasesCommand, ListResourceTagsCommand } from '@aws-sdk/client-kms';
import { MOTO_ACCOUNT_HEADER } from '../../support/moto';
import { Inspector, PendingRequest } from './recorder';

type Client = { middlewareStack: { add: (...a: never[]) => void }; destroy(): void };

/** Direct clients of moto (not through the recorder) in one account: the oracle's own reads. */
export class MotoAccount {
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly kms: KMSClient;
  readonly autoscaling: AutoScalingClient;
  constructor(url: string, readonly account: string, readonly region: string) {
    const cfg = { endpoint: url, region, credentials: { accessKeyId: 'oracle-world', secretAccessKey: 'x' }, maxAttempts: 2 };
    this.ec2 = new EC2Client(cfg);
    this.iam = new IAMClient({ ...cfg, region: 'us-east-1' });
    this.kms = new KMSClient(cfg);
    this.autoscaling = new AutoScalingClient(cfg);
    for (const c of [this.ec2, this.iam, this.kms, this.autoscaling] as unknown as Client[]) {
      (c.middlewareStack.add as unknown as (mw: unknown, o: unknown) => void)(
        (next: (a: { request: { headers: Record<string, string> } }) => unknown) => (args: { request: { headers: Record<string, string> } }) => {
          args.request.headers[MOTO_ACCOUNT_HEADER] = account;
          return next(args);
        },
        { step: 'build', name: 'motoAccount' },
      );
    }
  }
  destroy(): void {
    for (const c of [this.ec2, this.iam, this.kms, this.autoscaling] as unknown as Client[]) c.destroy();
  }
}

const tagMap = (tags: Array<{ Key?: string; Value?: string; TagKey?: string; TagValue?: string }> | undefined) =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key ?? t.TagKey ?? '', t.Value ?? t.TagValue ?? '']));

const READ = /^(Describe|Get|List|Head|Lookup|Search|Validate)/;

/** Values of every parameter whose name (without a .N index) is one of `names`, from form fields or JSON. */
export function paramValues(params: Record<string, unknown>, names: string[]): string[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const out: string[] = [];
  const visit = (key: string, v: unknown) => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) return v.forEach((x) => visit(key, x));
    if (typeof v === 'object') return;
    if (wanted.has(key.toLowerCase())) out.push(String(v));
  };
  for (const [k, v] of Object.entries(params)) visit(k.replace(/(\.member)?(\.\d+)+$/, '').replace(/\.\d+$/, ''), v);
  return [...new Set(out)];
}

/**
 * The state the oracle needs of resources a request changes, read from moto before the request goes
 * on (a deregistered image's tags are gone afterwards): EC2 resource tags, Auto Scaling group tags,
 * KMS key tags, an IAM role's path, tags and permissions boundary, MGN resource tags.
 */
export function worldInspector(motoUrl: string, mgnUrl: () => string | undefined): Inspector {
  const accounts = new Map<string, MotoAccount>();
  const moto = (account: string, region: string) => {
    const k = `${account}/${region}`;
    if (!accounts.has(k)) accounts.set(k, new MotoAccount(motoUrl, account, region));
    return accounts.get(k)!;
  };
  return async (r: PendingRequest) => {
    if (r.principal.kind !== 'role' && r.principal.kind !== 'service') return {};
    const op = String(r.params.Action ?? r.headers['x-amz-target']?.split('.').pop() ?? r.path.split('/').pop() ?? '');
    if (READ.test(op) || r.method === 'GET' || r.method === 'HEAD') return {};
    const account = r.account ?? r.principal.account;
    const m = moto(account, r.region === 'us-east-1' && r.service === 'iam' ? 'us-east-1' : r.region);
    const before: Record<string, unknown> = {};
    if (r.service === 'ec2') {
      const ids = paramValues(r.params, ['InstanceId', 'ImageId', 'SnapshotId', 'LaunchTemplateId', 'ResourceId', 'VolumeId', 'SourceImageId']);
      if (ids.length) before.tags = await ec2Tags(m, ids);
      const ltName = paramValues(r.params, ['LaunchTemplateName'])[0];
      if (ltName) {
        const lt = await m.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [ltName] })).catch(() => undefined);
        const found = lt?.LaunchTemplates?.[0];
        if (found) before.launchTemplate = { id: found.LaunchTemplateId, tags: tagMap(found.Tags) };
      }
      const images = paramValues(r.params, ['ImageId', 'SourceImageId']);
      if (images.length) {
        const d = await m.ec2.send(new DescribeImagesCommand({ ImageIds: images })).catch(() => undefined);
        before.imageOwners = Object.fromEntries((d?.Images ?? []).map((i) => [i.ImageId, i.OwnerId]));
      }
    }
    if (r.service === 'ssm' && op === 'SendCommand') before.tags = await ec2Tags(m, paramValues(r.params, ['InstanceIds']));
    if (r.service === 'autoscaling') {
      const names = paramValues(r.params, ['AutoScalingGroupName']);
      if (names.length) {
        const d = await m.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }));
        before.groups = Object.fromEntries((d.AutoScalingGroups ?? []).map((g) => [g.AutoScalingGroupName, { arn: g.AutoScalingGroupARN, tags: tagMap(g.Tags) }]));
      }
    }
    if (r.service === 'kms') {
      const id = paramValues(r.params, ['KeyId', 'TargetKeyId'])[0];
      if (id && !id.includes('alias/')) {
        const t = await m.kms.send(new ListResourceTagsCommand({ KeyId: id })).catch(() => undefined);
        if (t) before.kmsTags = tagMap(t.Tags);
      }
    }
    if (r.service === 'iam') {
      const role = paramValues(r.params, ['RoleName'])[0];
      if (role) {
        const got = await m.iam.send(new GetRoleCommand({ RoleName: role })).catch(() => undefined);
        if (got?.Role) before.role = { path: got.Role.Path, boundary: got.Role.PermissionsBoundary?.PermissionsBoundaryArn, tags: tagMap(got.Role.Tags) };
      }
    }
    if (r.service === 'ec2' && op === 'RunInstances') {
      const profile = paramValues(r.params, ['IamInstanceProfile.Name'])[0] ?? String(r.params['IamInstanceProfile.Name'] ?? '');
      if (profile) {
        const p = await m.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profile })).catch(() => undefined);
        before.instanceProfileRoles = (p?.InstanceProfile?.Roles ?? []).map((x) => ({ arn: x.Arn, tags: tagMap(x.Tags) }));
      }
    }
    if (r.service === 'mgn') {
      const url = mgnUrl();
      const arns = [
        ...paramValues(r.params, ['waveID']).map((id) => `arn:aws:mgn:${r.region}:${account}:wave/${id}`),
        ...paramValues(r.params, ['applicationID', 'applicationIDs']).map((id) => `arn:aws:mgn:${r.region}:${account}:application/${id}`),
      ];
      if (url && arns.length) {
        const tags: Record<string, Record<string, string>> = {};
        for (const arn of arns) {
          const res = await fetch(`${url}/tags/${encodeURIComponent(arn)}`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=oracle-world/20260101/x/mgn/aws4_request' } });
          tags[arn] = res.ok ? ((await res.json()) as { tags: Record<string, string> }).tags : {};
        }
        before.mgnTags = tags;
      }
    }
    return before;
  };
}

async function ec2Tags(m: MotoAccount, ids: string[]): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = Object.fromEntries(ids.map((id) => [id, {}]));
  if (!ids.length) return out;
  const d = await m.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: ids }] }));
  for (const t of d.Tags ?? []) out[t.ResourceId!][t.Key!] = t.Value ?? '';
  return out;
}

/** Aliases per key ID of an account, read once after the flows (aliases outlive the calls that used them). */
export async function kmsAliases(m: MotoAccount): Promise<{ byKey: Map<string, string[]>; byAlias: Map<string, string> }> {
  const byKey = new Map<string, string[]>();
  const byAlias = new Map<string, string>();
  let marker: string | undefined;
  do {
    const r = await m.kms.send(new ListAliasesCommand({ Marker: marker }));
    for (const a of r.Aliases ?? []) {
      if (!a.TargetKeyId) continue;
      byAlias.set(a.AliasName!, a.TargetKeyId);
      byKey.set(a.TargetKeyId, [...(byKey.get(a.TargetKeyId) ?? []), a.AliasName!]);
    }
    marker = r.Truncated ? r.NextMarker : undefined;
  } while (marker);
  return { byKey, byAlias };
}
