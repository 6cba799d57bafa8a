import { DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { GetKeyPolicyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { GetBucketEncryptionCommand, GetBucketPolicyCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { MOTO_ACCOUNT_HEADER } from '../../support/moto';

/** A policy document as IAM stores it. */
export interface Doc {
  readonly Version?: string;
  readonly Statement: Array<Record<string, unknown>>;
}

export interface RolePolicies {
  readonly arn: string;
  readonly account: string;
  readonly trust: Doc;
  readonly inline: Array<{ name: string; doc: Doc }>;
  readonly managed: Array<{ arn: string; doc: Doc }>;
  readonly boundary?: { arn: string; doc: Doc };
}

/**
 * Every policy the oracle evaluates against, as deployed (read back from moto after the stacks were
 * applied, so references are resolved exactly as Terraform resolved them): roles (trust, inline,
 * managed, boundary), key policies, bucket policies, queue, function and topic policies, and the
 * staging VPC's endpoint policies.
 */
export interface PolicyModel {
  readonly roles: Map<string, RolePolicies>;
  readonly keys: Map<string, Doc>;
  readonly buckets: Map<string, Doc | undefined>;
  readonly bucketKeys: Map<string, string>;
  readonly queues: Map<string, Doc>;
  readonly functions: Map<string, Doc>;
  readonly topics: Map<string, { policy?: Doc; kmsKeyArn?: string }>;
  readonly endpoints: Map<string, Doc>;
}

function withAccount<T extends { middlewareStack: { add: (...a: never[]) => void } }>(client: T, account: string): T {
  (client.middlewareStack.add as unknown as (mw: unknown, o: unknown) => void)(
    (next: (a: { request: { headers: Record<string, string> } }) => unknown) => (args: { request: { headers: Record<string, string> } }) => {
      args.request.headers[MOTO_ACCOUNT_HEADER] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}

const parse = (text: string | undefined): Doc => JSON.parse(decodeURIComponent(text ?? '{"Statement":[]}')) as Doc;

/** Reads the policies of the given accounts from moto. */
export async function readPolicyModel(motoUrl: string, accounts: string[], region: string, into?: PolicyModel): Promise<PolicyModel> {
  const model: PolicyModel = into ?? { roles: new Map(), keys: new Map(), buckets: new Map(), bucketKeys: new Map(), queues: new Map(), functions: new Map(), topics: new Map(), endpoints: new Map() };
  for (const account of accounts) {
    const cfg = { endpoint: motoUrl, region, credentials: { accessKeyId: 'oracle-model', secretAccessKey: 'x' }, maxAttempts: 2, forcePathStyle: true };
    const iam = withAccount(new IAMClient({ ...cfg, region: 'us-east-1' }), account);
    const kms = withAccount(new KMSClient(cfg), account);
    const s3 = withAccount(new S3Client(cfg), account);
    const sns = withAccount(new SNSClient(cfg), account);
    const ec2 = withAccount(new EC2Client(cfg), account);
    try {
      let marker: string | undefined;
      do {
        const page = await iam.send(new ListRolesCommand({ Marker: marker }));
        for (const r of page.Roles ?? []) {
          const full = (await iam.send(new GetRoleCommand({ RoleName: r.RoleName }))).Role!;
          const inlineNames = (await iam.send(new ListRolePoliciesCommand({ RoleName: r.RoleName }))).PolicyNames ?? [];
          const inline = await Promise.all(inlineNames.map(async (name) => ({ name, doc: parse((await iam.send(new GetRolePolicyCommand({ RoleName: r.RoleName, PolicyName: name }))).PolicyDocument) })));
          const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: r.RoleName }))).AttachedPolicies ?? [];
          const managed = await Promise.all(attached.map(async (a) => ({ arn: a.PolicyArn!, doc: await managedDoc(iam, a.PolicyArn!) })));
          const b = full.PermissionsBoundary?.PermissionsBoundaryArn;
          model.roles.set(full.Arn!, {
            arn: full.Arn!,
            account,
            trust: parse(full.AssumeRolePolicyDocument),
            inline,
            managed,
            ...(b ? { boundary: { arn: b, doc: await managedDoc(iam, b) } } : {}),
          });
        }
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      const keys = (await kms.send(new ListKeysCommand({}))).Keys ?? [];
      for (const k of keys) {
        const policy = (await kms.send(new GetKeyPolicyCommand({ KeyId: k.KeyId, PolicyName: 'default' }))).Policy;
        model.keys.set(k.KeyArn!, parse(policy));
      }
      for (const b of (await s3.send(new ListBucketsCommand({}))).Buckets ?? []) {
        const policy = await s3.send(new GetBucketPolicyCommand({ Bucket: b.Name })).then((r) => parse(r.Policy), () => undefined);
        model.buckets.set(b.Name!, policy);
        const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket: b.Name })).catch(() => undefined);
        const key = enc?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID;
        if (key) model.bucketKeys.set(b.Name!, key);
      }
      // SQS and Lambda without their SDK clients (not dependencies of the project): moto's JSON and REST APIs.
      const raw = motoApi(motoUrl, account, region);
      for (const url of ((await raw('sqs', 'POST', '/', { 'x-amz-target': 'AmazonSQS.ListQueues' }, {})) as { QueueUrls?: string[] }).QueueUrls ?? []) {
        const a = ((await raw('sqs', 'POST', '/', { 'x-amz-target': 'AmazonSQS.GetQueueAttributes' }, { QueueUrl: url, AttributeNames: ['Policy', 'QueueArn'] })) as { Attributes?: Record<string, string> }).Attributes ?? {};
        if (a.Policy) model.queues.set(a.QueueArn, parse(a.Policy));
      }
      for (const f of ((await raw('lambda', 'GET', '/2015-03-31/functions/', {})) as { Functions?: Array<{ FunctionName: string; FunctionArn: string }> }).Functions ?? []) {
        const p = (await raw('lambda', 'GET', `/2015-03-31/functions/${f.FunctionName}/policy`, {}).catch(() => undefined)) as { Policy?: string } | undefined;
        if (p?.Policy) model.functions.set(f.FunctionArn, parse(p.Policy));
      }
      for (const t of (await sns.send(new ListTopicsCommand({}))).Topics ?? []) {
        const a = (await sns.send(new GetTopicAttributesCommand({ TopicArn: t.TopicArn }))).Attributes ?? {};
        model.topics.set(t.TopicArn!, { policy: a.Policy ? parse(a.Policy) : undefined, kmsKeyArn: a.KmsMasterKeyId });
      }
      for (const e of (await ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints ?? []) {
        if (e.PolicyDocument) model.endpoints.set(e.ServiceName!.split('.').pop()!, parse(e.PolicyDocument));
      }
    } finally {
      for (const c of [iam, kms, s3, sns, ec2]) c.destroy();
    }
  }
  return model;
}

async function managedDoc(iam: IAMClient, arn: string): Promise<Doc> {
  const p = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
  return parse((await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: p.DefaultVersionId }))).PolicyVersion!.Document);
}

/**
 * A call to moto without an SDK client: JSON or REST, in an account. moto routes by the service in the
 * credential scope and does not check signatures.
 */
export function motoApi(url: string, account: string, region: string) {
  return async (service: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=oracle/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
        [MOTO_ACCOUNT_HEADER]: account,
        'content-type': headers['x-amz-target'] ? 'application/x-amz-json-1.0' : 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`moto ${service} ${method} ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : {};
  };
}
