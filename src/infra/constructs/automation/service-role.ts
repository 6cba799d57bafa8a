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
  /**
   * The resources of the service that may use the role (aws:SourceArn), where the service sends it
   * when it assumes the role (Step Functions, EventBridge, VPC Flow Logs).
   * @default any resource of the account (aws:SourceAccount only)
   */
  readonly sourceArns?: string[];
  /** Managed policy capping the role's permissions (the estate's boundary for roles the apply role creates). @default none */
  readonly permissionsBoundary?: string;
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
      assumeRolePolicy: serviceTrustPolicy(props.service, props.accountId, props.sourceArns),
      permissionsBoundary: props.permissionsBoundary,
    });
    new IamRolePolicy(this, 'policy', { name: 'least-privilege', role: this.role.name, policy: policyDocument(props.statements) });
  }

  public get arn(): string {
    return this.role.arn;
  }
}

/** Trust of a service role: the service, for this account's resources (and only the named ones, when given). */
export function serviceTrustPolicy(service: string, accountId: string, sourceArns?: string[]): string {
  return policyDocument([
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': accountId }, ...(sourceArns?.length ? { ArnLike: { 'aws:SourceArn': sourceArns } } : {}) },
    },
  ]);
}
