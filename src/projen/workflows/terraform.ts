import type { github } from 'projen';
import { uploadStep } from '../steps';
import { configFlag, ResolvedWorkflowOptions } from './options';

type JobStep = github.workflows.JobStep;

/** Environment of every job that runs terraform. */
export const TERRAFORM_ENV = { TF_IN_AUTOMATION: '1', TF_INPUT: '0' };

/**
 * Synthesizes the estate, then writes the stacks in dependency order (`names`) and the Region of
 * their AWS provider (`region`) as outputs of the step `stacks`.
 */
export const synthSteps = (o: ResolvedWorkflowOptions): JobStep[] => [
  { name: 'Synthesize the estate', run: `${o.cli} synth${configFlag(o)} --out ${o.outDir}` },
  { name: 'Order stacks by dependency', id: 'stacks', run: `${o.cli} outputs stacks --dir ${o.outDir} --github-output` },
];

/** The Region the plan-role and apply-role jobs assume their role in. */
export const stacksRegion = (o: ResolvedWorkflowOptions): string => o.region ?? '${{ steps.stacks.outputs.region }}';

/**
 * Sets role_var for the stack in $stack: the security stack's target-account providers assume the
 * read-only plan roles with `-var target_account_role=plan` and the deploy roles with "deploy".
 * The variable is ephemeral, so the apply of a saved plan must set it again. Only stacks that
 * declare it get it (terraform refuses -var for an undeclared variable).
 */
export const roleVar = (o: ResolvedWorkflowOptions, role: 'plan' | 'deploy'): string =>
  `  role_var=(); if jq -e '.variable.target_account_role' "${o.outDir}/stacks/$stack/cdk.tf.json" >/dev/null; then role_var=(-var "target_account_role=${role}"); fi`;

/** init + plan -out + show -json per stack into `dir`, with SHA256SUMS over all of them. */
export const planStep = (o: ResolvedWorkflowOptions, dir: string): JobStep => ({
  name: 'Plan every stack',
  env: { STACKS: '${{ steps.stacks.outputs.names }}' },
  run: [
    'set -euo pipefail',
    `mkdir -p ${dir}`,
    'for stack in $STACKS; do',
    '  echo "::group::$stack"',
    `  terraform -chdir="${o.outDir}/stacks/$stack" init -no-color`,
    roleVar(o, 'plan'),
    // -lock=false: a pull request's plan never waits for, or holds up, an apply; the plan role is
    // read-only and takes no lock (infra-apply re-plans and compares anyway).
    `  terraform -chdir="${o.outDir}/stacks/$stack" plan -no-color -lock=false -out="$PWD/${dir}/$stack.tfplan" "\${role_var[@]}"`,
    `  terraform -chdir="${o.outDir}/stacks/$stack" show -json "$PWD/${dir}/$stack.tfplan" > "${dir}/$stack.json"`,
    '  echo "::endgroup::"',
    'done',
    `(cd ${dir} && sha256sum -- *.tfplan *.json > SHA256SUMS && cat SHA256SUMS)`,
  ].join('\n'),
});

/** Fails unless every file in `dir` matches its SHA256SUMS. */
export const verifyStep = (dir: string): JobStep => ({ name: `Verify the SHA-256 of ${dir}/`, run: `cd ${dir} && sha256sum --strict -c SHA256SUMS` });

/** Uploads a plans folder. The binary plans hold sensitive values in cleartext: short retention, repository readers only. */
export const uploadPlans = (artifact: string, dir: string): JobStep =>
  uploadStep({ name: `Upload ${artifact} (binary plans, JSON, SHA256SUMS)`, artifact, path: `${dir}/`, ifNoFilesFound: 'error', retentionDays: 14 });
