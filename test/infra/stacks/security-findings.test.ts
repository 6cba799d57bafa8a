/**
 * The policy-side review findings that a synthesized estate shows without running anything
 * (the policy oracle, test/infra/policy, evaluates the deployed policies against every call):
 * flow logs and the default security group of the staging VPC, customer managed keys of topics,
 * log groups and the import bucket, service trusts bound to their source, permissions boundaries on
 * every role the apply role creates, session durations, the generated target-account roles, and
 * preflight naming a target key by alias ARN.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FactoryConfig } from '../../../src/config/schema';
import { describableKeyId } from '../../../src/runbook/preflight';
import { Runtime } from '../../../src/runbook/runtime';
import { targetAccountRoleSpecs } from '../../../src/infra/stacks/access-stack';
import { estateNames } from '../../../src/infra/stacks/estate-names';
import { synthToTemp } from '../../support/synth';
import { editedExample } from './example-estate';

type Tf = { resource?: Record<string, Record<string, Record<string, unknown>>>; data?: Record<string, Record<string, Record<string, unknown>>> };

const factory = editedExample([]);
const { outdir } = synthToTemp(factory);
const stack = (name: string): Tf => JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as Tf;
const resources = (tf: Tf, type: string) => Object.values(tf.resource?.[type] ?? {});
const names = estateNames(factory);
const boundary = `arn:aws:iam::111111111111:policy/${names.boundaryPolicy}`;

interface TrustStatement { Principal: { Service?: string }; Condition: Record<string, Record<string, unknown>> }
/** A role's trust statements, literal JSON or a data.aws_iam_policy_document of its stack. */
function trustOf(tf: Tf, role: Record<string, unknown>): TrustStatement[] {
  const text = String(role.assume_role_policy);
  const ref = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(text);
  if (!ref) return (JSON.parse(text) as { Statement: Array<{ Principal: { Service?: string }; Condition?: Record<string, Record<string, unknown>> }> }).Statement.map((st) => ({ Principal: st.Principal, Condition: st.Condition ?? {} }));
  const doc = tf.data!.aws_iam_policy_document[ref[1]] as { statement: Array<{ principals: Array<{ type: string; identifiers: string[] }>; condition?: Array<{ test: string; variable: string; values: string[] }> }> };
  return doc.statement.map((st) => ({
    Principal: { Service: st.principals.find((p) => p.type === 'Service')?.identifiers[0] },
    Condition: Object.fromEntries((st.condition ?? []).map((c) => [c.test, { [c.variable]: c.values }])),
  }));
}

describe('policy review findings (synthesized)', () => {
  it('logs every flow of the created staging VPC through a role only VPC Flow Logs of the account may assume, and empties its default security group', () => {
    const network = stack('network');
    expect(resources(network, 'aws_flow_log')).toEqual([expect.objectContaining({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' })]);
    expect(resources(network, 'aws_cloudwatch_log_group').map((g) => g.name)).toContain(names.flowLogGroup);
    const role = resources(network, 'aws_iam_role').find((r) => r.name === names.flowLogRole)!;
    const trust = JSON.parse(String(role.assume_role_policy)) as { Statement: Array<{ Principal: unknown; Condition: Record<string, Record<string, unknown>> }> };
    expect(trust.Statement[0].Principal).toEqual({ Service: 'vpc-flow-logs.amazonaws.com' });
    expect(trust.Statement[0].Condition.StringEquals['aws:SourceAccount']).toBe('111111111111');
    expect(JSON.stringify(trust.Statement[0].Condition)).toContain('vpc-flow-log/*');
    expect(role.permissions_boundary).toBe(boundary);
    const sg = resources(network, 'aws_default_security_group');
    expect(sg).toHaveLength(1);
    expect(sg[0].ingress ?? []).toEqual([]);
    expect(sg[0].egress ?? []).toEqual([]);
  });

  it('has no default security group to take over on an existing VPC (it is the network team\'s)', () => {
    const existing = synthToTemp(editedExample([], 'existing-vpc.yaml'));
    const tf = JSON.parse(readFileSync(join(existing.outdir, 'stacks', 'network', 'cdk.tf.json'), 'utf8')) as Tf;
    expect(resources(tf, 'aws_default_security_group')).toEqual([]);
    expect(resources(tf, 'aws_flow_log')).toHaveLength(1);
  });

  it('encrypts the pipelines\' topic and log groups, the bootstrap log group and the import bucket with the estate key (not a target key)', () => {
    const automation = stack('automation');
    for (const t of resources(automation, 'aws_sns_topic')) expect(String(t.kms_master_key_id)).toMatch(/estate/);
    for (const g of resources(automation, 'aws_cloudwatch_log_group')) expect(String(g.kms_key_id)).toMatch(/estate/);
    const security = stack('security');
    for (const g of resources(security, 'aws_cloudwatch_log_group')) expect(String(g.kms_key_id)).toMatch(/estate-key/);
    const vmImport = stack('vm-import');
    const sse = JSON.stringify(resources(vmImport, 'aws_s3_bucket_server_side_encryption_configuration'));
    expect(sse).toContain('aws:kms');
    expect(sse).toMatch(/estate/);
    expect(sse).not.toMatch(/prod/);
  });

  it('gives every role the apply role creates the boundary, and binds each service trust to its source', () => {
    for (const name of ['network', 'automation', 'vm-import']) {
      const tf = stack(name);
      for (const role of resources(tf, 'aws_iam_role')) {
        expect({ role: role.name, boundary: role.permissions_boundary }).toEqual({ role: role.name, boundary });
        for (const st of trustOf(tf, role)) {
          const condition = JSON.stringify(st.Condition);
          // Condition keys are case-insensitive; AWS's VM Import guide spells it sts:Externalid.
          if (st.Principal.Service === 'vmie.amazonaws.com') expect(condition.toLowerCase()).toContain('"sts:externalid":["vmimport"]');
          else expect({ role: role.name, sourceAccount: condition.includes('aws:SourceAccount') }).toEqual({ role: role.name, sourceAccount: true });
          if (['states.amazonaws.com', 'events.amazonaws.com'].includes(st.Principal.Service ?? '')) expect({ role: role.name, sourceArn: condition.includes('aws:SourceArn') }).toEqual({ role: role.name, sourceArn: true });
        }
      }
    }
  });

  it('lets the apply role pass each role only to its service', () => {
    const access = stack('access');
    const policies = [...resources(access, 'aws_iam_role_policy'), ...resources(access, 'aws_iam_policy')].map((p) => String(p.policy));
    const statements = policies.flatMap((p) => (p.startsWith('{') ? (JSON.parse(p) as { Statement: Array<Record<string, unknown>> }).Statement : []));
    const passRole = statements.filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes('iam:PassRole'));
    expect(passRole.length).toBeGreaterThan(0);
    for (const s of passRole) expect(JSON.stringify(s.Condition)).toContain('iam:PassedToService');
  });

  it('caps each workflow role\'s sessions as the trust contract says', () => {
    const access = stack('access');
    const sessions = Object.fromEntries(resources(access, 'aws_iam_role').map((r) => [r.name, r.max_session_duration]));
    expect(sessions).toEqual({
      [names.workflowRole('plan')]: 3600,
      [names.workflowRole('apply')]: 3600,
      [names.workflowRole('cutover')]: 14400,
      [names.workflowRole('vm-import')]: 36000,
    });
  });

  it('generates the target accounts\' deploy and plan roles: trusting only the staging workflow role, no managed policies, only the estate\'s keys', () => {
    const specs = targetAccountRoleSpecs(factory);
    expect(Object.keys(specs)).toEqual(['prod']);
    const { deploy_role: deploy, plan_role: plan } = specs.prod;
    expect(JSON.parse(deploy.trust_policy).Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::111111111111:role/${names.workflowRole('apply')}` });
    expect(JSON.parse(plan.trust_policy).Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::111111111111:role/${names.workflowRole('plan')}` });
    const file = JSON.parse(readFileSync(join(outdir, 'target-account-roles', 'prod.json'), 'utf8')) as { deploy_role: { policy: unknown } };
    expect(file.deploy_role.policy).toEqual(JSON.parse(deploy.policy));
    const actions = (p: string) => (JSON.parse(p) as { Statement: Array<{ Effect: string; Action: string | string[] }> }).Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
    expect(actions(plan.policy).filter((a) => !/^(kms:(Describe|Get|List)|iam:GetRole$)/.test(a))).toEqual([]);
    expect(actions(deploy.policy).filter((a) => !/^(kms:|iam:(GetRole|CreateServiceLinkedRole|DeleteServiceLinkedRole|GetServiceLinkedRoleDeletionStatus))/.test(a))).toEqual([]);
  });

  it('preflight names a target account\'s key by its alias ARN in that account (an alias name resolves only in the caller\'s account)', () => {
    const rt = { config: factory as FactoryConfig } as Runtime;
    const server = factory.waves[0].applications[0].servers[0];
    expect(describableKeyId(rt, server)).toBe('arn:aws:kms:eu-west-1:222222222222:alias/rehost-factory/acme-dc1/prod');
    const existing = editedExample([['      kms:\n', '      kms:\n        existingKeyArn: arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab\n']]);
    expect(describableKeyId({ config: existing } as Runtime, existing.waves[0].applications[0].servers[0])).toBe('arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  });
});
