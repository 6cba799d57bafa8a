import { autoScalingRoleArn } from './ebs-key';
import { PolicyDocument, PolicyStatement } from './policy-document';
import { secretDenies } from './workflow-policies/plan';
import { TERRAFORM_ACTIONS } from './workflow-policies/terraform-actions';

/** What the security stack does in one target account (its EBS key) through the roles there. */
export interface TargetAccountRolesProps {
  readonly accountId: string;
  readonly region: string;
  /** The staging account's apply role (the deploy role trusts only it). */
  readonly applyRoleArn: string;
  /** The staging account's plan role (the plan role trusts only it). */
  readonly planRoleArn: string;
  /** The tag (provider default_tags) every resource of the estate carries: binds the key's management. */
  readonly tag: { readonly key: string; readonly value: string };
  /** The EBS key's alias (when the stack creates the key). */
  readonly alias?: string;
  /** The key is the account's existing one: nothing is created. @default created */
  readonly existingKeyArn?: string;
  /** The stack creates the account's AWSServiceRoleForAutoScaling. @default it only reads it */
  readonly createAutoScalingRole?: boolean;
  /** The stack creates KMS grants on the key. @default false */
  readonly grants?: boolean;
}

export interface GeneratedRole {
  readonly trust: PolicyDocument;
  readonly policy: PolicyDocument;
}

/**
 * The trust and permission policies of a target account's deploy and plan roles, generated from what
 * the security stack does there (the policy oracle records those calls): exactly the EBS key's
 * management, bound to the estate's tag, and the Auto Scaling role's lookup (or creation). The plan
 * role reads the same and denies secret reads. Output by the access stack for the account's
 * administrator to create the roles with.
 */
export function targetAccountRoles(p: TargetAccountRolesProps): { deploy: GeneratedRole; plan: GeneratedRole } {
  const key = (rest: string) => `arn:aws:kms:${p.region}:${p.accountId}:${rest}`;
  const slr = autoScalingRoleArn(p.accountId);
  const tagged = (kind: 'RequestTag' | 'ResourceTag') => ({ StringEquals: { 'aws:RequestedRegion': p.region, [`aws:${kind}/${p.tag.key}`]: p.tag.value } });
  const trust = (principal: string): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Sid: 'StagingWorkflowRole', Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }] });
  const keyReads: string[] = TERRAFORM_ACTIONS.kmsKeys.read.filter((a) => a !== 'kms:ListAliases');
  const deploy: PolicyStatement[] = [];
  const plan: PolicyStatement[] = [];
  if (p.existingKeyArn) {
    deploy.push({ Sid: 'ExistingKey', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: p.existingKeyArn });
    plan.push({ Sid: 'ExistingKey', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: p.existingKeyArn });
  } else {
    const writes: string[] = TERRAFORM_ACTIONS.kmsKeys.write.filter((a) => !['kms:CreateKey', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'].includes(a));
    const grants: string[] = p.grants ? [...TERRAFORM_ACTIONS.kmsGrants.read, ...TERRAFORM_ACTIONS.kmsGrants.write] : [];
    deploy.push(
      { Sid: 'CreateTaggedKey', Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*', Condition: tagged('RequestTag') },
      { Sid: 'ManageEstateKeys', Effect: 'Allow', Action: [...keyReads, ...writes, ...grants, 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'].sort(), Resource: key('key/*'), Condition: tagged('ResourceTag') },
      { Sid: 'Alias', Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'], Resource: key(p.alias!) },
      { Sid: 'ListAliases', Effect: 'Allow', Action: 'kms:ListAliases', Resource: '*' },
    );
    plan.push(
      { Sid: 'ReadEstateKeys', Effect: 'Allow', Action: [...keyReads, ...(p.grants ? [...TERRAFORM_ACTIONS.kmsGrants.read] : [])].sort(), Resource: key('key/*'), Condition: tagged('ResourceTag') },
      { Sid: 'ListAliases', Effect: 'Allow', Action: 'kms:ListAliases', Resource: '*' },
    );
    if (p.createAutoScalingRole) {
      deploy.push(
        { Sid: 'CreateAutoScalingRole', Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: slr, Condition: { StringEquals: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' } } },
        { Sid: 'AutoScalingRole', Effect: 'Allow', Action: [...TERRAFORM_ACTIONS.serviceLinkedRoles.write.filter((a) => a !== 'iam:CreateServiceLinkedRole'), 'iam:GetRole'], Resource: slr },
      );
    } else {
      deploy.push({ Sid: 'ReadAutoScalingRole', Effect: 'Allow', Action: 'iam:GetRole', Resource: slr });
    }
    plan.push({ Sid: 'ReadAutoScalingRole', Effect: 'Allow', Action: 'iam:GetRole', Resource: slr });
  }
  plan.push(...secretDenies({ parameterArns: [`arn:aws:ssm:${p.region}:${p.accountId}:parameter/rehost-factory/${p.tag.value}/*`] }));
  return {
    deploy: { trust: trust(p.applyRoleArn), policy: { Version: '2012-10-17', Statement: deploy } },
    plan: { trust: trust(p.planRoleArn), policy: { Version: '2012-10-17', Statement: plan } },
  };
}

