import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { Authorization } from './authorizations';
import { Doc, PolicyModel, RolePolicies } from './model';

/** The oracle's verdict on one authorization. */
export interface Verdict {
  readonly allowed: boolean;
  /** Allowed / ExplicitlyDenied / ImplicitlyDenied / an error of the evaluator. */
  readonly result: string;
  /** Which policies took part (identity, boundary, resource policy, endpoint policy). */
  readonly policies: string[];
}

export interface EvaluateOptions {
  /** Evaluate against the staging VPC's endpoint policy of the service (a caller inside the staging network). @default false */
  readonly throughEndpoint?: boolean;
}

/**
 * Evaluates one authorization with @cloud-copilot/iam-simulate (AWS's evaluation logic: explicit
 * deny, identity and resource policies, permissions boundary, cross-account requests needing both
 * sides, conditions, NotAction/NotResource, KMS key policies that must grant the account before its
 * IAM policies count, trust policies). The oracle supplies what the library does not know: which
 * policies apply (the principal's, the resource's by its ARN, the endpoint's) and the request
 * context (tags, kms:ViaService, iam:PassedToService, ...).
 */
export async function evaluate(a: Authorization, model: PolicyModel, options: EvaluateOptions = {}): Promise<Verdict> {
  const used: string[] = [];
  let identity: Array<{ name: string; policy: Doc }> = [];
  let boundary: Array<{ name: string; policy: Doc }> | undefined;
  const isRole = a.principal.kind === 'role';
  if (a.identityStandIn) {
    identity = [{ name: 'aws-managed-stand-in', policy: a.identityStandIn as Doc }];
    used.push('identity:aws-managed-stand-in');
  } else if (isRole) {
    const role: RolePolicies | undefined = model.roles.get(a.principal.arn);
    if (!role) return { allowed: false, result: `no policies for ${a.principal.arn}`, policies: [] };
    identity = [...role.inline.map((p) => ({ name: p.name, policy: p.doc })), ...role.managed.map((p) => ({ name: p.arn, policy: p.doc }))];
    used.push(...identity.map((p) => `identity:${p.name}`));
    if (role.boundary) {
      boundary = [{ name: role.boundary.arn, policy: role.boundary.doc }];
      used.push(`boundary:${role.boundary.arn}`);
    }
  }
  const resourcePolicy = resourcePolicyOf(a, model);
  if (resourcePolicy.missing) return { allowed: false, result: resourcePolicy.missing, policies: used };
  if (resourcePolicy.doc) used.push(`resource:${resourcePolicy.name}`);
  const endpointKey = a.throughEndpoint ?? (options.throughEndpoint ? a.action.split(':')[0] : undefined);
  const endpoint = endpointKey ? model.endpoints.get(endpointKey) : undefined;
  if (endpointKey && !endpoint) return { allowed: false, result: `no ${endpointKey} endpoint in the staging VPC`, policies: used };
  if (endpoint) used.push(`endpoint:${endpointKey}`);
  const simulation: Simulation = {
    request: {
      principal: a.principal.arn,
      action: a.action,
      resource: { resource: a.resource, accountId: a.resourceAccount },
      // AWS sets aws:ResourceAccount on every request (the S3 endpoint policy tests it); the evaluator does not.
      contextVariables: { 'aws:ResourceAccount': a.resourceAccount, ...a.context },
    },
    identityPolicies: identity,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: resourcePolicy.doc,
    permissionBoundaryPolicies: boundary,
    vpcEndpointPolicies: endpoint ? [{ name: 'staging', policy: endpoint }] : undefined,
  };
  const r = await runSimulation(carried(simulation), {});
  if (r.resultType === 'error') return { allowed: false, result: `evaluator error: ${JSON.stringify(r.errors).slice(0, 400)}`, policies: used };
  return { allowed: r.overallResult === 'Allowed', result: r.overallResult, policies: used };
}

/** The resource-based policy AWS evaluates with the request, by the resource's ARN. */
function resourcePolicyOf(a: Authorization, model: PolicyModel): { doc?: Doc; name?: string; missing?: string } {
  const arn = a.resource;
  if (a.action.startsWith('sts:AssumeRole')) {
    const role = model.roles.get(arn);
    if (!role) return { missing: `role ${arn} does not exist (no trust policy)` };
    return { doc: role.trust, name: `trust:${arn}` };
  }
  if (arn.startsWith('arn:aws:kms:') && arn.includes(':key/')) {
    const doc = model.keys.get(arn);
    if (!doc) return { missing: `key ${arn} does not exist (no key policy)` };
    return { doc, name: `key:${arn}` };
  }
  if (arn.startsWith('arn:aws:s3:::')) {
    const bucket = arn.slice('arn:aws:s3:::'.length).split('/')[0];
    const doc = model.buckets.get(bucket);
    return doc ? { doc, name: `bucket:${bucket}` } : {};
  }
  if (arn.startsWith('arn:aws:sqs:')) return model.queues.has(arn) ? { doc: model.queues.get(arn), name: `queue:${arn}` } : {};
  if (arn.startsWith('arn:aws:lambda:')) {
    const fn = arn.split(':').slice(0, 7).join(':');
    return model.functions.has(fn) ? { doc: model.functions.get(fn), name: `function:${fn}` } : {};
  }
  if (arn.startsWith('arn:aws:sns:')) {
    const t = model.topics.get(arn);
    return t?.policy ? { doc: t.policy, name: `topic:${arn}` } : {};
  }
  return {};
}

/**
 * Condition keys the evaluator cannot read: OIDC claims (token.actions.githubusercontent.com:sub, :aud
 * are not in the Service Authorization Reference for STS, so the evaluator drops them from the
 * request) and kms:EncryptionContext:<key> (its variable part follows a colon, which the evaluator's
 * matching of variable keys, written for "prefix/variable", does not recognize). They are carried
 * under a global key name the evaluator accepts, renamed identically in every policy and in the
 * request; operators and values are kept.
 */
const CARRIED = [/^[a-z0-9-]+(\.[a-z0-9-]+)+:[a-z_]+$/i, /^kms:EncryptionContext:.+$/i];

function carried(sim: Simulation): Simulation {
  const rename = (k: string) => (CARRIED.some((re) => re.test(k)) ? `aws:PrincipalTag/${k}` : k);
  const doc = <T>(d: T): T => {
    const x = d as unknown as Doc | undefined;
    if (!x?.Statement) return d;
    return {
      ...x,
      Statement: [x.Statement].flat().map((st) => ({
        ...st,
        ...(st.Condition
          ? { Condition: Object.fromEntries(Object.entries(st.Condition as Record<string, Record<string, unknown>>).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [rename(k), v]))])) }
          : {}),
      })),
    } as unknown as T;
  };
  const both = <T>(d: T): T => withAccountless(doc(d));
  return {
    ...sim,
    identityPolicies: sim.identityPolicies.map((p) => ({ ...p, policy: both(p.policy) })),
    permissionBoundaryPolicies: sim.permissionBoundaryPolicies?.map((p) => ({ ...p, policy: both(p.policy) })),
    vpcEndpointPolicies: sim.vpcEndpointPolicies?.map((p) => ({ ...p, policy: both(p.policy) })),
    resourcePolicy: both(sim.resourcePolicy),
    request: {
      ...sim.request,
      resource: { ...sim.request.resource, resource: accountless(sim.request.resource.resource) },
      contextVariables: Object.fromEntries(Object.entries(sim.request.contextVariables).map(([k, v]) => [rename(k), v])),
    },
  };
}

/**
 * AWS-owned SSM documents have ARNs without an account (arn:aws:ssm:<region>::document/AWS-...), which
 * the evaluator cannot type; they are matched with the placeholder account "aws", in the request and
 * in every policy resource alike.
 */
const ACCOUNTLESS = /^(arn:aws[a-z-]*:ssm:[a-z0-9-]*)::(document\/.+)$/;
const accountless = (arn: string) => arn.replace(ACCOUNTLESS, '$1:aws:$2');

function withAccountless<T>(d: T): T {
  const x = d as unknown as Doc | undefined;
  if (!x?.Statement) return d;
  const fix = (r: unknown) => (typeof r === 'string' ? accountless(r) : Array.isArray(r) ? r.map((y) => (typeof y === 'string' ? accountless(y) : y)) : r);
  return { ...x, Statement: [x.Statement].flat().map((st) => ({ ...st, ...(st.Resource ? { Resource: fix(st.Resource) } : {}), ...(st.NotResource ? { NotResource: fix(st.NotResource) } : {}) })) } as unknown as T;
}
