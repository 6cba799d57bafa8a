import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MOTO_CREDENTIALS } from './moto';
import { PINNED, PROVIDER_MIRROR, terraformBin } from './tools';

const run = promisify(execFile);

/** Services the test provider block points at moto. Only `events`, not also its alias `cloudwatchevents`. */
export const MOTO_ENDPOINT_SERVICES = [
  'autoscaling', 'backup', 'cloudformation', 'cloudwatch', 'dynamodb', 'ec2', 'events', 'iam', 'kms', 'lambda',
  'logs', 'route53', 'route53resolver', 's3', 'sfn', 'sns', 'sqs', 'ssm', 'sts',
] as const;

let cliConfigFile: string | undefined;

/** The plugin cache, used only when providers come from the registry (see terraformCliConfig). */
const PLUGIN_CACHE = join(tmpdir(), 'rehost-tf-plugin-cache');

/**
 * A Terraform CLI config for the tests: the local filesystem mirror of the AWS provider when this
 * machine has one (offline), else the registry with a shared plugin cache. Not both: from an
 * unpacked mirror `init` links the provider in place, while with a cache every `init` without a
 * lock file re-installs into the cache, and two at once break each other ("still not detected in
 * the plugin cache; this is a bug in Terraform").
 */
export function terraformCliConfig(): string {
  if (cliConfigFile) return cliConfigFile;
  const dir = mkdtempSync(join(tmpdir(), 'rehost-tfcli-'));
  let config: string;
  if (existsSync(PROVIDER_MIRROR)) {
    config = `provider_installation {\n  filesystem_mirror {\n    path    = "${PROVIDER_MIRROR}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`;
  } else {
    mkdirSync(PLUGIN_CACHE, { recursive: true });
    config = `plugin_cache_dir = "${PLUGIN_CACHE}"\n`;
  }
  cliConfigFile = join(dir, 'terraformrc');
  writeFileSync(cliConfigFile, config);
  return cliConfigFile;
}

/**
 * Runs `fn` holding a lock shared by every test process (mkdir is atomic), so registry downloads
 * into the plugin cache never overlap. Bounded: a holder that died is detected by its pid, and
 * waiting longer than `timeoutMs` is an error.
 */
async function withInstallLock<T>(fn: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const lock = `${PLUGIN_CACHE}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!holderAlive(lock)) { rmSync(lock, { recursive: true, force: true }); continue; }
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${lock} (another test process installing providers); remove it if no test is running`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function holderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return true; // just created, pid not written yet
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface TfResult { readonly code: number; readonly stdout: string; readonly stderr: string }

/** Runs terraform in `dir` with the test CLI config; never prompts; bounded in time. */
export async function terraform(dir: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; allowFailure?: boolean } = {}): Promise<TfResult> {
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: terraformCliConfig(),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    ...options.env,
  };
  try {
    const r = await run(terraformBin(), args, { cwd: dir, env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 256 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
    const res = { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    if (options.allowFailure) return res;
    throw new Error(`terraform ${args.join(' ')} failed in ${dir} (exit ${res.code}${err.killed ? ', timed out' : ''}):\n${res.stderr || res.stdout}`);
  }
}

export interface PreparedStack {
  /** Working copy of the stack; the synthesized cdktf.out stays untouched. */
  readonly dir: string;
  readonly name: string;
}

/**
 * Copies a synthesized stack into a temp working directory and adds a Terraform override file that
 * pins the provider to the version of the local mirror (the bindings target 6.x; tests run 5.100),
 * keeps state local, and, with `motoUrl`, points every provider configuration at moto.
 */
export function prepareStack(stackDir: string, options: { motoUrl?: string; accountId?: string } = {}): PreparedStack {
  const name = stackDir.split('/').filter(Boolean).pop()!;
  const dir = mkdtempSync(join(tmpdir(), `rehost-tf-${name}-`));
  for (const f of readdirSync(stackDir)) {
    if (f === '.terraform' || f.endsWith('.tfstate')) continue;
    cpSync(join(stackDir, f), join(dir, f), { recursive: true });
  }
  const tf = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as { provider?: Record<string, Array<Record<string, unknown>>>; terraform?: { backend?: Record<string, unknown> } };
  const override: Record<string, unknown> = {
    terraform: {
      required_providers: { aws: { source: 'hashicorp/aws', version: PINNED.awsProvider } },
      ...(tf.terraform?.backend ? { backend: { local: { path: join(dir, 'terraform.tfstate') } } } : {}),
    },
  };
  if (options.motoUrl) {
    const endpoints = Object.fromEntries(MOTO_ENDPOINT_SERVICES.map((s) => [s, options.motoUrl]));
    override.provider = {
      aws: (tf.provider?.aws ?? [{}]).map((p) => ({
        ...(p.alias ? { alias: p.alias } : {}),
        access_key: MOTO_CREDENTIALS.accessKeyId,
        secret_key: MOTO_CREDENTIALS.secretAccessKey,
        skip_credentials_validation: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        s3_use_path_style: true,
        max_retries: 1,
        ...(options.accountId ? { allowed_account_ids: [options.accountId] } : {}),
        endpoints: [endpoints],
      })),
    };
  }
  writeFileSync(join(dir, 'zz_test_override.tf.json'), JSON.stringify(override, null, 2));
  return { dir, name };
}

/** init (offline with the mirror); `backend: false` for validate-only runs. */
export async function init(dir: string, backend = true): Promise<void> {
  const args = ['init', '-no-color', '-input=false', `-backend=${backend}`];
  if (existsSync(PROVIDER_MIRROR)) await terraform(dir, args);
  else await withInstallLock(() => terraform(dir, args));
}

export interface ValidateResult { valid: boolean; error_count: number; diagnostics: Array<{ severity: string; summary: string; detail?: string }> }

export async function validate(dir: string): Promise<ValidateResult> {
  const r = await terraform(dir, ['validate', '-json', '-no-color'], { allowFailure: true });
  return JSON.parse(r.stdout) as ValidateResult;
}

/**
 * `terraform validate` of several synthesized stacks in one run: each stack becomes a module of a
 * scratch root module, so the provider's schema (about 4 s of CPU per terraform command) loads once
 * instead of once per stack. Returns each stack's error diagnostics (by the file they name);
 * "Backend configuration ignored" is the one expected warning (modules take no backend).
 */
export async function validateStacks(outdir: string, stacks: readonly string[]): Promise<Record<string, ValidateResult['diagnostics']>> {
  return validateModules(Object.fromEntries(stacks.map((stack) => [stack, join(outdir, 'stacks', stack)])));
}

/**
 * `terraform validate` of synthesized stack folders (by a name of the caller's choosing, e.g.
 * "sample-2/network"), all in one run as modules of a scratch root; errors by that name.
 */
export async function validateModules(stackDirs: Record<string, string>): Promise<Record<string, ValidateResult['diagnostics']>> {
  const stacks = Object.keys(stackDirs);
  const root = mkdtempSync(join(tmpdir(), 'rehost-tf-validate-'));
  const modules: Record<string, { source: string }> = {};
  for (const stack of stacks) {
    const { dir } = prepareStack(stackDirs[stack]);
    cpSync(dir, join(root, stack), { recursive: true });
    modules[stack.replace(/[^A-Za-z0-9_]/g, '_')] = { source: `./${stack}` };
  }
  writeFileSync(join(root, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: PINNED.awsProvider } } }, module: modules }, null, 2));
  await init(root, false);
  const result = await validate(root);
  const byStack: Record<string, ValidateResult['diagnostics']> = Object.fromEntries(stacks.map((s) => [s, []]));
  for (const d of result.diagnostics.filter((x) => x.severity === 'error')) {
    const file = (d as { range?: { filename?: string } }).range?.filename ?? '';
    const stack = stacks.find((s) => file.startsWith(`${s}/`));
    (byStack[stack ?? '(root)'] ??= []).push(d);
  }
  if (!result.valid && Object.values(byStack).every((e) => e.length === 0)) byStack['(root)'] = result.diagnostics;
  return byStack;
}

/** plan -out, then show -json of that plan. */
export async function planJson(dir: string, planFile = 'tfplan'): Promise<Record<string, unknown>> {
  await terraform(dir, ['plan', '-no-color', '-input=false', '-lock=false', `-out=${planFile}`]);
  const r = await terraform(dir, ['show', '-json', planFile]);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

export async function apply(dir: string): Promise<TfResult> {
  return terraform(dir, ['apply', '-no-color', '-input=false', '-auto-approve', '-lock=false']);
}

/** plan -detailed-exitcode: 0 = no changes, 2 = changes; returns the code and the text. */
export async function replan(dir: string): Promise<TfResult> {
  return terraform(dir, ['plan', '-no-color', '-input=false', '-lock=false', '-detailed-exitcode'], { allowFailure: true });
}
