import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../support/tools';

/**
 * Code and documentation say what the code does and why, in their own words: never which task or
 * part of the work a line came from, nor a numbered section of a document outside the repository,
 * which a reader of this repository cannot open. The labels are assembled from fragments so that
 * this file does not itself carry them.
 */
const join2 = (...parts: string[]) => parts.join('');
export const HISTORY_PATTERN = new RegExp(
  [
    join2('iss', 'ue [0-9]'), // a task number
    join2('added by ', 'this part'), // a part of the work
    join2('pit', 'falls? [0-9]'), // a numbered list of an outside document
    join2('dom', 'ain §'),
    join2('dom', 'ain\\.md'),
    join2('sty', 'le\\.md'),
    join2('\\.\\./sha', 'red'), // a folder beside the repository
  ].join('|'),
  'i',
);

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
    expect(files.some((f) => f.includes(`${join('src', 'infra', 'lambdas', 'dist')}`))).toBe(false);
    expect(historyReferences(files)).toEqual([]);
  });

  it('the pattern catches each kind of reference and passes ordinary text', () => {
    const bad = [
      join2('// iss', 'ue 6: lambdas'),
      join2('(added by ', 'this part)'),
      join2('Pit', 'fall 1: jobs'),
      join2('(pit', 'falls 3 and 9)'),
      join2('dom', 'ain §5 buckets'),
      join2('see dom', 'ain.md'),
      join2('per STY', 'LE.md'),
      join2('copies of ../sha', 'red/fixtures'),
    ];
    for (const b of bad) {
      expect({ bad: b, caught: HISTORY_PATTERN.test(b) }).toEqual({ bad: b, caught: true });
    }
    for (const ok of ['opens or updates one issue labelled infra-drift', 'the drift issue', 'a domain join', 'issues: write']) {
      expect({ ok, caught: HISTORY_PATTERN.test(ok) }).toEqual({ ok, caught: false });
    }
  });
});
