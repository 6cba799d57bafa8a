import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleConfig, synthToTemp } from '../../support/synth';
import { cfnLintBin } from '../../support/tools';
import { validateJson } from './json-schema';
import { REPLICATION_CONFIGURATION_TEMPLATE_SCHEMA, serviceSpecSchema } from './mgn-schemas';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> } & Record<string, unknown>;

/** The template_body of the example's aws_cloudformation_stack, with Terraform references as plain strings. */
function exampleTemplate(): Template {
  const { outdir } = synthToTemp(exampleConfig('factory.yaml'));
  const tf = JSON.parse(readFileSync(join(outdir, 'stacks', 'mgn', 'cdk.tf.json'), 'utf8')) as { resource: { aws_cloudformation_stack: Record<string, { template_body: string }> } };
  const [stack] = Object.values(tf.resource.aws_cloudformation_stack);
  // Cross-stack references (subnet, security group, key ARN, document names) resolve at apply time;
  // as strings they have the type the schemas expect.
  return JSON.parse(stack.template_body, (_k, v) => (typeof v === 'string' && /^\$\{.+\}$/.test(v) ? 'resolved-by-terraform' : v)) as Template;
}

const SCHEMAS = {
  'AWS::MGN::ReplicationConfigurationTemplate': REPLICATION_CONFIGURATION_TEMPLATE_SCHEMA,
  'AWS::MGN::LaunchConfigurationTemplate': serviceSpecSchema('AWS::MGN::LaunchConfigurationTemplate'),
};

function schemaErrors(t: Template): string[] {
  return Object.entries(t.Resources).flatMap(([name, r]) => {
    const schema = SCHEMAS[r.Type as keyof typeof SCHEMAS];
    if (!schema) return [`${name}: no schema for ${r.Type}`];
    return validateJson(r.Properties, schema).map((e) => `${name}${e}`);
  });
}

interface LintFinding { Rule: { Id: string }; Message: string; Filename: string; Location: { Path: Array<string | number> } }

/** Lints several templates in one cfn-lint run (its start-up dominates); findings per template. */
function cfnLint(templates: Template[]): LintFinding[][] {
  const dir = mkdtempSync(join(tmpdir(), 'rehost-cfn-'));
  const files = templates.map((t, i) => {
    const file = join(dir, `template-${i}.json`);
    writeFileSync(file, JSON.stringify(t, null, 2));
    return file;
  });
  const r = spawnSync(cfnLintBin(), ['--format', 'json', '--regions', 'eu-west-1', '--', ...files], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  const findings = JSON.parse(r.stdout || '[]') as LintFinding[];
  return files.map((f) => findings.filter((x) => x.Filename === f));
}

/** E3006 "resource type does not exist" for the two MGN types only: cfn-lint 1.51 does not know them. */
function unexpected(findings: LintFinding[], t: Template): LintFinding[] {
  return findings.filter((f) => !(f.Rule.Id === 'E3006' && String(t.Resources[f.Location.Path[1] as string]?.Type).startsWith('AWS::MGN::')));
}

const template = exampleTemplate();
const clone = (): Template => JSON.parse(JSON.stringify(template)) as Template;
// The same mistakes the schema check must catch, for cfn-lint to show that it does not.
const mistakes = clone();
mistakes.Resources.ReplicationConfigurationTemplate.Properties.BandwidthThrottling = 'lots';
mistakes.Resources.LaunchConfigurationTemplate.Properties.BootMode = 'BIOS';
let lint: LintFinding[][] = [];
beforeAll(() => {
  lint = cfnLint([template, mistakes]);
});

describe('MGN CloudFormation template of the example', () => {
  it('carries the private replication settings and the post-launch documents', () => {
    expect(template.Resources.ReplicationConfigurationTemplate.Properties).toMatchObject({ DataPlaneRouting: 'PRIVATE_IP', CreatePublicIP: false, EbsEncryption: 'CUSTOM', BandwidthThrottling: 200, DefaultLargeStagingDiskType: 'GP3' });
    const post = template.Resources.LaunchConfigurationTemplate.Properties.PostLaunchActions as { SsmDocuments: Array<{ ActionName: string }>; CloudWatchLogGroupName: string };
    expect(post.SsmDocuments.map((d) => d.ActionName)).toEqual(['remove-legacy-agents', 'cloudwatch-agent', 'join-active-directory', 'validate-server']);
    expect(post.CloudWatchLogGroupName).toBe('/rehost-factory/bootstrap');
  });

  it('passes the official resource schemas', () => {
    expect(schemaErrors(template)).toEqual([]);
  });

  it('passes cfn-lint, apart from E3006 for the two MGN types cfn-lint does not know', () => {
    const findings = lint[0];
    expect(unexpected(findings, template)).toEqual([]);
    // If a future cfn-lint learns the types, this shows it and the exception can go.
    expect(findings.map((f) => f.Rule.Id)).toEqual(['E3006', 'E3006']);
  });

  it.each([
    ['a misspelled property', (t: Template) => {
      const p = t.Resources.ReplicationConfigurationTemplate.Properties;
      p.DataPlaneRoutng = p.DataPlaneRouting;
      delete p.DataPlaneRouting;
    }, [/ReplicationConfigurationTemplate\/DataPlaneRoutng: unknown property/, /missing required property DataPlaneRouting/]],
    ['a misspelled nested property', (t: Template) => {
      const docs = (t.Resources.LaunchConfigurationTemplate.Properties.PostLaunchActions as { SsmDocuments: Array<Record<string, unknown>> }).SsmDocuments;
      docs[0].MustSucceedForCutOver = true;
    }, [/LaunchConfigurationTemplate\/PostLaunchActions\/SsmDocuments\/0\/MustSucceedForCutOver: unknown property/]],
    ['a wrong type', (t: Template) => {
      t.Resources.ReplicationConfigurationTemplate.Properties.BandwidthThrottling = '200';
    }, [/BandwidthThrottling: expected integer, got string "200"/]],
    ['a bad enum value', (t: Template) => {
      t.Resources.LaunchConfigurationTemplate.Properties.BootMode = 'BIOS';
    }, [/BootMode: expected one of LEGACY_BIOS, UEFI, USE_SOURCE, got "BIOS"/]],
    ['a bad enum value in the new type', (t: Template) => {
      t.Resources.ReplicationConfigurationTemplate.Properties.EbsEncryption = 'KMS';
    }, [/EbsEncryption: expected one of DEFAULT, CUSTOM, got "KMS"/]],
  ])('the schema check catches %s', (_what, mutate, messages) => {
    const bad = clone();
    mutate(bad);
    const errors = schemaErrors(bad);
    for (const m of messages) expect(errors).toContainEqual(expect.stringMatching(m));
  });

  it('needs the schema check: cfn-lint alone lets the same mistakes through', () => {
    expect(unexpected(lint[1], mistakes)).toEqual([]);
    expect(schemaErrors(mistakes)).toHaveLength(2);
  });
});
