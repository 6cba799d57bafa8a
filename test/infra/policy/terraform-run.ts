import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOTO_ENDPOINT_SERVICES, terraform, TfResult } from '../../support/terraform';
import { PINNED } from '../../support/tools';

/** A synthesized stack copied into a working directory that talks to the recorder. */
export interface OracleStack {
  readonly name: string;
  readonly dir: string;
}

/**
 * Copies a synthesized stack into a temp directory with an override that points every provider at the
 * recorder and signs with `accessKeyId` (the principal the run stands for). Unlike the staging tests'
 * override, allowed_account_ids stay as synthesized: the recorder routes each principal to its own
 * moto account, and an aliased provider's AssumeRole lands in the target account, so each provider
 * sees the account it is pinned to. State is local; cross-stack references read the state files of
 * the stacks applied before.
 */
export function prepareOracleStack(outdir: string, stack: string, recorderUrl: string, applied: Record<string, OracleStack>): OracleStack {
  const src = join(outdir, 'stacks', stack);
  const dir = mkdtempSync(join(tmpdir(), `rehost-oracle-${stack}-`));
  for (const f of readdirSync(src)) if (f !== '.terraform' && !f.endsWith('.tfstate')) cpSync(join(src, f), join(dir, f), { recursive: true });
  const tf = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as {
    provider?: { aws?: Array<Record<string, unknown>> };
    terraform?: { backend?: Record<string, unknown> };
    data?: { terraform_remote_state?: Record<string, unknown> };
  };
  const endpoints = Object.fromEntries(MOTO_ENDPOINT_SERVICES.map((s) => [s, recorderUrl]));
  // An S3 backend stays S3 (its calls are the workflows' too: state list, read, lock file, write), through the recorder.
  const s3Backend = tf.terraform?.backend?.s3 as Record<string, unknown> | undefined;
  const backendEndpoints = { endpoints: { s3: recorderUrl, sts: recorderUrl }, use_path_style: true, skip_region_validation: true };
  const override: Record<string, unknown> = {
    terraform: {
      required_providers: { aws: { source: 'hashicorp/aws', version: PINNED.awsProvider } },
      backend: s3Backend ? { s3: { ...s3Backend, ...backendEndpoints } } : { local: { path: join(dir, 'terraform.tfstate') } },
    },
    provider: {
      aws: (tf.provider?.aws ?? [{}]).map((p) => ({
        ...(p.alias ? { alias: p.alias } : {}),
        access_key: '${var.oracle_access_key}',
        secret_key: 'oracle',
        // Credentials are validated with sts:GetCallerIdentity as in the workflows (the account ID comes from it).
        skip_metadata_api_check: true,
        skip_region_validation: true,
        s3_use_path_style: true,
        max_retries: 1,
        endpoints: [endpoints],
      })),
    },
  };
  writeFileSync(join(dir, 'zz_oracle_override.tf.json'), JSON.stringify(override, null, 2));
  // A new variable cannot come from an override file.
  writeFileSync(join(dir, 'zz_oracle_variables.tf.json'), JSON.stringify({ variable: { oracle_access_key: { type: 'string' } } }, null, 2));
  const remote = Object.entries((tf.data?.terraform_remote_state ?? {}) as Record<string, { backend?: string; config?: Record<string, unknown> }>);
  if (remote.length) {
    const data = Object.fromEntries(
      remote.map(([name, synthesized]) => {
        const from = name.replace('cross-stack-reference-input-', '');
        const source = applied[from];
        if (!source) throw new Error(`stack ${stack} reads the state of ${from}, which was not applied first`);
        if (synthesized.backend === 's3') return [name, { backend: 's3', config: { ...synthesized.config, ...backendEndpoints } }];
        return [name, { backend: 'local', config: { path: join(source.dir, 'terraform.tfstate') } }];
      }),
    );
    writeFileSync(join(dir, 'zz_oracle_remote_state_override.tf.json'), JSON.stringify({ data: { terraform_remote_state: data } }, null, 2));
  }
  return { name: stack, dir };
}

/**
 * Runs terraform as the principal of `accessKeyId`: the providers get it through a variable, an S3
 * backend and remote state (which take no variables) from the environment.
 */
export function tfAs(stack: OracleStack, accessKeyId: string, args: string[], options: { allowFailure?: boolean } = {}): Promise<TfResult> {
  const env = { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: 'oracle', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', TF_VAR_oracle_access_key: accessKeyId };
  return terraform(stack.dir, args, { env, allowFailure: options.allowFailure, timeoutMs: 400_000 });
}
