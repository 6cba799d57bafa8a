import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SsmDocument } from '@cdktf/provider-aws/lib/ssm-document';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** The folder of the shipped documents (same relative place from src/ and from lib/). */
export const SSM_DOCUMENTS_DIR = join(__dirname, '..', '..', 'ssm-documents');

/** The bootstrap documents shipped in ssm-documents/, one YAML file each. */
export const BOOTSTRAP_DOCUMENTS = ['cloudwatch-agent', 'inspector', 'remove-legacy-agents', 'join-active-directory', 'set-hostname-dns', 'validate-server'] as const;
export type BootstrapDocumentName = (typeof BOOTSTRAP_DOCUMENTS)[number];

/** The parts of an SSM document this construct reads. */
export interface SsmDocumentContent {
  schemaVersion: string;
  description?: string;
  parameters?: Record<string, { type: string; default?: unknown; description?: string; allowedPattern?: string }>;
  mainSteps: Array<{ action: string; name: string; precondition?: Record<string, unknown>; inputs: Record<string, unknown> }>;
}

/** Reads and parses one shipped document. */
export function loadBootstrapDocument(name: BootstrapDocumentName, dir = SSM_DOCUMENTS_DIR): SsmDocumentContent {
  return parse(readFileSync(join(dir, `${name}.yaml`), 'utf8')) as SsmDocumentContent;
}

export interface SsmBootstrapDocumentsProps {
  /** Prefix of the document names (SSM names are unique per account and Region). */
  readonly namePrefix: string;
  /** @default every shipped document */
  readonly documents?: readonly BootstrapDocumentName[];
  /**
   * Estate-specific parameter defaults baked into the deployed documents, e.g. the Parameter Store
   * names of the Active Directory join credentials. Each must name a declared parameter.
   * @default none
   */
  readonly parameterDefaults?: Partial<Record<BootstrapDocumentName, Record<string, string>>>;
  /** CloudWatch Logs group the documents' output goes to (set as the post-launch log group). */
  readonly logGroupName: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** Folder of the documents. @default SSM_DOCUMENTS_DIR */
  readonly directory?: string;
}

/**
 * The post-launch bootstrap documents as SSM Command documents, and the CloudWatch Logs group that
 * keeps their output for the audit trail.
 */
export class SsmBootstrapDocuments extends Construct {
  public readonly documents: Partial<Record<BootstrapDocumentName, SsmDocument>> = {};
  /** Deployed document name per bootstrap document. */
  public readonly documentNames: Partial<Record<BootstrapDocumentName, string>> = {};
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: SsmBootstrapDocumentsProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, 'log-group', { name: props.logGroupName, retentionInDays: props.logRetentionDays ?? 365 });
    for (const name of props.documents ?? BOOTSTRAP_DOCUMENTS) {
      const doc = loadBootstrapDocument(name, props.directory);
      for (const [param, value] of Object.entries(props.parameterDefaults?.[name] ?? {})) {
        const declared = doc.parameters?.[param];
        if (!declared) throw new Error(`SsmBootstrapDocuments: ${name} has no parameter "${param}" (it declares ${Object.keys(doc.parameters ?? {}).join(', ') || 'none'})`);
        if (declared.allowedPattern && !new RegExp(declared.allowedPattern).test(value)) {
          throw new Error(`SsmBootstrapDocuments: ${name} parameter "${param}" = "${value}" does not match its allowedPattern ${declared.allowedPattern}`);
        }
        declared.default = value;
      }
      const docName = `${props.namePrefix}-${name}`;
      this.documents[name] = new SsmDocument(this, name, {
        name: docName,
        documentType: 'Command',
        documentFormat: 'YAML',
        content: escapeTerraformTemplate(stringify(doc, { lineWidth: 0 })),
        targetType: '/AWS::EC2::Instance',
      });
      this.documentNames[name] = this.documents[name]!.name;
    }
  }
}

/**
 * Terraform reads every string of the configuration as a template: the shell's ${...} and a
 * literal %{ must be doubled to reach the document unchanged.
 */
export function escapeTerraformTemplate(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}
