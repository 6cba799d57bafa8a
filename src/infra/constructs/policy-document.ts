/**
 * IAM policy documents as typed objects, serialized with JSON.stringify. cdktf string tokens inside
 * (ARNs, IDs) survive serialization and become Terraform interpolations inside the JSON string, so
 * the synthesized policy stays plain JSON that policy tests can parse (Fn.jsonencode would hide it
 * in an HCL expression).
 */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | { readonly AWS?: string | string[]; readonly Service?: string | string[]; readonly Federated?: string };
  /** Action, or NotAction (the actions it does not apply to); exactly one of the two. */
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): string {
  const doc: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  return JSON.stringify(doc);
}

/** arn:aws:iam::<account>:root, the principal that stands for a whole account. */
export function accountRoot(accountId: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** A bare 12-digit account ID becomes its root ARN; an ARN stays as it is. */
export function principalArn(accountOrArn: string, partition = 'aws'): string {
  return /^\d{12}$/.test(accountOrArn) ? accountRoot(accountOrArn, partition) : accountOrArn;
}
