import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { Construct } from 'constructs';
import { policyDocument, PolicyStatement } from './policy-document';

export interface PermissionsBoundaryProps {
  /** Name of the managed policy. */
  readonly name: string;
  /** Every action the roles it bounds may ever be granted (their identity policies decide the rest). */
  readonly actions: string[];
}

/**
 * The permissions boundary of every role the apply role creates: the union of the actions those
 * roles' own policies grant, and nothing else. A role the apply role creates (or whose policy it
 * rewrites) can never hold more than this, whatever policy it is given; the apply role itself may
 * neither change this policy nor create or change a role without it.
 */
export class PermissionsBoundary extends Construct {
  public readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, props: PermissionsBoundaryProps) {
    super(scope, id);
    this.policy = new IamPolicy(this, 'policy', {
      name: props.name,
      description: 'rehost-factory: the most any role created by the apply workflow may do',
      policy: boundaryDocument(props.actions),
    });
  }
}

/**
 * The boundary's statements. iam:PassRole, if any bounded role needs it (the AMI swap passes instance
 * roles to its temporary instances), is bounded to EC2 as the receiving service: no bounded role can
 * pass a role to Lambda, Step Functions or any service that would run it with that role's rights.
 */
export function boundaryDocument(actions: string[]): string {
  const unique = [...new Set(actions)].sort();
  const statements: PolicyStatement[] = [{ Sid: 'ServiceRoleActions', Effect: 'Allow', Action: unique.filter((a) => a !== 'iam:PassRole'), Resource: '*' }];
  if (unique.includes('iam:PassRole')) {
    statements.push({ Sid: 'PassRolesToEc2Only', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } });
  }
  return policyDocument(statements);
}

/** The actions of statements (Allow only), for a boundary built from the policies it bounds. */
export function allowedActions(statements: PolicyStatement[]): string[] {
  return [...new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action ?? []].flat()))].sort();
}
