import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';

/**
 * The bootstrap documents shipped in ssm-documents/ and the estate values baked into them. Kept free
 * of the provider bindings: validation reads the documents' parameters without loading cdktf.
 */

/**
 * The folder of the shipped documents: the nearest `ssm-documents/` above `from`. Two levels up
 * from src/config and lib/config, three from an action's bundle (actions/<name>/dist, run from the
 * repository checkout), so the actions validate the documents' parameters as the CLI does.
 */
export function findDocumentsDir(from: string): string {
  for (let dir = from, up = 0; up < 6; up++, dir = dirname(dir)) {
    const candidate = join(dir, 'ssm-documents');
    if (existsSync(join(candidate, `${BOOTSTRAP_DOCUMENTS[0]}.yaml`))) return candidate;
  }
  return join(from, '..', '..', 'ssm-documents');
}

/** The bootstrap documents shipped in ssm-documents/, one YAML file each. */
export const BOOTSTRAP_DOCUMENTS = ['cloudwatch-agent', 'inspector', 'remove-legacy-agents', 'join-active-directory', 'set-hostname-dns', 'validate-server'] as const;
export type BootstrapDocumentName = (typeof BOOTSTRAP_DOCUMENTS)[number];

export const SSM_DOCUMENTS_DIR = findDocumentsDir(__dirname);

/** The shipped documents are not where rehost-factory expects them: validation cannot go on without them. */
export class BootstrapDocumentsMissingError extends Error {
  constructor(readonly file: string) {
    super(`the shipped SSM documents are missing: expected ${file} (rehost-factory reads their parameters to validate bootstrap settings)`);
    this.name = 'BootstrapDocumentsMissingError';
  }
}

/** The parts of an SSM document rehost-factory reads. */
export interface SsmDocumentContent {
  schemaVersion: string;
  description?: string;
  parameters?: Record<string, { type: string; default?: unknown; description?: string; allowedPattern?: string }>;
  mainSteps: Array<{ action: string; name: string; precondition?: Record<string, unknown>; inputs: Record<string, unknown> }>;
}

/** Reads and parses one shipped document. */
export function loadBootstrapDocument(name: BootstrapDocumentName, dir = SSM_DOCUMENTS_DIR): SsmDocumentContent {
  const file = join(dir, `${name}.yaml`);
  if (!existsSync(file)) throw new BootstrapDocumentsMissingError(file);
  return parse(readFileSync(file, 'utf8')) as SsmDocumentContent;
}

/** One estate value baked into a document as a parameter default, and the factory.yaml field it comes from. */
export interface DocumentDefault {
  readonly document: BootstrapDocumentName;
  readonly parameter: string;
  readonly value: string;
  readonly path: PropertyKey[];
}

/** The parts of the estate the defaults read (the validated config, or raw data with its defaults). */
export interface BootstrapSettings {
  readonly legacyAgents: readonly string[];
  readonly activeDirectory?: { domainNameParameter: string; usernameParameter: string; passwordParameter: string; ouParameter?: string };
}

/** Estate-specific defaults of the bootstrap documents (bootstrap.legacyAgents, bootstrap.activeDirectory). */
export function documentDefaultEntries(b: BootstrapSettings): DocumentDefault[] {
  const out: DocumentDefault[] = [];
  if (b.legacyAgents.length) out.push({ document: 'remove-legacy-agents', parameter: 'AgentNames', value: b.legacyAgents.join(','), path: ['bootstrap', 'legacyAgents'] });
  const ad = b.activeDirectory;
  if (ad) {
    const fields = [
      ['DomainNameParameter', 'domainNameParameter', ad.domainNameParameter],
      ['UsernameParameter', 'usernameParameter', ad.usernameParameter],
      ['PasswordParameter', 'passwordParameter', ad.passwordParameter],
      ['OuParameter', 'ouParameter', ad.ouParameter],
    ] as const;
    for (const [parameter, field, value] of fields) {
      if (value !== undefined) out.push({ document: 'join-active-directory', parameter, value, path: ['bootstrap', 'activeDirectory', field] });
    }
  }
  return out;
}

/** The same defaults per document, as SsmBootstrapDocuments takes them. */
export function documentDefaults(b: BootstrapSettings): Partial<Record<BootstrapDocumentName, Record<string, string>>> {
  const out: Partial<Record<BootstrapDocumentName, Record<string, string>>> = {};
  for (const d of documentDefaultEntries(b)) out[d.document] = { ...out[d.document], [d.parameter]: d.value };
  return out;
}

/**
 * Why `value` cannot be given to `parameter` of a document, or undefined when it can: the parameter
 * must be declared and the value must match its allowedPattern (SSM checks it only when the document
 * runs, at launch).
 */
export function parameterProblem(doc: SsmDocumentContent, document: string, parameter: string, value: string): string | undefined {
  const declared = doc.parameters?.[parameter];
  if (!declared) return `document ${document} has no parameter "${parameter}" (it declares ${Object.keys(doc.parameters ?? {}).join(', ') || 'none'})`;
  if (declared.allowedPattern && !new RegExp(declared.allowedPattern).test(value)) {
    return `document ${document} parameter "${parameter}" = "${value}" does not match its allowedPattern ${declared.allowedPattern}`;
  }
  return undefined;
}
