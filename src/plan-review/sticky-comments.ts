/**
 * One sticky set of review comments per pull request: each part carries a hidden marker
 * (`<!-- rehost-factory:plan-review id=ID part=N -->`); a new review updates parts 1..N in place,
 * creates the missing ones and deletes the parts an earlier, longer review left behind. Written
 * against a small interface so the logic is tested against a local HTTP fake of the GitHub API.
 */

export interface IssueComment {
  readonly id: number;
  readonly body?: string | null;
}

/** The GitHub calls the sticky logic needs, on one pull request's conversation. */
export interface PullRequestComments {
  /** Every comment of the conversation, all pages. */
  listAll(): Promise<IssueComment[]>;
  create(body: string): Promise<IssueComment>;
  update(commentId: number, body: string): Promise<IssueComment>;
  delete(commentId: number): Promise<void>;
}

export interface StickyResult {
  readonly created: number[];
  readonly updated: number[];
  readonly unchanged: number[];
  readonly deleted: number[];
}

const MARKER = /^<!-- rehost-factory:plan-review id=(\S+) part=(\d+) -->/;

/** The part number of a comment that belongs to review `id`, else undefined. */
export function partOf(body: string | null | undefined, id: string): number | undefined {
  const m = MARKER.exec(body ?? '');
  return m && m[1] === id ? Number(m[2]) : undefined;
}

/**
 * Makes the conversation's parts of review `id` equal to `bodies` (each must start with its
 * marker). Idempotent: a second call with the same bodies changes nothing.
 */
export async function upsertStickyComments(api: PullRequestComments, id: string, bodies: readonly string[]): Promise<StickyResult> {
  bodies.forEach((b, i) => {
    if (partOf(b, id) !== i + 1) throw new Error(`comment body ${i + 1} does not start with the marker of review "${id}" part ${i + 1}`);
  });
  const existing = new Map<number, IssueComment>();
  const surplus: IssueComment[] = [];
  for (const c of await api.listAll()) {
    const part = partOf(c.body, id);
    if (part === undefined) continue;
    // A duplicate part (two runs racing) is surplus: the oldest, listed first, is kept.
    if (existing.has(part) || part > bodies.length) surplus.push(c);
    else existing.set(part, c);
  }
  const result: StickyResult = { created: [], updated: [], unchanged: [], deleted: [] };
  for (let i = 0; i < bodies.length; i++) {
    const current = existing.get(i + 1);
    if (!current) result.created.push((await api.create(bodies[i])).id);
    else if (current.body === bodies[i]) result.unchanged.push(current.id);
    else result.updated.push((await api.update(current.id, bodies[i])).id);
  }
  for (const c of surplus) {
    await api.delete(c.id);
    result.deleted.push(c.id);
  }
  return result;
}

/** The Octokit calls `PullRequestComments` maps to (the subset of `octokit.rest` used here). */
export interface OctokitLike {
  paginate<T>(route: unknown, params: Record<string, unknown>): Promise<T[]>;
  rest: {
    issues: {
      listComments: unknown;
      createComment(p: { owner: string; repo: string; issue_number: number; body: string }): Promise<{ data: IssueComment }>;
      updateComment(p: { owner: string; repo: string; comment_id: number; body: string }): Promise<{ data: IssueComment }>;
      deleteComment(p: { owner: string; repo: string; comment_id: number }): Promise<unknown>;
    };
  };
}

/** `PullRequestComments` over Octokit (`@actions/github` getOctokit), 100 comments per page. */
export function octokitComments(octokit: OctokitLike, target: { owner: string; repo: string; issueNumber: number }): PullRequestComments {
  const { owner, repo, issueNumber } = target;
  return {
    listAll: () => octokit.paginate<IssueComment>(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 }),
    create: async (body) => (await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body })).data,
    update: async (commentId, body) => (await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body })).data,
    delete: async (commentId) => {
      await octokit.rest.issues.deleteComment({ owner, repo, comment_id: commentId });
    },
  };
}
