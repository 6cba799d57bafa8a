import { CreateServiceLinkedRoleCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateRouteTableCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FactoryConfig } from '../../../src/config/schema';
import { estateNames, WorkflowRoleKind } from '../../../src/infra/stacks/estate-names';
import { roleArn } from '../../../src/infra/stacks/access-stack';
import { MOTO_ACCOUNT_HEADER } from '../../support/moto';
import { synthToTemp } from '../../support/synth';
import { Principal, Recorder } from './recorder';
import { OracleStack, prepareOracleStack, tfAs } from './terraform-run';

/** Access key IDs of the principals of one estate (each signs with its own). */
export function keysOf(label: string) {
  const k = (who: string) => `AKIA${label.toUpperCase().replace(/[^A-Z0-9]/g, '')}X${who.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
  return {
    admin: k('admin'),
    setup: (account: string) => k(`setup${account.slice(-4)}`),
    role: (kind: WorkflowRoleKind) => k(kind),
  };
}

/** Registers the estate's principals with the recorder. */
export function registerPrincipals(rec: Recorder, label: string, c: FactoryConfig): void {
  const keys = keysOf(label);
  const staging = c.accounts.staging;
  rec.register(keys.admin, { arn: `arn:aws:iam::${staging}:role/Administrator`, account: staging, kind: 'admin' });
  for (const account of [staging, ...c.accounts.targets.map((t) => t.accountId)]) rec.register(keys.setup(account), { arn: `setup@${account}`, account, kind: 'setup' });
  for (const kind of ['plan', 'apply', 'cutover', 'vm-import'] as const) rec.register(keys.role(kind), { arn: roleArn(c, kind), account: staging, kind: 'role' });
}

/** SDK client options for a principal, through the recorder. */
export function clientOptions(url: string, accessKeyId: string, region: string) {
  return { endpoint: url, region, credentials: { accessKeyId, secretAccessKey: 'oracle' }, forcePathStyle: true, maxAttempts: 1 };
}

/** Adds the moto account header to every request of a client (setup calls that go straight to moto). */
export function inAccount<T extends { middlewareStack: { add: (...a: never[]) => void } }>(client: T, account: string): T {
  (client.middlewareStack.add as unknown as (mw: unknown, o: unknown) => void)(
    (next: (a: { request: { headers: Record<string, string> } }) => unknown) => (args: { request: { headers: Record<string, string> } }) => {
      args.request.headers[MOTO_ACCOUNT_HEADER] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}

/** The stacks in the order the apply workflow applies them (dependencies first), in groups that can run at once. */
export const APPLY_GROUPS = [['network', 'security'], ['mgn', 'automation', 'vm-import']] as const;

export interface TerraformRun {
  readonly outdir: string;
  readonly stacks: Record<string, OracleStack>;
  /** Outputs of the access stack. */
  readonly accessOutputs: Record<string, { value: unknown }>;
  readonly seconds: Record<string, number>;
}

/**
 * The infrastructure part of an estate's life, as the workflows run it, every call through the
 * recorder: the administrator applies the access stack (bootstrap) and creates each target
 * account's deploy and plan roles from its output; the apply role applies the other stacks in
 * dependency order (assuming the deploy roles for the target accounts' keys); the plan role plans
 * every stack with the target accounts' plan roles, as infra-plan, the re-plan of apply and drift do.
 */
export async function runTerraform(rec: Recorder, label: string, c: FactoryConfig, options: { destroy?: boolean } = {}): Promise<TerraformRun> {
  const keys = keysOf(label);
  const seconds: Record<string, number> = {};
  const time = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await f();
    } finally {
      seconds[what] = (Date.now() - t) / 1000;
    }
  };
  const { outdir } = synthToTemp(c);
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
  const names = Object.keys(manifest.stacks);
  const stacks: Record<string, OracleStack> = {};
  stacks.access = prepareOracleStack(outdir, 'access', rec.url, stacks);
  for (const group of APPLY_GROUPS) for (const s of group) if (names.includes(s)) stacks[s] = prepareOracleStack(outdir, s, rec.url, stacks);
  // Each job inits as its role (an S3 backend lists and reads the state there).
  await time('init', () => Promise.all(Object.entries(stacks).map(([name, s]) => tfAs(s, name === 'access' ? keys.admin : keys.role('apply'), ['init', '-no-color', '-input=false']))));
  // Applies lock the state (S3: a lock file next to it); plans do not (-lock=false, as the workflows plan).
  const apply = (s: string, key: string, extra: string[] = []) => tfAs(stacks[s], key, ['apply', '-no-color', '-input=false', '-auto-approve', ...extra]);
  const roleVar = (s: string, role: 'plan' | 'deploy') => (JSON.parse(readFileSync(join(stacks[s].dir, 'cdk.tf.json'), 'utf8')).variable?.target_account_role ? ['-var', `target_account_role=${role}`] : []);
  await time('bootstrap', () => apply('access', keys.admin));
  const accessOutputs = JSON.parse((await tfAs(stacks.access, keys.admin, ['output', '-json'])).stdout) as Record<string, { value: unknown }>;
  await createTargetRoles(rec, label, c, accessOutputs);
  await time('apply', async () => {
    for (const group of APPLY_GROUPS) await Promise.all(group.filter((s) => stacks[s]).map((s) => apply(s, keys.role('apply'), roleVar(s, 'deploy'))));
  });
  await time('plan', () =>
    Promise.all(Object.keys(stacks).map((s) => tfAs(stacks[s], keys.role('plan'), ['plan', '-no-color', '-input=false', '-lock=false', '-detailed-exitcode', ...roleVar(s, 'plan')], { allowFailure: true }).then((r) => {
      if (r.code === 1) throw new Error(`plan of ${s} failed:\n${r.stderr}`);
    }))),
  );
  if (options.destroy) {
    await time('destroy', async () => {
      for (const group of [...APPLY_GROUPS].reverse()) await Promise.all(group.filter((s) => stacks[s]).map((s) => tfAs(stacks[s], keys.role('apply'), ['destroy', '-no-color', '-input=false', '-auto-approve', '-lock=false', ...roleVar(s, 'deploy')])));
    });
  }
  return { outdir, stacks, accessOutputs, seconds };
}

/** The target accounts' deploy and plan roles, created there by their administrator from the access stack's output. */
async function createTargetRoles(rec: Recorder, label: string, c: FactoryConfig, outputs: Record<string, { value: unknown }>): Promise<void> {
  const roles = (outputs.target_account_roles?.value ?? {}) as Record<string, { account_id: string; deploy_role: Generated; plan_role: Generated }>;
  type Generated = { name: string; trust_policy: string; policy: string };
  for (const t of Object.values(roles)) {
    const iam = new IAMClient(clientOptions(rec.url, keysOf(label).setup(t.account_id), 'us-east-1'));
    try {
      for (const r of [t.deploy_role, t.plan_role]) {
        await iam.send(new CreateRoleCommand({ RoleName: r.name, AssumeRolePolicyDocument: r.trust_policy }));
        await iam.send(new PutRolePolicyCommand({ RoleName: r.name, PolicyName: 'rehost-factory', PolicyDocument: r.policy }));
      }
    } finally {
      iam.destroy();
    }
  }
  void c;
}

/**
 * What exists in the accounts before the estate (as AWS or the landing zone leaves it): each
 * target account's Auto Scaling service-linked role (created with its first group), the staging
 * account's too (its groups are the AMI swap's), and for an estate on an existing VPC, that VPC with
 * its subnets and route tables (the estate file is rewritten to moto's IDs).
 */
export async function prepareAccounts(rec: Recorder, label: string, c: FactoryConfig, text: string): Promise<string> {
  const keys = keysOf(label);
  for (const account of [...new Set([c.accounts.staging, ...c.accounts.targets.map((t) => t.accountId)])]) {
    const iam = new IAMClient(clientOptions(rec.url, keys.setup(account), 'us-east-1'));
    await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'autoscaling.amazonaws.com' })).catch((e: Error) => {
      if (!/exist/i.test(e.message)) throw e;
    });
    iam.destroy();
  }
  if ('s3' in c.backend) {
    // The state bucket is the administrator's (README: Prerequisites).
    const region = c.backend.s3.region ?? c.region;
    const s3 = new S3Client({ ...clientOptions(rec.url, keys.setup(c.accounts.staging), region) });
    await s3.send(new CreateBucketCommand({ Bucket: c.backend.s3.bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }) }));
    s3.destroy();
  }
  if ('existing' in c.network.vpc) {
    const ec2 = new EC2Client(clientOptions(rec.url, keys.setup(c.accounts.staging), c.region));
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: c.network.vpc.existing.cidr }))).Vpc!.VpcId!;
    text = text.replace(c.network.vpc.existing.vpcId, vpc);
    for (const [i, s] of c.network.stagingSubnets.entries()) {
      const cidr = s.cidr ?? c.network.vpc.existing.cidr.replace(/^(\d+\.\d+)\.\d+\.\d+\/\d+$/, `$1.${i + 1}.0/24`);
      const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: s.availabilityZone }))).Subnet!.SubnetId!;
      const rtb = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!.RouteTableId!;
      text = text.replace(s.subnetId!, subnet).replace(s.routeTableId!, rtb);
    }
    ec2.destroy();
  }
  void estateNames;
  return text;
}

export type { Principal };
