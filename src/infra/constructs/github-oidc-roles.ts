import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { workflowRoleName } from '../../config/resource-names';
import { SESSION_SECONDS, WorkflowRole } from '../../config/workflow-roles';
import { policyDocument, PolicyStatement } from './policy-document';

export { ApplyScope, ServiceRoleRef } from './workflow-policies/apply';
export { StateBackendAccess } from './workflow-policies/plan';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export { SESSION_SECONDS, WorkflowRole } from '../../config/workflow-roles';

export interface GithubOidcRolesProps {
  /** "owner/repo" whose workflows assume the roles. */
  readonly repository: string;
  /** Protected branch whose runs (besides pull requests) may plan. */
  readonly branch: string;
  /** GitHub environment of the apply job. */
  readonly applyEnvironment: string;
  /** GitHub environment of the cutover jobs. */
  readonly cutoverEnvironment: string;
  /** GitHub environment of the vm-import job. */
  readonly vmImportEnvironment: string;
  /** Account of the roles (the staging account). */
  readonly accountId: string;
  /** Prefix of role names: <prefix>-plan|apply|cutover|vm-import. */
  readonly namePrefix: string;
  /**
   * Create the account's GitHub OIDC provider. There is one per account: set false when another
   * stack owns it.
   * @default true
   */
  readonly createProvider?: boolean;
  /** Permissions of each role (workflow-policies/*): what the code run by its jobs calls. */
  readonly statements: Record<WorkflowRole, PolicyStatement[]>;
}

/**
 * The GitHub OIDC provider and the four roles the workflows assume, each trusting exactly the jobs
 * that need it (`aud` pinned to sts.amazonaws.com, `sub` to exact subjects, no wildcard):
 * - plan: pull requests (`repo:R:pull_request`) and runs on the protected branch without an
 *   environment (`repo:R:ref:refs/heads/<branch>`: the re-plan of apply, drift);
 * - apply: only jobs in the apply environment (`repo:R:environment:<applyEnvironment>`);
 * - cutover: only jobs in the cutover environment;
 * - vm-import: only jobs in the vm-import environment.
 * A job that runs in an environment gets the environment subject whatever its branch, so the
 * environment's protection rules (reviewers, deployment branches) gate every write role.
 */
export class GithubOidcRoles extends Construct {
  public readonly providerArn: string;
  public readonly roles: Record<WorkflowRole, IamRole>;

  constructor(scope: Construct, id: string, props: GithubOidcRolesProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository)) throw new Error(`GithubOidcRoles: repository must be "owner/repo", got "${props.repository}"`);
    const plain: Array<[string, string]> = [
      ['branch', props.branch],
      ['applyEnvironment', props.applyEnvironment],
      ['cutoverEnvironment', props.cutoverEnvironment],
      ['vmImportEnvironment', props.vmImportEnvironment],
    ];
    for (const [field, v] of plain) {
      if (!v || /[*?]/.test(v)) throw new Error(`GithubOidcRoles: ${field} must be a plain name without wildcards (it pins the sub claim), got "${v}"`);
    }
    for (const n of Object.keys(SESSION_SECONDS)) {
      const roleName = workflowRoleName(props.namePrefix, n);
      if (roleName.length > 64) throw new Error(`GithubOidcRoles: role name "${roleName}" has ${roleName.length} characters; IAM allows 64: shorten github.roleNamePrefix`);
    }
    if (props.createProvider ?? true) {
      const provider = new IamOpenidConnectProvider(this, 'provider', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: ['sts.amazonaws.com'],
        // IAM no longer checks these for GitHub (it trusts its own CA list), but provider 5.x requires the list.
        thumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1', '1c58a3a8518e8759bf075b76b750d4f2df264fcd'],
      });
      this.providerArn = provider.arn;
    } else {
      this.providerArn = `arn:aws:iam::${props.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
    }
    const subjects = workflowSubjects(props);
    const descriptions: Record<WorkflowRole, string> = {
      plan: 'rehost-factory: terraform plan of pull requests, of the protected branch and drift detection (reads only)',
      apply: 'rehost-factory: terraform apply of the reviewed plan (apply environment)',
      cutover: 'rehost-factory: wave test launches, cutover, finalize, revert and archive (cutover environment)',
      'vm-import': 'rehost-factory: VM Import of disk images (vm-import environment)',
    };
    const roles = {} as Record<WorkflowRole, IamRole>;
    for (const name of Object.keys(SESSION_SECONDS) as WorkflowRole[]) {
      const r = new IamRole(this, name, {
        name: workflowRoleName(props.namePrefix, name),
        description: descriptions[name],
        maxSessionDuration: SESSION_SECONDS[name],
        assumeRolePolicy: githubTrustPolicy(this.providerArn, subjects[name]),
      });
      const chunks = policyChunks(props.statements[name]);
      if (chunks.length === 1) {
        new IamRolePolicy(this, `${name}-policy`, { role: r.name, name: workflowRoleName(props.namePrefix, name), policy: policyDocument(chunks[0]) });
      } else {
        // Over IAM's 10,240 characters of inline policy per role: managed policies of at most 6,144 each.
        chunks.forEach((statements, i) => {
          const policy = new IamPolicy(this, `${name}-policy-${i + 1}`, { name: `${props.namePrefix}-${name}-${i + 1}`, description: `rehost-factory: ${name} workflow role, part ${i + 1} of ${chunks.length}`, policy: policyDocument(statements) });
          new IamRolePolicyAttachment(this, `${name}-policy-${i + 1}-attachment`, { role: r.name, policyArn: policy.arn });
        });
      }
      roles[name] = r;
    }
    this.roles = roles;
  }

  public get plan(): IamRole {
    return this.roles.plan;
  }
  public get apply(): IamRole {
    return this.roles.apply;
  }
  public get cutover(): IamRole {
    return this.roles.cutover;
  }
  public get vmImport(): IamRole {
    return this.roles['vm-import'];
  }
}

/** IAM's size limits (characters of the JSON without whitespace): all inline policies of a role, one managed policy. */
export const INLINE_POLICY_LIMIT = 10_240;
export const MANAGED_POLICY_LIMIT = 6_144;

/** Statements in one inline policy when they fit, else in managed-policy-sized parts (in order). */
export function policyChunks(statements: PolicyStatement[]): PolicyStatement[][] {
  if (policyDocument(statements).length <= INLINE_POLICY_LIMIT) return [statements];
  const chunks: PolicyStatement[][] = [[]];
  for (const st of statements) {
    const last = chunks[chunks.length - 1];
    if (last.length && policyDocument([...last, st]).length > MANAGED_POLICY_LIMIT) chunks.push([st]);
    else last.push(st);
  }
  for (const c of chunks) if (policyDocument(c).length > MANAGED_POLICY_LIMIT) throw new Error(`a statement of ${policyDocument(c).length} characters does not fit IAM's managed policy limit of ${MANAGED_POLICY_LIMIT}`);
  return chunks;
}

/** The OIDC `sub` claims each role trusts (the trust contract of the workflows). */
export function workflowSubjects(p: Pick<GithubOidcRolesProps, 'repository' | 'branch' | 'applyEnvironment' | 'cutoverEnvironment' | 'vmImportEnvironment'>): Record<WorkflowRole, string[]> {
  const repo = `repo:${p.repository}`;
  return {
    plan: [`${repo}:pull_request`, `${repo}:ref:refs/heads/${p.branch}`],
    apply: [`${repo}:environment:${p.applyEnvironment}`],
    cutover: [`${repo}:environment:${p.cutoverEnvironment}`],
    'vm-import': [`${repo}:environment:${p.vmImportEnvironment}`],
  };
}

/** Trust of a workflow role: the account's GitHub OIDC provider, aud sts.amazonaws.com, exactly these subjects. */
export function githubTrustPolicy(providerArn: string, subjects: string[]): string {
  return policyDocument([
    {
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com', [`${GITHUB_OIDC_HOST}:sub`]: subjects } },
    },
  ]);
}
