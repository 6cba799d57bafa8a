import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FactoryConfig } from '../../../src/config/schema';
import { synthToTemp } from '../../support/synth';
import { OIDC_HOST } from './oidc-trust';

/** The secret each job's configure-aws-credentials step reads, and the role it names. */
export const SECRET_ROLE: Record<string, string> = {
  '${{ secrets.REHOST_PLAN_ROLE_ARN }}': 'plan',
  '${{ secrets.REHOST_APPLY_ROLE_ARN }}': 'apply',
  '${{ secrets.REHOST_CUTOVER_ROLE_ARN }}': 'cutover',
  '${{ secrets.REHOST_VMIMPORT_ROLE_ARN }}': 'vm-import',
};

export interface SynthesizedRole {
  readonly policy: { Statement: any };
  readonly maxSessionDuration: number;
}

/**
 * The workflow roles an estate synthesizes (every stack's roles that trust GitHub's OIDC
 * provider), by their name's last part, and the provider's ARN.
 */
export function synthesizedRoles(config: FactoryConfig): { roles: Record<string, SynthesizedRole>; provider: string } {
  const github = config.github!;
  const { outdir, stacks } = synthToTemp(config);
  const prefix = `${github.roleNamePrefix}-${config.name}-`;
  const provider = `arn:aws:iam::${config.accounts.staging}:oidc-provider/${OIDC_HOST}`;
  const roles: Record<string, SynthesizedRole> = {};
  let providers = 0;
  for (const { name } of stacks) {
    const stack = JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
    for (const p of Object.values<any>(stack.resource?.aws_iam_openid_connect_provider ?? {})) {
      expect([p.url, p.client_id_list]).toEqual([`https://${OIDC_HOST}`, ['sts.amazonaws.com']]);
      providers++;
    }
    for (const r of Object.values<any>(stack.resource?.aws_iam_role ?? {})) {
      if (!String(r.assume_role_policy).includes(OIDC_HOST)) continue;
      expect(String(r.name).startsWith(prefix)).toBe(true);
      // The trust policy names the provider by Terraform reference (resource or data source): the ARN it resolves to.
      const policy = String(r.assume_role_policy).replace(/\$\{(?:data\.)?aws_iam_openid_connect_provider\.[\w-]+\.arn\}/g, provider);
      roles[String(r.name).slice(prefix.length)] = { policy: JSON.parse(policy), maxSessionDuration: r.max_session_duration ?? 3600 };
    }
  }
  expect(providers).toBe(1);
  return { roles, provider };
}
