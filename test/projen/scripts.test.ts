import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptContext } from '../../src/projen/scripts/context';
import { driftIssue } from '../../src/projen/scripts/drift-issue';
import { environmentCheck } from '../../src/projen/scripts/environment-check';
import { reviewedPlan } from '../../src/projen/scripts/reviewed-plan';
import { FakeEnvironment, GitHubFake, startGitHubFake } from '../plan-review/github-fake';
import { loadGetOctokit } from '../plan-review/octokit';

/**
 * The workflow scripts called as functions, each with a real Octokit (@actions/github) against the
 * local GitHub REST fake, the run's context, and a `core` that records what the script reports.
 * test/projen/workflows/github-scripts.test.ts runs the same code as embedded in the generated workflows.
 */
const getOctokit = loadGetOctokit();

interface Recorded { failed?: string; outputs: Record<string, string>; info: string[] }

function ctx(url: string, over: Partial<ScriptContext['context']> = {}): { ctx: ScriptContext; rec: Recorded } {
  const rec: Recorded = { outputs: {}, info: [] };
  const core = { setFailed: (m: string) => void (rec.failed = m), setOutput: (k: string, v: string) => void (rec.outputs[k] = v), info: (m: string) => void rec.info.push(m) };
  const context = { repo: { owner: 'acme', repo: 'estate' }, sha: 'abc123', ref: 'refs/heads/main', serverUrl: 'https://github.com', runId: 77, ...over };
  return { ctx: { github: getOctokit('test-token', { baseUrl: url }), context, core }, rec };
}

/** Runs `fn` with these environment variables set, then restores the environment. */
async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
}

describe('workflow scripts (src/projen/scripts) against the GitHub REST fake', () => {
  let gh: GitHubFake;
  beforeAll(async () => {
    gh = await startGitHubFake();
  });
  afterAll(async () => gh.close());

  describe('environmentCheck', () => {
    const reviewers = [{ type: 'User' as const, reviewer: { login: 'lead' } }];
    const protectedEnv = (over: Partial<FakeEnvironment> = {}): FakeEnvironment => ({
      protection_rules: [{ type: 'required_reviewers', prevent_self_review: true, reviewers }],
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      branch_policies: [{ name: 'release', type: 'branch' }],
      ...over,
    });
    const check = async (environment: string | undefined, branch: string | undefined) => {
      const { ctx: c, rec } = ctx(gh.url);
      await withEnv({ ENVIRONMENT: environment, BRANCH: branch }, () => environmentCheck(c));
      return rec;
    };

    it('passes an environment with a reviewer, no self-review and only the given branch', async () => {
      gh.environments.set('infra-prod', protectedEnv());
      gh.requests.length = 0;
      const rec = await check('infra-prod', 'release');
      expect(rec).toEqual({ outputs: {}, info: ['Environment "infra-prod": required reviewers, no self-review, deployments from "release" only.'] });
      expect(gh.requests).toEqual(['GET /repos/acme/estate/environments/infra-prod', 'GET /repos/acme/estate/environments/infra-prod/deployment-branch-policies?per_page=100']);
    });

    it('fails when the branch rule names another branch than the one given', async () => {
      gh.environments.set('infra-prod', protectedEnv());
      expect((await check('infra-prod', 'main')).failed).toContain('deployment branch rules are [branch release] (expected "main" only)');
    });

    it('fails for a missing environment, and lists every problem of an unprotected one', async () => {
      gh.environments.delete('nowhere');
      expect((await check('nowhere', 'main')).failed).toMatch(/^Environment "nowhere" does not exist\. Create it .* No role was assumed\.$/);
      gh.environments.set('open', protectedEnv({ protection_rules: [], deployment_branch_policy: null }));
      expect((await check('open', 'main')).failed).toBe('Environment "open" holds a write role but no required reviewers; deployments from every branch are allowed (expected "main" only). Fix its settings (Settings → Environments → open) as docs/workflow-security.md describes. No role was assumed.');
    });

    it('fails without the environment or branch to check, before asking GitHub', async () => {
      gh.requests.length = 0;
      expect((await check(undefined, 'main')).failed).toMatch(/\$ENVIRONMENT and \$BRANCH/);
      expect((await check('infra-prod', '')).failed).toMatch(/\$ENVIRONMENT and \$BRANCH/);
      expect(gh.requests).toEqual([]);
    });

    it('throws (fails the step) when GitHub cannot answer, instead of passing', async () => {
      const { ctx: c, rec } = ctx('http://127.0.0.1:9');
      await expect(withEnv({ ENVIRONMENT: 'infra-prod', BRANCH: 'main' }, () => environmentCheck(c))).rejects.toThrow();
      expect(rec.info).toEqual([]);
    });
  });

  describe('reviewedPlan', () => {
    it('sets run-id and pr from the last successful infra-plan run of the merged pull request', async () => {
      gh.commitPulls.set('c0ffee', [
        { number: 40, merged_at: null, base: { ref: 'main' }, head: { sha: 'aaaaaa' } },
        { number: 41, merged_at: '2026-11-22T04:00:00Z', base: { ref: 'main' }, head: { sha: 'bbbbbb' } },
      ]);
      gh.workflowRuns.set('infra-plan.yml', [
        { id: 7001, head_sha: 'bbbbbb', event: 'pull_request', status: 'completed', conclusion: 'success', html_url: 'https://github.com/acme/estate/actions/runs/7001' },
        { id: 7000, head_sha: 'aaaaaa', event: 'pull_request', status: 'completed', conclusion: 'success', html_url: 'x' },
      ]);
      const { ctx: c, rec } = ctx(gh.url, { sha: 'c0ffee' });
      await reviewedPlan(c);
      expect(rec).toEqual({ outputs: { 'run-id': '7001', pr: '41' }, info: ['Reviewed plan: pull request #41, run https://github.com/acme/estate/actions/runs/7001'] });
    });

    it('fails for a commit merged into another branch, and for a merged pull request without a successful plan', async () => {
      const other = ctx(gh.url, { sha: 'c0ffee', ref: 'refs/heads/release' });
      await reviewedPlan(other.ctx);
      expect(other.rec.failed).toBe('c0ffee was not merged from a pull request, so no reviewed plan exists. Infrastructure changes reach main through pull requests; nothing was applied.');
      gh.commitPulls.set('deadbe', [{ number: 42, merged_at: '2026-11-22T05:00:00Z', base: { ref: 'main' }, head: { sha: 'cccccc' } }]);
      const unplanned = ctx(gh.url, { sha: 'deadbe' });
      await reviewedPlan(unplanned.ctx);
      expect(unplanned.rec.failed).toBe('No successful infra-plan run for pull request #42 at its last commit cccccc: the merged change was never reviewed. Nothing was applied.');
      expect(unplanned.rec.outputs).toEqual({});
    });
  });

  describe('driftIssue', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-drift-issue-'));
    const reviewFile = join(dir, 'comment-1.md');
    const open = () => [...gh.issues.values()].filter((i) => i.state === 'open' && i.labels.includes('infra-drift'));
    const run = async (drifted: string) => {
      const { ctx: c, rec } = ctx(gh.url, { runId: 90 });
      await withEnv({ DRIFTED: drifted }, () => driftIssue(c, reviewFile));
      return rec;
    };

    it('opens one issue with the review, without its marker line', async () => {
      writeFileSync(reviewFile, '<!-- rehost-factory:plan-review id=drift part=1 -->\n## Drift\n| <code>network</code> | <code>aws_subnet.a</code> | deleted outside Terraform |');
      const rec = await run('true');
      expect(open()).toHaveLength(1);
      expect(rec.info).toEqual([`Opened #${open()[0].number}`]);
      expect(open()[0].body).toMatch(/^Drift found by \[the scheduled plan\]\(https:\/\/github\.com\/acme\/estate\/actions\/runs\/90\) on \d{4}-\d{2}-\d{2}: .*\n\n## Drift\n/);
      expect(open()[0].body).not.toContain('<!--');
    });

    it('updates the open issue on the next drift', async () => {
      const [issue] = open();
      writeFileSync(reviewFile, '<!-- rehost-factory:plan-review id=drift part=1 -->\n## Drift\n| <code>mgn</code> | <code>aws_kms_key.k</code> | changed outside Terraform |');
      expect((await run('true')).info).toEqual([`Updated #${issue.number}`]);
      expect(open().map((i) => i.number)).toEqual([issue.number]);
      expect(open()[0].body).toContain('aws_kms_key.k');
    });

    it('closes the issue with a comment once the drift is gone, then does nothing', async () => {
      const [issue] = open();
      await run('false');
      expect(gh.issues.get(issue.number)).toMatchObject({ state: 'closed', state_reason: 'completed' });
      expect(gh.conversation(issue.number).map((c) => c.body)).toEqual(['No drift any more as of [this run](https://github.com/acme/estate/actions/runs/90). Closing.']);
      gh.requests.length = 0;
      await run('false');
      expect(gh.requests.filter((q) => !q.startsWith('GET'))).toEqual([]);
    });

    it('fails (throws) when the drift review is missing, without opening an issue', async () => {
      const before = gh.issues.size;
      const { ctx: c } = ctx(gh.url);
      await expect(withEnv({ DRIFTED: 'true' }, () => driftIssue(c, join(dir, 'missing.md')))).rejects.toThrow(/ENOENT/);
      expect(gh.issues.size).toBe(before);
    });
  });
});
