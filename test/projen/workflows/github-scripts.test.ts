import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { FakeEnvironment, GitHubFake, startGitHubFake } from '../../plan-review/github-fake';
import { loadGetOctokit } from '../../plan-review/octokit';
import { ROOT } from '../../support/tools';

/**
 * The inline `actions/github-script` scripts of the generated workflows, executed as github-script
 * executes them (an async function of github, context, core, require) with a real Octokit against
 * the local GitHub REST fake. `core` records what the script reports; `require('fs')` resolves
 * relative paths in the job's working directory, as on a runner.
 */
const getOctokit = loadGetOctokit();
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;

type ScriptStep = { name?: string; env?: Record<string, string>; with?: { script?: string } };
function stepOf(workflow: string, job: string, stepName: string): ScriptStep {
  const wf = parse(readFileSync(join(ROOT, '.github', 'workflows', workflow), 'utf8')) as { jobs: Record<string, { steps: ScriptStep[] }> };
  const step = wf.jobs[job].steps.find((s) => s.name === stepName);
  if (!step?.with?.script) throw new Error(`${workflow}: job ${job} has no github-script step "${stepName}"`);
  return step;
}
const scriptOf = (workflow: string, job: string, stepName: string): string => stepOf(workflow, job, stepName).with!.script!;

interface CoreRecord { failed?: string; outputs: Record<string, string>; info: string[]; thrown?: Error }

async function runScript(script: string, gh: GitHubFake | { url: string }, context: Record<string, unknown>, cwd: string, env: Record<string, string> = {}): Promise<CoreRecord> {
  const rec: CoreRecord = { outputs: {}, info: [] };
  const core = { setFailed: (m: string) => (rec.failed = m), setOutput: (k: string, v: string) => (rec.outputs[k] = v), info: (m: string) => rec.info.push(m) };
  const fs = { ...require('node:fs'), readFileSync: (p: string, enc: BufferEncoding) => readFileSync(isAbsolute(p) ? p : join(cwd, p), enc) };
  const req = (m: string) => (m === 'fs' ? fs : require(m));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    // github-script fails the step when the script throws: recorded, as the step's failure.
    await new AsyncFunction('github', 'context', 'core', 'require', script)(getOctokit('test-token', { baseUrl: gh.url }), context, core, req).catch((e: Error) => {
      rec.thrown = e;
    });
  } finally {
    process.env = saved;
  }
  return rec;
}

describe('github-script steps of the workflows, against the GitHub REST fake', () => {
  let gh: GitHubFake;
  const cwd = mkdtempSync(join(tmpdir(), 'rehost-gh-script-'));
  const context = { repo: { owner: 'acme', repo: 'estate' }, sha: 'abc123', ref: 'refs/heads/main', serverUrl: 'https://github.com', runId: 77 };
  beforeAll(async () => {
    gh = await startGitHubFake();
  });
  afterAll(async () => gh.close());

  describe('drift.yml: one issue for the drift', () => {
    const script = scriptOf('drift.yml', 'report', 'One issue for the drift');
    const review = (text: string) => {
      mkdirSync(join(cwd, 'drift-review'), { recursive: true });
      writeFileSync(join(cwd, 'drift-review', 'comment-1.md'), `<!-- rehost-factory:plan-review id=drift part=1 -->\n${text}`);
    };
    const open = () => [...gh.issues.values()].filter((i) => i.state === 'open' && i.labels.includes('infra-drift'));

    it('opens one issue listing the drift', async () => {
      review('## Terraform plan review\n| <code>network</code> | <code>aws_subnet.a</code> | deleted outside Terraform |');
      const r = await runScript(script, gh, context, cwd, { DRIFTED: 'true' });
      expect(r.failed).toBeUndefined();
      expect(open()).toHaveLength(1);
      expect(open()[0].title).toBe('Infrastructure drift detected');
      expect(open()[0].body).toMatch(/^Drift found by \[the scheduled plan\]\(https:\/\/github\.com\/acme\/estate\/actions\/runs\/77\)/);
      expect(open()[0].body).toContain('<code>aws_subnet.a</code> | deleted outside Terraform');
      expect(open()[0].body).not.toContain('<!-- rehost-factory');
    });

    it('updates the same issue on the next drift instead of opening another', async () => {
      const number = open()[0].number;
      review('## Terraform plan review\n| <code>network</code> | <code>aws_vpc.b</code> | changed outside Terraform |');
      await runScript(script, gh, context, cwd, { DRIFTED: 'true' });
      expect(open().map((i) => i.number)).toEqual([number]);
      expect(open()[0].body).toContain('aws_vpc.b');
      expect(open()[0].body).not.toContain('aws_subnet.a');
    });

    it('comments and closes the issue once the drift is gone; nothing to do when there is none', async () => {
      const number = open()[0].number;
      await runScript(script, gh, context, cwd, { DRIFTED: 'false' });
      expect(gh.issues.get(number)).toMatchObject({ state: 'closed', state_reason: 'completed' });
      expect(gh.conversation(number).map((c) => c.body)).toEqual([expect.stringContaining('No drift any more')]);
      gh.requests.length = 0;
      await runScript(script, gh, context, cwd, { DRIFTED: 'false' });
      expect(gh.requests.filter((q) => !q.startsWith('GET'))).toEqual([]);
    });
  });

  describe('infra-apply.yml: find the plan reviewed on the merged pull request', () => {
    const script = scriptOf('infra-apply.yml', 'replan', 'Find the plan reviewed on the merged pull request');

    it('returns the last successful infra-plan run of the merged PR\'s head commit', async () => {
      gh.commitPulls.set('abc123', [{ number: 12, merged_at: '2026-11-22T04:00:00Z', base: { ref: 'main' }, head: { sha: 'fedcba' } }]);
      gh.workflowRuns.set('infra-plan.yml', [
        { id: 9001, head_sha: 'fedcba', event: 'pull_request', status: 'completed', conclusion: 'success', html_url: 'https://github.com/acme/estate/actions/runs/9001' },
        { id: 9000, head_sha: 'fedcba', event: 'pull_request', status: 'completed', conclusion: 'failure', html_url: 'x' },
        { id: 8000, head_sha: '000000', event: 'pull_request', status: 'completed', conclusion: 'success', html_url: 'y' },
      ]);
      const r = await runScript(script, gh, context, cwd);
      expect(r.failed).toBeUndefined();
      expect(r.outputs).toEqual({ 'run-id': '9001', pr: '12' });
    });

    it('fails with a clear message for a direct push and for a merged change that was never reviewed', async () => {
      const direct = await runScript(script, gh, { ...context, sha: 'def456' }, cwd);
      expect(direct.failed).toMatch(/^def456 was not merged from a pull request, so no reviewed plan exists\..*nothing was applied\.$/);
      gh.commitPulls.set('0a0a0a', [{ number: 13, merged_at: '2026-11-22T04:10:00Z', base: { ref: 'main' }, head: { sha: '111111' } }]);
      const unreviewed = await runScript(script, gh, { ...context, sha: '0a0a0a' }, cwd);
      expect(unreviewed.failed).toBe('No successful infra-plan run for pull request #13 at its last commit 111111: the merged change was never reviewed. Nothing was applied.');
    });
  });

  describe('the environment check before a write role (cutover.yml, infra-apply.yml, vm-import.yml)', () => {
    const step = stepOf('cutover.yml', 'environment-check', 'Required reviewers, no self-review, deployments from the main branch only');
    const reviewers = [{ type: 'Team' as const, reviewer: { slug: 'migration-leads' } }];
    const protectedEnv = (over: Partial<FakeEnvironment> = {}): FakeEnvironment => ({
      protection_rules: [{ type: 'required_reviewers', prevent_self_review: true, reviewers }, { type: 'branch_policy' }],
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      branch_policies: [{ name: 'main', type: 'branch' }],
      ...over,
    });
    const check = () => runScript(step.with!.script!, gh, context, cwd, step.env);

    it('passes an environment with a required reviewer, no self-review and the deployment branch main only', async () => {
      gh.environments.set('cutover', protectedEnv());
      const r = await check();
      expect(r.thrown).toBeUndefined();
      expect(r.failed).toBeUndefined();
      expect(r.info).toEqual(['Environment "cutover": required reviewers, no self-review, deployments from "main" only.']);
    });

    it('refuses a missing environment (GitHub would create it unprotected) and says how to set it up', async () => {
      gh.environments.delete('cutover');
      expect((await check()).failed).toBe('Environment "cutover" does not exist. Create it (Settings → Environments) with required reviewers, "Prevent self-review" and the deployment branch "main" only, as docs/workflow-security.md describes. No role was assumed.');
    });

    it.each([
      ['no protection at all', { protection_rules: [], deployment_branch_policy: null }, 'no required reviewers; deployments from every branch are allowed (expected "main" only)'],
      ['a wait timer but no reviewer', { protection_rules: [{ type: 'wait_timer' as const, wait_timer: 30 }] }, 'no required reviewers'],
      ['reviewers that can approve their own runs', { protection_rules: [{ type: 'required_reviewers' as const, prevent_self_review: false, reviewers }] }, 'self-review is allowed (the person who starts a run could approve it)'],
      ['every protected branch may deploy', { deployment_branch_policy: { protected_branches: true, custom_branch_policies: false } }, 'deployments from every protected branch are allowed (expected "main" only)'],
      ['a wildcard branch rule', { branch_policies: [{ name: 'release/*' }] }, 'deployment branch rules are [branch release/*] (expected "main" only)'],
      ['main and another branch', { branch_policies: [{ name: 'main' }, { name: 'dev' }] }, 'deployment branch rules are [branch main, branch dev] (expected "main" only)'],
      ['a tag rule named main', { branch_policies: [{ name: 'main', type: 'tag' as const }] }, 'deployment branch rules are [tag main] (expected "main" only)'],
    ])('refuses %s', async (_, over, problems) => {
      gh.environments.set('cutover', protectedEnv(over as Partial<FakeEnvironment>));
      expect((await check()).failed).toBe(`Environment "cutover" holds a write role but ${problems}. Fix its settings (Settings → Environments → cutover) as docs/workflow-security.md describes. No role was assumed.`);
    });

    it('reads the environment the workflow names, and fails when GitHub cannot answer instead of passing', async () => {
      gh.environments.set('vm-import', protectedEnv());
      gh.requests.length = 0;
      const vm = stepOf('vm-import.yml', 'environment-check', 'Required reviewers, no self-review, deployments from the main branch only');
      expect((await runScript(vm.with!.script!, gh, context, cwd, vm.env)).failed).toBeUndefined();
      expect(gh.requests).toEqual(['GET /repos/acme/estate/environments/vm-import', 'GET /repos/acme/estate/environments/vm-import/deployment-branch-policies?per_page=100']);
      // GitHub unreachable (nothing listens on port 9 here): the step fails; it never passes unchecked.
      const down = await runScript(vm.with!.script!, { url: 'http://127.0.0.1:9' }, context, cwd, vm.env);
      expect(down.thrown).toBeDefined();
      expect(down.info).toEqual([]);
    });
  });
});
