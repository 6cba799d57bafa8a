import { generatePlan } from '../../bench/plan-review/generate-plan';
import { parsePlan } from '../../src/plan-review/plan';
import { commentMarker, reviewPlans } from '../../src/plan-review/review';
import { octokitComments, OctokitLike, partOf, upsertStickyComments } from '../../src/plan-review/sticky-comments';
import { GitHubFake, startGitHubFake } from './github-fake';
import { loadGetOctokit } from './octokit';

const getOctokit = loadGetOctokit();

/**
 * The sticky-comment logic through the real Octokit of @actions/github (pagination by Link
 * header, REST routes) against a local HTTP fake of the GitHub API.
 */
describe('sticky plan-review comments against a GitHub REST fake', () => {
  let gh: GitHubFake;
  const PR = 42;
  const api = () => octokitComments(getOctokit('test-token', { baseUrl: gh.url }) as unknown as OctokitLike, { owner: 'acme', repo: 'estate', issueNumber: PR });
  const reviewOf = (n: number, id = 'plan-review') => reviewPlans([{ name: 'network', plan: parsePlan(JSON.stringify(generatePlan(n)), 'gen') }], { commentId: id }).comments;
  const ours = (id = 'plan-review') => gh.conversation(PR).filter((c) => partOf(c.body, id) !== undefined);

  beforeAll(async () => {
    gh = await startGitHubFake();
  });
  afterAll(async () => gh.close());

  it('creates every part once, after 250 unrelated comments (3 pages of 100)', async () => {
    for (let i = 0; i < 250; i++) gh.seed(PR, `unrelated comment ${i}`);
    gh.seed(PR + 1, commentMarker('plan-review', 1)); // another PR's review: never touched
    const bodies = reviewOf(400);
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    const r = await upsertStickyComments(api(), 'plan-review', bodies);
    expect(r.created).toHaveLength(bodies.length);
    expect(ours().map((c) => c.body)).toEqual(bodies);
    expect(gh.requests.filter((q) => q.startsWith('GET')).map((q) => new URL(q.split(' ')[1], gh.url).searchParams.get('page') ?? '1')).toEqual(['1', '2', '3']);
  });

  it('finds its parts across pages and updates them in place; an identical run changes nothing', async () => {
    const before = ours().map((c) => c.id);
    const bodies = reviewOf(410);
    expect(bodies.length).toBe(before.length);
    const r = await upsertStickyComments(api(), 'plan-review', bodies);
    expect(r.created).toEqual([]);
    expect(r.updated.length + r.unchanged.length).toBe(bodies.length);
    expect(r.updated.length).toBeGreaterThan(0);
    expect(ours().map((c) => c.id)).toEqual(before);
    expect(ours().map((c) => c.body)).toEqual(bodies);
    gh.requests.length = 0;
    const again = await upsertStickyComments(api(), 'plan-review', bodies);
    expect(again.unchanged).toEqual(before);
    expect(gh.requests.filter((q) => !q.startsWith('GET'))).toEqual([]);
  });

  it('a shorter review deletes the surplus parts; a second review id on the same PR is left alone', async () => {
    const other = await upsertStickyComments(api(), 'staging', reviewOf(1, 'staging'));
    expect(other.created).toHaveLength(1);
    const oldIds = ours().map((c) => c.id);
    const bodies = reviewOf(3);
    expect(bodies).toHaveLength(1);
    const r = await upsertStickyComments(api(), 'plan-review', bodies);
    expect(r.updated).toEqual([oldIds[0]]);
    expect(r.deleted.sort()).toEqual(oldIds.slice(1).sort());
    expect(ours().map((c) => c.body)).toEqual(bodies);
    expect(ours('staging')).toHaveLength(1);
    expect(gh.conversation(PR).filter((c) => c.body.startsWith('unrelated'))).toHaveLength(250);
    expect(gh.conversation(PR + 1)).toHaveLength(1);
  });

  it('deletes a duplicated part left by two racing runs, keeping the oldest', async () => {
    const [kept] = ours();
    const dup = gh.seed(PR, kept.body, 'github-actions[bot]');
    const r = await upsertStickyComments(api(), 'plan-review', [kept.body]);
    expect(r.unchanged).toEqual([kept.id]);
    expect(r.deleted).toEqual([dup.id]);
  });

  it('refuses bodies without their marker, before calling GitHub', async () => {
    gh.requests.length = 0;
    await expect(upsertStickyComments(api(), 'plan-review', ['no marker'])).rejects.toThrow(/does not start with the marker of review "plan-review" part 1/);
    expect(gh.requests).toEqual([]);
  });

  it('the fake enforces GitHub\'s limits (so the size tests mean something)', async () => {
    const octokit = getOctokit('test-token', { baseUrl: gh.url });
    await expect(octokit.rest.issues.createComment({ owner: 'acme', repo: 'estate', issue_number: PR, body: 'x'.repeat(65_537) })).rejects.toThrow(/too long/);
    const anonymous = await fetch(`${gh.url}/repos/acme/estate/issues/${PR}/comments`);
    expect(anonymous.status).toBe(401);
  });
});
