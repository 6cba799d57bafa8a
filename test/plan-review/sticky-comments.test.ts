import { generatePlan } from '../../bench/plan-review/generate-plan';
import { parsePlan } from '../../src/plan-review/plan';
import { commentMarker, reviewPlans } from '../../src/plan-review/review';
import { octokitComments, OctokitLike, partOf, resolveCommentAuthor, upsertStickyComments } from '../../src/plan-review/sticky-comments';
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
  const api = (token = 'test-token', issueNumber = PR) => octokitComments(getOctokit(token, { baseUrl: gh.url }) as unknown as OctokitLike, { owner: 'acme', repo: 'estate', issueNumber });
  const reviewOf = (n: number, id = 'plan-review') => reviewPlans([{ name: 'network', plan: parsePlan(JSON.stringify(generatePlan(n)), 'gen') }], { commentId: id }).comments;
  const ours = (id = 'plan-review', login = 'github-actions[bot]') => gh.conversation(PR).filter((c) => partOf(c.body, id) !== undefined && c.user.login === login);

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

  it('ignores marker comments planted by someone else: never adopted, edited or deleted', async () => {
    const planted = [
      gh.seed(PR, `${commentMarker('plan-review', 1)}\n\n## Terraform plan review\n\n**1 stack: no changes.**`, 'mallory'),
      gh.seed(PR, `${commentMarker('plan-review', 7)}\nstale part`, 'mallory'),
    ];
    const [kept] = ours();
    const bodies = reviewOf(5);
    const r = await upsertStickyComments(api(), 'plan-review', bodies);
    expect(r.ignored).toEqual(planted.map((c) => c.id));
    expect(r.deleted).toEqual([]);
    expect([...r.updated, ...r.unchanged]).toEqual([kept.id]);
    expect(gh.requests.filter((q) => /^(PATCH|DELETE) /.test(q) && planted.some((c) => q.endsWith(`/${c.id}`)))).toEqual([]);
    expect(planted.map((c) => gh.comments.get(c.id)?.user.login)).toEqual(['mallory', 'mallory']);
    expect(ours().map((c) => c.body)).toEqual(bodies);
  });

  it('comment-author @token: a personal token\'s own comments are the review; GITHUB_TOKEN cannot name itself', async () => {
    const pr = PR + 2;
    gh.users.set('pat-token', 'octo-operator');
    const pat = api('pat-token', pr);
    const author = await resolveCommentAuthor(pat, '@token');
    expect(author).toBe('octo-operator');
    gh.seed(pr, `${commentMarker('plan-review', 1)}\nby the bot, not this token`, 'github-actions[bot]');
    const first = await upsertStickyComments(pat, 'plan-review', reviewOf(1), { author });
    expect(first.created).toHaveLength(1);
    expect(first.ignored).toHaveLength(1);
    const again = await upsertStickyComments(pat, 'plan-review', reviewOf(2), { author: 'Octo-Operator' });
    expect(again.updated).toEqual(first.created);
    expect(gh.conversation(pr).map((c) => c.user.login)).toEqual(['github-actions[bot]', 'octo-operator']);
    await expect(resolveCommentAuthor(api(), '@token')).rejects.toThrow(/cannot read the token's user \(GET \/user: Resource not accessible by integration.*name their login instead/);
    await expect(resolveCommentAuthor(api(), ' ')).rejects.toThrow(/comment-author: expected a login/);
    expect(await resolveCommentAuthor(api(), 'rehost-bot[bot]')).toBe('rehost-bot[bot]');
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
