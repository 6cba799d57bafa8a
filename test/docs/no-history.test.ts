import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../support/tools';

/**
 * Code and documentation say what the code does and why, in their own words: never which task a
 * line came from ("issue 5", "added by this part") nor a document outside the repository
 * ("domain §5", "pitfall 9", ../shared/...), which a reader of this repository cannot open.
 */
export const HISTORY_PATTERN = /issue [0-9]|added by this part|pitfall [0-9]|domain §|domain\.md|style\.md|\.\.\/shared/i;

/** Text files under `dir`, without generated bundles (any `dist` folder). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'dist' && e.name !== 'node_modules') walk(p);
      } else if (/\.(ts|js|json|md|ya?ml|py|sh)$/.test(e.name)) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out;
}

export function historyReferences(files: string[]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      const m = HISTORY_PATTERN.exec(line);
      if (m) hits.push(`${relative(ROOT, f)}:${i + 1}: "${m[0]}" in: ${line.trim()}`);
    });
  }
  return hits;
}

describe('no history or outside references', () => {
  it('README.md, docs/ and src/ (not generated bundles) name no task, issue or outside document', () => {
    const files = [join(ROOT, 'README.md'), ...filesUnder(join(ROOT, 'docs')), ...filesUnder(join(ROOT, 'src'))];
    expect(files.some((f) => f.endsWith(join('src', 'cli.ts')))).toBe(true);
    expect(files.some((f) => f.includes(`${join('src', 'lambdas', 'dist')}`))).toBe(false);
    expect(historyReferences(files)).toEqual([]);
  });

  it('the pattern catches each kind of reference and passes ordinary text', () => {
    for (const bad of ['// issue 6: lambdas', '(added by this part)', 'Pitfall 1: jobs', 'domain §5 buckets', 'see domain.md', 'per STYLE.md', 'copies of ../shared/fixtures']) {
      expect({ bad, caught: HISTORY_PATTERN.test(bad) }).toEqual({ bad, caught: true });
    }
    for (const ok of ['opens or updates one issue labelled infra-drift', 'the drift issue', 'a domain join', 'issues: write']) {
      expect({ ok, caught: HISTORY_PATTERN.test(ok) }).toEqual({ ok, caught: false });
    }
  });
});
