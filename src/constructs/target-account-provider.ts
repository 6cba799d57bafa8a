import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';

export interface TargetAccountProviderProps {
  /** Account the provider works in. */
  readonly accountId: string;
  /** Region of the estate. */
  readonly region: string;
  /** Role assumed in that account. */
  readonly roleName: string;
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
  return new AwsProvider(scope, `aws-${alias}`, {
    alias,
    region: props.region,
    allowedAccountIds: [props.accountId],
    assumeRole: [{ roleArn: `arn:${props.partition ?? 'aws'}:iam::${props.accountId}:role/${props.roleName}`, sessionName: props.sessionName ?? 'rehost-factory' }],
    defaultTags: [{ tags: props.tags }],
  });
}
