import { App } from 'cdktf';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FactoryConfig } from '../config/schema';
import { AccessStack, targetAccountRoleSpecs } from './stacks/access-stack';
import { NetworkStack } from './stacks/network-stack';
import { AutomationStack } from './stacks/automation-stack';
import { MgnStack } from './stacks/mgn-stack';
import { SecurityStack } from './stacks/security-stack';
import { VmImportStack } from './stacks/vm-import-stack';

/** Builds the cdktf app of an estate: one stack per concern. */
export function buildApp(config: FactoryConfig, outdir: string): App {
  const app = new App({ outdir, skipValidation: false });
  new AccessStack(app, { config });
  // The network stack stays independent of the others (it is planned and applied first, alone): its
  // flow log group keeps CloudWatch Logs' own encryption.
  const network = new NetworkStack(app, { config });
  const security = new SecurityStack(app, { config });
  new MgnStack(app, { config, network, security });
  new AutomationStack(app, { config, targetKeys: security.ebsKeys, estateKeyArn: security.estateKeyArn });
  new VmImportStack(app, { config, ebsKeys: security.ebsKeys, estateKeyArn: security.estateKeyArn });
  return app;
}

export interface StackSummary {
  readonly name: string;
  readonly directory: string;
  readonly resources: Record<string, number>;
  readonly total: number;
}

/** Synthesizes the estate into `outdir` and reads back what was written. */
export function synthesizeEstate(config: FactoryConfig, outdir: string): StackSummary[] {
  const out = resolve(outdir);
  synthesizeInto(out, (dir) => buildApp(config, dir));
  writeTargetAccountRoles(config, out);
  return summarizeOutdir(out);
}

/**
 * The deploy and plan role of each target account, for its administrator to create
 * (docs/security.md, "Target accounts"): `<outdir>/target-account-roles/<target name>.json` with the
 * role names, trust policies and permission policies.
 */
export function writeTargetAccountRoles(config: FactoryConfig, outdir: string): string[] {
  const specs = targetAccountRoleSpecs(config);
  const dir = join(outdir, 'target-account-roles');
  rmSync(dir, { recursive: true, force: true });
  if (!Object.keys(specs).length) return [];
  mkdirSync(dir, { recursive: true });
  return Object.entries(specs).map(([name, spec]) => {
    const file = join(dir, `${name}.json`);
    const parsed = {
      account_id: spec.account_id,
      deploy_role: { name: spec.deploy_role.name, trust_policy: JSON.parse(spec.deploy_role.trust_policy), policy: JSON.parse(spec.deploy_role.policy) },
      plan_role: { name: spec.plan_role.name, trust_policy: JSON.parse(spec.plan_role.trust_policy), policy: JSON.parse(spec.plan_role.policy) },
    };
    writeFileSync(file, `${JSON.stringify(parsed, null, 2)}\n`);
    return file;
  });
}

/**
 * Builds and synthesizes an app in a scratch folder and copies the result into `outdir` only when
 * all of it succeeded, so a construct or validation error leaves `outdir` as it was (or absent).
 * Copied over, not swapped in: files next to the stacks (local state, .terraform) stay.
 */
export function synthesizeInto(outdir: string, build: (dir: string) => App): void {
  const scratch = mkdtempSync(join(tmpdir(), 'rehost-synth-'));
  try {
    build(scratch).synth();
    cpSync(scratch, resolve(outdir), { recursive: true });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Resource counts per stack, from the synthesized cdk.tf.json files. */
export function summarizeOutdir(outdir: string): StackSummary[] {
  const stacksDir = join(outdir, 'stacks');
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { workingDirectory: string }> };
  return Object.keys(manifest.stacks)
    .filter((name) => existsSync(join(stacksDir, name, 'cdk.tf.json')))
    .map((name) => {
      const directory = join(stacksDir, name);
      const tf = JSON.parse(readFileSync(join(directory, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, unknown>> };
      const resources: Record<string, number> = {};
      for (const [type, byName] of Object.entries(tf.resource ?? {})) resources[type] = Object.keys(byName).length;
      return { name, directory, resources, total: Object.values(resources).reduce((a, b) => a + b, 0) };
    });
}
