import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixturesDir, generatePlan } from '../../bench/plan-review/generate-plan';
import { partOf } from '../../src/plan-review/sticky-comments';
import { ROOT } from '../support/tools';
import { GitHubFake, startGitHubFake } from './github-fake';

const run = promisify(execFile);

/**
 * The committed action bundle (actions/plan-review/dist/index.js) run as the GitHub runner runs
 * it: inputs as INPUT_* variables, a pull_request event file, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, and the REST API at GITHUB_API_URL (here the local fake).
 */
describe('plan-review action bundle on a pull_request event', () => {
  let gh: GitHubFake;
  const tmp = mkdtempSync(join(tmpdir(), 'rehost-action-'));
  beforeAll(async () => {
    gh = await startGitHubFake();
  });
  afterAll(async () => gh.close());

  let runs = 0;
  async function runAction(labels: string[], inputs: Record<string, string> = {}): Promise<{ code: number; stdout: string; outputs: Record<string, string>; summary: string }> {
    const n = ++runs;
    const event = join(tmp, `event-${n}.json`);
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7, labels: labels.map((name) => ({ name })) }, repository: { name: 'estate', owner: { login: 'acme' } } }));
    const outputFile = join(tmp, `output-${n}`);
    const summaryFile = join(tmp, `summary-${n}.md`);
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const dir = fixturesDir();
    const env = {
      PATH: process.env.PATH,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/estate',
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '99',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      INPUT_PLANS: `network=${join(dir, 'borchero-replace-sensitive.json')}\nsecurity=${join(dir, 'borchero-create-300.json')}`,
      'INPUT_GITHUB-TOKEN': 'test-token',
      INPUT_COMMENT: 'true',
      'INPUT_COMMENT-ID': 'plan-review',
      'INPUT_OVERRIDE-LABEL': 'allow-critical-infra-change',
      'INPUT_DEFAULT-CRITICAL-RULES': 'true',
      'INPUT_CRITICAL-RULES': 'stack=network,type=local_file # estate file',
      'INPUT_MASK-PATTERNS': '',
      'INPUT_MAX-COMMENTS': '10',
      ...inputs,
    };
    let code = 0;
    let stdout = '';
    try {
      stdout = (await run(process.execPath, [join(ROOT, 'actions', 'plan-review', 'dist', 'index.js')], { env, timeout: 60_000 })).stdout;
    } catch (e) {
      const err = e as { code: number; stdout: string };
      code = err.code;
      stdout = err.stdout;
    }
    // GITHUB_OUTPUT holds name<<delimiter\nvalue\ndelimiter blocks.
    const outputs: Record<string, string> = {};
    for (const m of readFileSync(outputFile, 'utf8').matchAll(/^(\S+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
    return { code, stdout, outputs, summary: readFileSync(summaryFile, 'utf8') };
  }

  it('without the override label: comments posted, outputs set, the step fails on the guard', async () => {
    // A marker comment someone else wrote: the action must neither adopt nor delete it.
    const planted = gh.seed(7, '<!-- rehost-factory:plan-review id=plan-review part=1 -->\n\n## Terraform plan review\n\n**1 stack: no changes.**', 'mallory');
    const r = await runAction([]);
    expect(gh.comments.get(planted.id)?.body).toContain('no changes');
    expect(r.stdout).toContain(`::warning::Pull request #7: 1 comment(s) carry the plan-review marker but were not written by github-actions[bot]; they were left alone: ${planted.id}`);
    gh.comments.delete(planted.id);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::Migration-critical resources would be destroyed or replaced: network: local_file.test (replace); network: local_file.test3 (replace). Add the label "allow-critical-infra-change"');
    expect(r.outputs).toMatchObject({ has_changes: 'true', has_destroy: 'true', guard_tripped: 'true' });
    const counts = JSON.parse(r.outputs.counts);
    expect(counts.total).toEqual({ create: 300, update: 0, delete: 0, replace: 2, import: 0, move: 0, forget: 0, read: 0, noop: 1 });
    expect(counts.stacks.map((s: any) => s.name)).toEqual(['network', 'security']);
    const parts = gh.conversation(7).map((c) => partOf(c.body, 'plan-review'));
    expect(parts).toEqual(Array.from({ length: Number(r.outputs.comment_count) }, (_, i) => i + 1));
    expect(parts.length).toBeGreaterThan(1);
    expect(r.summary).toContain('## Terraform plan review');
    expect(r.summary).not.toContain('<!-- rehost-factory:plan-review');
  });

  it('with the label: the same comments are updated in place and the step passes', async () => {
    const ids = gh.conversation(7).map((c) => c.id);
    const r = await runAction(['allow-critical-infra-change']);
    expect(r.code).toBe(0);
    expect(r.outputs.guard_tripped).toBe('false');
    expect(r.stdout).toContain('::warning::Migration-critical changes allowed by the label "allow-critical-infra-change"');
    expect(gh.conversation(7).map((c) => c.id)).toEqual(ids);
    expect(gh.conversation(7)[0].body).toContain('The pull request carries <code>allow-critical-infra-change</code>: the review passes.');
  });

  it('a 10,000-change plan: the job summary is cut between blocks at 1 MiB, summary first, the rest counted', async () => {
    const file = join(tmp, 'bench.json');
    writeFileSync(file, JSON.stringify(generatePlan(10_000)));
    const r = await runAction([], { INPUT_PLANS: `bench=${file}`, INPUT_COMMENT: 'false', 'INPUT_CRITICAL-RULES': '' });
    expect(r.code).toBe(0);
    const bytes = Buffer.byteLength(r.summary);
    expect(bytes).toBeLessThanOrEqual(1_048_576);
    expect(bytes).toBeGreaterThan(1_000_000);
    expect(r.summary).toMatch(/^## Terraform plan review\n\n\*\*1 stack: /);
    expect(r.summary).toContain('### Destroyed and replaced');
    const note = /\*\*Not shown:\*\* ([\d,]+) resource diffs — the review is longer than the job summary allows \(1,048,576 bytes\)\. The full plan is in the artifacts of \[the workflow run\]\(https:\/\/github\.com\/acme\/estate\/actions\/runs\/99\)\./.exec(r.summary);
    expect(note).not.toBeNull();
    const shown = (r.summary.match(/<details><summary>/g) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown + Number(note![1].replace(/,/g, ''))).toBe(10_000);
  }, 60_000);
});
