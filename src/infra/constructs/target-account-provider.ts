import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn, Op, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';

/** The Terraform variable that switches target-account providers between their deploy and plan roles. */
export const TARGET_ACCOUNT_ROLE_VARIABLE = 'target_account_role';

/**
 * `var.target_account_role` of a stack: "deploy" (the default) or "plan", which the plan workflows
 * pass with -var. It is ephemeral: a saved plan does not keep its value, so the apply of a plan made
 * with the plan roles assumes the deploy roles (Terraform requires the variable again at apply
 * when the plan set it; the apply workflow passes "deploy").
 */
export function targetAccountRoleVariable(scope: Construct): TerraformVariable {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(TARGET_ACCOUNT_ROLE_VARIABLE);
  if (existing) return existing as TerraformVariable;
  const v = new TerraformVariable(stack, TARGET_ACCOUNT_ROLE_VARIABLE, {
    type: 'string',
    default: 'deploy',
    description: 'Role the target-account providers assume: "deploy" (apply) or "plan" (read-only, for plans)',
  });
  v.overrideLogicalId(TARGET_ACCOUNT_ROLE_VARIABLE);
  v.addOverride('ephemeral', true);
  v.addValidation({ condition: Fn.contains(['deploy', 'plan'], v.stringValue), errorMessage: 'target_account_role must be "deploy" or "plan".' });
  return v;
}

export interface TargetAccountProviderProps {
  /** Account the provider works in. */
  readonly accountId: string;
  /** Region of the estate. */
  readonly region: string;
  /** Role assumed in that account to apply. */
  readonly roleName: string;
  /**
   * Read-only role assumed instead when the stack's `var.target_account_role` is "plan".
   * @default roleName, always
   */
  readonly planRoleName?: string;
  /** Tags on every resource (default_tags). */
  readonly tags: Record<string, string>;
  /** Session name in CloudTrail of the target account. @default 'rehost-factory' */
  readonly sessionName?: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/**
 * An aliased AWS provider that assumes a role in a target account, so that resources whose material
 * must stay in that account (KMS keys) are created there by the same stack. allowed_account_ids pins
 * it to that account: a wrong role ARN fails the plan instead of creating the key elsewhere.
 */
export function targetAccountProvider(scope: Construct, alias: string, props: TargetAccountProviderProps): AwsProvider {
  if (!/^[a-z0-9-]+$/.test(alias)) throw new Error(`targetAccountProvider: alias "${alias}" must be lowercase letters, digits and hyphens`);
  const role = (name: string) => `arn:${props.partition ?? 'aws'}:iam::${props.accountId}:role/${name}`;
  const roleArn = props.planRoleName
    ? (Fn.conditional(Op.eq(targetAccountRoleVariable(scope).stringValue, 'plan'), role(props.planRoleName), role(props.roleName)) as string)
    : role(props.roleName);
  return new AwsProvider(scope, `aws-${alias}`, {
    alias,
    region: props.region,
    allowedAccountIds: [props.accountId],
    assumeRole: [{ roleArn, sessionName: props.sessionName ?? 'rehost-factory' }],
    defaultTags: [{ tags: props.tags }],
  });
}
