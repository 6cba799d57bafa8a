import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kmsKeyFor, postLaunchDocuments, ssmDocumentName } from '../../../src/config/placement';
import { automationNames, mgnTemplatesStackName, postLaunchParameterName, workflowRoleName, workflowRoleNamePrefix } from '../../../src/config/resource-names';
import { FactoryConfig } from '../../../src/config/schema';
import { ebsKeyAlias, importBucketName, importTargetAccount, VMIMPORT_ROLE_NAME } from '../../../src/config/vm-import-names';
import { exampleConfig, synthToTemp } from '../../support/synth';

/** Every server of the estate. */
const estateServers = (c: FactoryConfig) => c.waves.flatMap((w) => w.applications.flatMap((a) => a.servers.map((server) => ({ server }))));

/**
 * The runbook, the pipelines and VM Import find the estate's resources by name, computed from
 * factory.yaml; the stacks create them. Every name looked up must be the name of a resource of the
 * right type in the synthesized Terraform, or a lookup would fail at run time (after apply).
 */

/** A name some part of rehost-factory looks up, and the Terraform resource type that must carry it. */
interface Lookup {
  readonly type: string;
  readonly name: string;
  /** Who looks it up, for the failure message. */
  readonly by: string;
}

/** The attribute holding a resource's AWS name, per type (most use `name`). */
const NAME_ATTRIBUTE: Record<string, string> = { aws_s3_bucket: 'bucket', aws_lambda_function: 'function_name' };

/** The names of every resource of the synthesized stacks, by resource type. */
function resourceNames(outdir: string): Map<string, Set<string>> {
  const byType = new Map<string, Set<string>>();
  for (const stack of readdirSync(join(outdir, 'stacks'))) {
    const tf = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
    for (const [type, resources] of Object.entries(tf.resource ?? {})) {
      for (const r of Object.values(resources)) {
        const name = r[NAME_ATTRIBUTE[type] ?? 'name'];
        if (typeof name !== 'string') continue;
        if (!byType.has(type)) byType.set(type, new Set());
        byType.get(type)!.add(name);
      }
    }
  }
  return byType;
}

/** The lookups that find no resource of their type, as `<type> "<name>" (<by>)`. */
function missing(lookups: readonly Lookup[], names: Map<string, Set<string>>): string[] {
  return lookups.filter((l) => !names.get(l.type)?.has(l.name)).map((l) => `${l.type} "${l.name}" (${l.by})`);
}

/** Every name the runbook, the pipelines and VM Import would look up for the estate. */
function lookups(c: FactoryConfig): Lookup[] {
  const out: Lookup[] = [];
  for (const { server } of estateServers(c)) {
    for (const mode of ['test', 'cutover'] as const) {
      for (const doc of postLaunchDocuments(c, mode)) out.push({ type: 'aws_ssm_document', name: doc, by: `runbook: ${mode} post-launch document of ${server.name}` });
    }
    const key = kmsKeyFor(c, server);
    if (key.keyId.startsWith('alias/')) out.push({ type: 'aws_kms_alias', name: key.keyId, by: `runbook: EBS key of ${server.name} in ${key.account}` });
  }
  for (const t of c.accounts.targets) if (!t.kms.existingKeyArn) out.push({ type: 'aws_kms_alias', name: ebsKeyAlias(c, t), by: `EBS key of target ${t.name}` });
  for (const p of c.bootstrap.postLaunch) {
    out.push({ type: 'aws_ssm_document', name: ssmDocumentName(c, p.document), by: `MGN post-launch action ${p.document}` });
    for (const param of Object.keys(p.parameters)) out.push({ type: 'aws_ssm_parameter', name: postLaunchParameterName(c.name, p.document, param), by: `post-launch parameter ${param}` });
  }
  out.push({ type: 'aws_cloudformation_stack', name: mgnTemplatesStackName(c.name), by: 'MGN templates' });
  if (c.github) {
    const prefix = workflowRoleNamePrefix(c.github.roleNamePrefix, c.name);
    for (const role of ['plan', 'apply', 'cutover', 'vm-import']) out.push({ type: 'aws_iam_role', name: workflowRoleName(prefix, role), by: `the ${role} workflow` });
  }
  const a = c.automation;
  if (a.amiReEncryption.enabled || a.amiSwap.enabled) {
    const n = automationNames(c.name);
    out.push({ type: 'aws_sns_topic', name: n.topic, by: 'pipelines: notifications' }, { type: 'aws_dynamodb_table', name: n.claimsTable, by: 'pipelines: claims' });
    out.push({ type: 'aws_lambda_function', name: n.functions.recoverStoppedRun, by: 'stopped-run recovery' });
    if (a.amiReEncryption.enabled) out.push({ type: 'aws_sfn_state_machine', name: n.reEncryption, by: 'AMI re-encryption' }, { type: 'aws_lambda_function', name: n.functions.resolveSourceImage, by: 'AMI re-encryption' });
    if (a.amiSwap.enabled) out.push({ type: 'aws_sfn_state_machine', name: n.amiSwap, by: 'AMI swap' }, { type: 'aws_lambda_function', name: n.functions.resolveBackupTarget, by: 'AMI swap' });
  }
  if (c.vmImport.enabled) {
    out.push({ type: 'aws_s3_bucket', name: importBucketName(c), by: 'VM Import: upload bucket' });
    out.push({ type: 'aws_iam_role', name: VMIMPORT_ROLE_NAME, by: 'VM Import: service role' });
    if (!c.vmImport.kmsKeyArn) out.push({ type: 'aws_kms_alias', name: ebsKeyAlias(c, importTargetAccount(c)), by: 'VM Import: encryption key' });
  }
  return out;
}

describe('examples/factory.yaml', () => {
  const config = exampleConfig('factory.yaml');
  const names = resourceNames(synthToTemp(config).outdir);
  const expected = lookups(config);

  it('looks up names of every kind (the example enables every part)', () => {
    expect(new Set(expected.map((l) => l.type))).toEqual(
      new Set(['aws_ssm_document', 'aws_kms_alias', 'aws_ssm_parameter', 'aws_cloudformation_stack', 'aws_iam_role', 'aws_sns_topic', 'aws_dynamodb_table', 'aws_lambda_function', 'aws_sfn_state_machine', 'aws_s3_bucket']),
    );
    expect(expected.filter((l) => l.type === 'aws_ssm_document').length).toBeGreaterThan(estateServers(config).length);
  });

  it('every name looked up is a resource of the right type in the synthesized Terraform', () => {
    expect(missing(expected, names)).toEqual([]);
  });

  it('the matcher fails on a wrong name and on the right name under the wrong type', () => {
    const wrong: Lookup[] = [
      { type: 'aws_ssm_document', name: `${config.name}-remove-legacy-agent`, by: 'a misspelt document' },
      { type: 'aws_s3_bucket', name: VMIMPORT_ROLE_NAME, by: 'the role name as a bucket' },
    ];
    expect(missing([...expected, ...wrong], names)).toEqual(['aws_ssm_document "acme-dc1-remove-legacy-agent" (a misspelt document)', 'aws_s3_bucket "vmimport" (the role name as a bucket)']);
  });
});

describe('runbook.ssmDocumentPrefix', () => {
  const base = exampleConfig('factory.yaml');
  const config: FactoryConfig = { ...base, runbook: { ...base.runbook, ssmDocumentPrefix: 'migration-' } };
  const { outdir } = synthToTemp(config);

  it('names the deployed documents, the ones MGN runs and the ones the runbook checks alike', () => {
    const names = resourceNames(outdir);
    expect(postLaunchDocuments(config, 'cutover')).toContain('migration-validate-server');
    expect(missing(lookups(config), names)).toEqual([]);
    expect([...names.get('aws_ssm_document')!].every((d) => d.startsWith('migration-'))).toBe(true);
  });

  it('lets the apply role manage those documents by exact name, not by a wider pattern', () => {
    const security = readFileSync(join(outdir, 'stacks', 'access', 'cdk.tf.json'), 'utf8');
    expect(security).toContain('document/migration-validate-server');
    expect(security).not.toContain('document/migration-*');
  });
});
