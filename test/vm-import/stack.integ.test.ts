import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { App } from 'cdktf';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VmImportStack } from '../../src/infra/stacks/vm-import-stack';
import { importBucketName } from '../../src/config/vm-import-names';
import { motoClientConfig, MotoServer, startMoto } from '../support/moto';
import { exampleConfig } from '../support/synth';
import { init, planJson, prepareStack, replan, terraform } from '../support/terraform';

type Tf = { resource: Record<string, Record<string, any>>; data?: Record<string, Record<string, any>>; output?: Record<string, unknown> };

/** Synthesizes only the vm-import stack (the estate's other stacks are not needed here). */
function synthVmImport(keyArn?: string): { dir: string; tf: Tf } {
  const outdir = mkdtempSync(join(tmpdir(), 'rehost-vmimport-synth-'));
  const app = new App({ outdir });
  const config = exampleConfig('factory.yaml');
  new VmImportStack(app, { config, ebsKeys: keyArn ? { prod: { keyArn, aliasName: 'alias/rehost-factory/acme-dc1/prod', accountId: '222222222222' } } : undefined });
  app.synth();
  const dir = join(outdir, 'stacks', 'vm-import');
  return { dir, tf: JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as Tf };
}

const only = (tf: Tf, type: string) => Object.values(tf.resource[type] ?? {});

describe('vm-import stack: import bucket and vmimport role', () => {
  let moto: MotoServer;
  let keyArn: string;
  let synth: { dir: string; tf: Tf };
  const config = exampleConfig('factory.yaml');

  beforeAll(async () => {
    moto = await startMoto({ accountId: config.accounts.staging });
    const kms = new KMSClient(motoClientConfig(moto.url));
    keyArn = (await kms.send(new CreateKeyCommand({ Description: 'prod EBS key' }))).KeyMetadata!.Arn!;
    kms.destroy();
    synth = synthVmImport(keyArn);
  });
  afterAll(async () => moto?.stop());

  it('synthesizes a private, SSE-KMS, TLS-only, versioned bucket with both lifecycle rules, and a vmimport role with the external-id condition', () => {
    const { tf } = synth;
    expect(only(tf, 'aws_s3_bucket')).toEqual([expect.objectContaining({ bucket: importBucketName(config), force_destroy: false })]);
    expect(only(tf, 'aws_s3_bucket_public_access_block')[0]).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(only(tf, 'aws_s3_bucket_ownership_controls')[0].rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    expect(only(tf, 'aws_s3_bucket_server_side_encryption_configuration')[0].rule).toEqual([
      { apply_server_side_encryption_by_default: { kms_master_key_id: keyArn, sse_algorithm: 'aws:kms' }, bucket_key_enabled: true },
    ]);
    expect(only(tf, 'aws_s3_bucket_versioning')[0].versioning_configuration).toEqual({ status: 'Enabled' });
    const rules = only(tf, 'aws_s3_bucket_lifecycle_configuration')[0].rule;
    expect(rules).toEqual([
      expect.objectContaining({ id: 'abort-incomplete-uploads', status: 'Enabled', abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }),
      expect.objectContaining({ id: 'expire-images', filter: [{ prefix: 'images/' }], expiration: [{ days: 30 }], noncurrent_version_expiration: [{ noncurrent_days: 1 }] }),
    ]);
    const docs = tf.data!.aws_iam_policy_document;
    const tls = Object.values(docs).find((d) => d.statement[0].sid === 'DenyInsecureTransport')!.statement[0];
    expect(tls).toMatchObject({ effect: 'Deny', actions: ['s3:*'], condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] });
    expect(tls.resources).toHaveLength(2);
    const role = only(tf, 'aws_iam_role')[0];
    expect(role.name).toBe('vmimport');
    const trust = Object.values(docs).find((d) => d.statement[0].principals?.[0]?.type === 'Service')!.statement[0];
    expect(trust).toMatchObject({
      principals: [{ type: 'Service', identifiers: ['vmie.amazonaws.com'] }],
      actions: ['sts:AssumeRole'],
      condition: [{ test: 'StringEquals', variable: 'sts:Externalid', values: ['vmimport'] }],
    });
    const kms = Object.values(docs).flatMap((d) => d.statement).find((s: any) => s.sid === 'EncryptWithTargetKey');
    expect(kms.resources).toEqual([keyArn]);
    expect(kms.actions).toEqual(expect.arrayContaining(['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']));
  });

  it('without the security stack\'s keys, looks the target key up by its alias; disabled, it creates nothing', () => {
    const { tf } = synthVmImport();
    expect(Object.values(tf.data!.aws_kms_key)).toEqual([expect.objectContaining({ key_id: 'arn:aws:kms:eu-west-1:222222222222:alias/rehost-factory/acme-dc1/prod' })]);
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'rehost-vmimport-off-')) });
    const off = new VmImportStack(app, { config: { ...config, vmImport: { ...config.vmImport, enabled: false } } });
    expect(off.bucket).toBeUndefined();
  });

  it('terraform plan, apply and an empty re-plan against moto; the deployed policies read back', async () => {
    const stack = prepareStack(synth.dir, { motoUrl: moto.url, accountId: config.accounts.staging });
    await init(stack.dir);
    // validate: test/infra/synth/examples.integ.test.ts (every stack of both examples); plan refuses an invalid configuration too.
    const plan = (await planJson(stack.dir)) as { resource_changes: Array<{ type: string; change: { actions: string[] } }> };
    const creates = plan.resource_changes.filter((r) => r.change.actions.includes('create')).map((r) => r.type).sort();
    expect(creates).toEqual([
      'aws_iam_role',
      'aws_iam_role_policy',
      'aws_iam_role_policy',
      'aws_s3_bucket',
      'aws_s3_bucket_lifecycle_configuration',
      'aws_s3_bucket_ownership_controls',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_versioning',
    ]);
    // Apply the reviewed plan itself (planJson saved it as tfplan): what was checked is what is applied.
    await terraform(stack.dir, ['apply', '-no-color', '-input=false', '-lock=false', 'tfplan']);
    const again = await replan(stack.dir);
    expect({ code: again.code, out: again.code === 0 ? '' : again.stdout }).toEqual({ code: 0, out: '' });

    const cfg = motoClientConfig(moto.url);
    const s3 = new S3Client(cfg);
    const iam = new IAMClient(cfg);
    try {
      const Bucket = importBucketName(config);
      const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy!);
      expect(policy.Statement).toEqual([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
      const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
      expect(enc.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn });
      expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
      const lc = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
      expect(lc.Rules?.find((r) => r.ID === 'abort-incomplete-uploads')?.AbortIncompleteMultipartUpload?.DaysAfterInitiation).toBe(7);
      const role = await iam.send(new GetRoleCommand({ RoleName: 'vmimport' }));
      const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!));
      expect(trust.Statement[0]).toMatchObject({ Principal: { Service: 'vmie.amazonaws.com' }, Condition: { StringEquals: { 'sts:Externalid': 'vmimport' } } });
      const read = JSON.parse(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: 'vmimport', PolicyName: 'import-bucket-read' }))).PolicyDocument!));
      expect(read.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()).sort()).toEqual(['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket']);
    } finally {
      s3.destroy();
      iam.destroy();
    }
    // The provider waits for 3 identical reads ≥ 10 s apart after putting the lifecycle rules (~55 s).
  }, 300_000);
});
