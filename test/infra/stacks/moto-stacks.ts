import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PreparedStack, prepareStack } from '../../support/terraform';

/**
 * Prepares a synthesized stack for plan/apply against moto, on top of test/support prepareStack:
 * - aliased providers (target accounts) still assume their role through moto's STS, but moto started
 *   with MOTO_ACCOUNT_ID answers every call, assumed-role ones included, as the staging account: the
 *   override of prepareStack pins every provider to that account, which is what moto reports;
 * - cross-stack references (terraform_remote_state) read the state files of the stacks applied
 *   before, from their temp working directories.
 */
export function prepareForMoto(outdir: string, stack: string, motoUrl: string, accountId: string, applied: Record<string, PreparedStack>): PreparedStack {
  const prepared = prepareStack(join(outdir, 'stacks', stack), { motoUrl, accountId });
  const tf = JSON.parse(readFileSync(join(prepared.dir, 'cdk.tf.json'), 'utf8')) as {
    data?: { terraform_remote_state?: Record<string, unknown> };
  };
  const remote = Object.keys(tf.data?.terraform_remote_state ?? {});
  if (remote.length) {
    const data = Object.fromEntries(
      remote.map((name) => {
        const from = name.replace('cross-stack-reference-input-', '');
        const source = applied[from];
        if (!source) throw new Error(`stack ${stack} reads the state of ${from}, which was not applied first`);
        return [name, { backend: 'local', config: { path: join(source.dir, 'terraform.tfstate') } }];
      }),
    );
    writeFileSync(join(prepared.dir, 'zz_test_remote_state_override.tf.json'), JSON.stringify({ data: { terraform_remote_state: data } }, null, 2));
  }
  return prepared;
}
