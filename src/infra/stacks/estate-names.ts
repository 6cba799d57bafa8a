import { FactoryConfig } from '../../config/schema';
import { automationNames, bootstrapDocumentName, bootstrapDocumentPrefix, bootstrapSecretsKeyAlias, boundaryPolicyName, estateKeyAlias, flowLogNames, stateMachineNames, workflowRoleName, workflowRoleNamePrefix } from '../../config/resource-names';
import { BOOTSTRAP_DOCUMENTS } from '../../config/bootstrap-documents';

/** Workflow roles: who runs what (the trust contract of the GitHub workflows). */
export type WorkflowRoleKind = 'plan' | 'apply' | 'cutover' | 'vm-import';
export const WORKFLOW_ROLE_KINDS: readonly WorkflowRoleKind[] = ['plan', 'apply', 'cutover', 'vm-import'];

/**
 * Names the stacks give what the policies must name before it exists: the access stack's policies
 * are written from the estate file alone (no cross-stack reference), so every stack takes its names
 * from here.
 */
export function estateNames(c: FactoryConfig) {
  const prefix = workflowRoleNamePrefix(c.github?.roleNamePrefix ?? 'rehost-factory', c.name);
  const automation = automationNames(c.name);
  const sm = (name: string) => stateMachineNames(name);
  return {
    /** Prefix of the workflow roles and the permissions boundary. */
    rolePrefix: prefix,
    workflowRole: (kind: WorkflowRoleKind) => workflowRoleName(prefix, kind),
    /** The managed policy every role the apply role creates must carry as its permissions boundary. */
    boundaryPolicy: boundaryPolicyName(prefix),
    /** Staging-account key of the estate's log groups, topic and import bucket (security stack). */
    estateKeyAlias: estateKeyAlias(c.name),
    /** Key of the bootstrap secrets (the AD join password; access stack). */
    bootstrapSecretsKeyAlias: bootstrapSecretsKeyAlias(c.name),
    flowLogGroup: flowLogNames(c.name).logGroup,
    flowLogRole: flowLogNames(c.name).role,
    documents: Object.fromEntries(BOOTSTRAP_DOCUMENTS.map((d) => [d, bootstrapDocumentName(bootstrapDocumentPrefix(c), d)])) as Record<(typeof BOOTSTRAP_DOCUMENTS)[number], string>,
    automation,
    /** Roles the automation stack creates and the service each is passed to. */
    automationRoles: (): Array<{ name: string; service: string }> => {
      const a = c.automation;
      if (!a.amiReEncryption.enabled && !a.amiSwap.enabled) return [];
      const out: Array<{ name: string; service: string }> = [{ name: automation.functions.recoverStoppedRun, service: 'lambda.amazonaws.com' }];
      if (a.amiReEncryption.enabled) {
        out.push({ name: automation.functions.resolveSourceImage, service: 'lambda.amazonaws.com' });
        out.push({ name: sm(automation.reEncryption).role, service: 'states.amazonaws.com' }, { name: sm(automation.reEncryption).startRole, service: 'events.amazonaws.com' });
      }
      if (a.amiSwap.enabled) {
        out.push({ name: automation.functions.resolveBackupTarget, service: 'lambda.amazonaws.com' }, { name: automation.functions.applyRetention, service: 'lambda.amazonaws.com' });
        out.push({ name: sm(automation.amiSwap).role, service: 'states.amazonaws.com' }, { name: sm(automation.amiSwap).startRole, service: 'events.amazonaws.com' });
      }
      return out;
    },
  };
}
