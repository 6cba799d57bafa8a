import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { policyDocument, PolicyStatement } from '../policy-document';

export interface ServiceRoleProps {
  readonly name: string;
  /** e.g. states.amazonaws.com */
  readonly service: string;
  /** Only this account's resources may use the role (confused-deputy guard). */
  readonly accountId: string;
  readonly statements: PolicyStatement[];
  readonly description: string;
}

/** A role one AWS service assumes for this account only, with one inline least-privilege policy. */
export class ServiceRole extends Construct {
  public readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: props.name,
      description: props.description,
      assumeRolePolicy: policyDocument([
        { Effect: 'Allow', Principal: { Service: props.service }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } } },
      ]),
    });
    new IamRolePolicy(this, 'policy', { name: 'least-privilege', role: this.role.name, policy: policyDocument(props.statements) });
  }

  public get arn(): string {
    return this.role.arn;
  }
}
