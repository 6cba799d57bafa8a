import { expandIamActions } from '@cloud-copilot/iam-expand';
import { FactoryConfig } from '../../../src/config/schema';
import { roleArn } from '../../../src/infra/stacks/access-stack';
import { estateNames } from '../../../src/infra/stacks/estate-names';
import { VMIMPORT_ROLE_NAME } from '../../../src/config/vm-import-names';
import { ALLOWLIST } from './allowlist';
import { Authorization } from './authorizations';
import { Verdict } from './evaluate';
import { Doc, PolicyModel, RolePolicies } from './model';
import { EstateOracle, grantedActions, verdictOf } from './oracle';

/**
 * The kind of each role an estate deploys or has its administrators create, by ARN: the workflow
 * roles (plan, apply, cutover, vm-import), the target accounts' deploy and plan roles (deploy,
 * target-plan), the automation roles (their name without the estate), the flow log role and VM
 * Import's service role. Roles of the same kind in both examples are checked together.
 */
export function roleKinds(c: FactoryConfig): Map<string, string> {
  const names = estateNames(c);
  const staging = c.accounts.staging;
  const arn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
  const out = new Map<string, string>();
  if (c.github) for (const k of ['plan', 'apply', 'cutover', 'vm-import'] as const) out.set(roleArn(c, k), k);
  for (const t of c.accounts.targets.filter((x) => x.accountId !== staging)) {
    out.set(arn(t.accountId, t.deployRoleName), 'deploy');
    out.set(arn(t.accountId, t.planRoleName), 'target-plan');
  }
  for (const r of names.automationRoles()) out.set(arn(staging, r.name), r.name.startsWith(`${c.name}-`) ? r.name.slice(c.name.length + 1) : r.name);
  out.set(arn(staging, names.flowLogRole), 'vpc-flow-logs');
  if (c.vmImport.enabled) out.set(arn(staging, VMIMPORT_ROLE_NAME), 'vmimport');
  return out;
}

/** A denied authorization as a line: principal, action, resource, why, where it comes from. */
export function describe(a: Authorization, v: Verdict): string {
  return `${a.principal.arn} ${a.action} ${a.resource}: ${v.result} [${a.source}${a.derived ? `; ${a.derived}` : ''}]`;
}

/** Assertion (a): every authorization of the recorded and modelled calls is allowed (against `model`, by default the deployed one). */
export async function deniedCalls(o: EstateOracle, model: PolicyModel = o.model, only?: (a: Authorization) => boolean): Promise<string[]> {
  const out = new Set<string>();
  for (const [a, v] of o.verdicts) {
    if (only && !only(a)) continue;
    const verdict = model === o.model ? v : await verdictOf(a, o.world, model);
    if (!verdict.allowed) out.add(describe(a, verdict));
  }
  return [...out].sort();
}

export interface GrantReport {
  /** `<kind> <action>`: granted to a role of the kind, never observed for one, not in the allowlist. */
  readonly unexplained: string[];
  /** `<kind> <action>`: in the allowlist, but observed, or granted to no role of the kind. */
  readonly stale: string[];
  /** Roles with permissions that have no kind (the oracle does not know what they are for). */
  readonly unknownRoles: string[];
  /** Per kind: actions granted and observed (lower case). */
  readonly kinds: Map<string, { granted: Set<string>; observed: Set<string> }>;
}

const SKIPPED_ROLES = /:role\/(aws-service-role\/|oracle-|Administrator)/;

/**
 * Assertion (b): every action a role grants is observed (for a role of its kind, in any estate) or
 * listed in the allowlist with its reason; the allowlist names nothing observed or not granted.
 * `models` replaces the deployed policies per estate (the planted over-grant).
 */
export async function unexplainedGrants(oracles: EstateOracle[], models: Map<string, PolicyModel> = new Map()): Promise<GrantReport> {
  const kinds = new Map<string, { granted: Set<string>; observed: Set<string> }>();
  const unknownRoles: string[] = [];
  const entry = (k: string) => kinds.get(k) ?? kinds.set(k, { granted: new Set(), observed: new Set() }).get(k)!;
  for (const o of oracles) {
    const model = models.get(o.label) ?? o.model;
    const byArn = roleKinds(o.config);
    for (const [arn] of model.roles) {
      if (SKIPPED_ROLES.test(arn)) continue;
      const granted = await grantedActions(model, arn);
      const kind = byArn.get(arn);
      if (!kind) {
        if (granted.size) unknownRoles.push(`${o.label}: ${arn}`);
        continue;
      }
      for (const g of granted.keys()) entry(kind).granted.add(g);
    }
    for (const a of o.authorizations) {
      const kind = byArn.get(a.principal.arn);
      if (kind) entry(kind).observed.add(a.action.toLowerCase());
    }
  }
  const allowed = new Map<string, Set<string>>();
  const stale: string[] = [];
  for (const e of ALLOWLIST) {
    const actions = ((await expandIamActions(e.actions, { expandAsterisk: true })) as string[]).map((x) => x.toLowerCase());
    const k = kinds.get(e.kind);
    // A wildcard entry stands for what the role is granted of it and does not observe: only a literal
    // must be granted and unobserved.
    const wildcard = e.actions.some((p) => p.includes('*'));
    for (const a of actions) {
      if (!k?.granted.has(a)) {
        if (!wildcard) stale.push(`${e.kind} ${a} (not granted)`);
        continue;
      }
      if (k.observed.has(a)) {
        if (!wildcard) stale.push(`${e.kind} ${a} (observed)`);
        continue;
      }
      allowed.set(e.kind, (allowed.get(e.kind) ?? new Set()).add(a));
    }
  }
  const unexplained: string[] = [];
  for (const [kind, k] of kinds) {
    for (const g of k.granted) if (!k.observed.has(g) && !allowed.get(kind)?.has(g)) unexplained.push(`${kind} ${g}`);
  }
  return { unexplained: unexplained.sort(), stale: stale.sort(), unknownRoles, kinds };
}

/** A copy of the model in which one role's policies are changed (planted over-grants and missing grants). */
export function withRole(model: PolicyModel, arn: string, change: (role: RolePolicies) => RolePolicies): PolicyModel {
  const role = model.roles.get(arn);
  if (!role) throw new Error(`no role ${arn}`);
  const roles = new Map(model.roles);
  roles.set(arn, change(role));
  return { ...model, roles };
}

/** A role's policies with `action` removed from every Allow statement (statements left empty are dropped). */
export function withoutAction(role: RolePolicies, action: string): RolePolicies {
  const strip = (doc: Doc): Doc => ({
    ...doc,
    Statement: doc.Statement.flatMap((st) => {
      if (st.Effect !== 'Allow' || !st.Action) return [st];
      const actions = [st.Action as string | string[]].flat().filter((a) => a.toLowerCase() !== action.toLowerCase());
      return actions.length ? [{ ...st, Action: actions }] : [];
    }),
  });
  return { ...role, inline: role.inline.map((p) => ({ ...p, doc: strip(p.doc) })), managed: role.managed.map((p) => ({ ...p, doc: strip(p.doc) })) };
}

/** A role's policies with one more inline statement. */
export function withStatement(role: RolePolicies, statement: Record<string, unknown>): RolePolicies {
  return { ...role, inline: [...role.inline, { name: 'planted', doc: { Version: '2012-10-17', Statement: [statement] } }] };
}
