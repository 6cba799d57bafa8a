import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SsmDocument } from '@cdktf/provider-aws/lib/ssm-document';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { BOOTSTRAP_DOCUMENTS, BootstrapDocumentName, loadBootstrapDocument, parameterProblem } from '../../config/bootstrap-documents';
import { bootstrapDocumentName } from '../../config/resource-names';

// The shipped documents are described in config/ (validation reads them without the provider bindings).
export { BOOTSTRAP_DOCUMENTS, loadBootstrapDocument, SSM_DOCUMENTS_DIR } from '../../config/bootstrap-documents';
export type { BootstrapDocumentName, SsmDocumentContent } from '../../config/bootstrap-documents';

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
  /** Key that encrypts the log group. @default CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
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
    this.logGroup = new CloudwatchLogGroup(this, 'log-group', { name: props.logGroupName, retentionInDays: props.logRetentionDays ?? 365, kmsKeyId: props.logKmsKeyArn });
    for (const name of props.documents ?? BOOTSTRAP_DOCUMENTS) {
      const doc = loadBootstrapDocument(name, props.directory);
      for (const [param, value] of Object.entries(props.parameterDefaults?.[name] ?? {})) {
        const problem = parameterProblem(doc, name, param, value);
        if (problem) throw new Error(`SsmBootstrapDocuments: ${problem}`);
        doc.parameters![param].default = value;
      }
      const docName = bootstrapDocumentName(props.namePrefix, name);
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
