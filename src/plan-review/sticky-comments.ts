/**
 * One sticky set of review comments per pull request: each part carries a hidden marker
 * (`<!-- rehost-factory:plan-review id=ID part=N -->`); a new review updates parts 1..N in place,
 * creates the missing ones and deletes the parts an earlier, longer review left behind. Only
 * comments written by the review's own author count: anyone can write a marker into a comment, and
 * such a planted comment must neither pass for the review nor get edited or deleted by it. Written
 * against a small interface so the logic is tested against a local HTTP fake of the GitHub API.
 */

export interface IssueComment {
  readonly id: number;
  readonly body?: string | null;
  readonly user?: { readonly login: string } | null;
}

/** The author of comments made with the workflow's GITHUB_TOKEN. */
export const DEFAULT_COMMENT_AUTHOR = 'github-actions[bot]';

/** `comment-author` value meaning "whoever the token belongs to" (a personal access token). */
export const AUTHOR_OF_TOKEN = '@token';

/** The login whose comments are the review's: `author` as given, or the token's user for AUTHOR_OF_TOKEN. */
export async function resolveCommentAuthor(api: PullRequestComments, author: string = DEFAULT_COMMENT_AUTHOR): Promise<string> {
  const a = author.trim();
  if (!a) throw new Error(`comment-author: expected a login such as ${DEFAULT_COMMENT_AUTHOR}, or ${AUTHOR_OF_TOKEN}`);
  return a === AUTHOR_OF_TOKEN ? api.authenticatedLogin() : a;
}

/** The GitHub calls the sticky logic needs, on one pull request's conversation. */
export interface PullRequestComments {
  /** Every comment of the conversation, all pages. */
  listAll(): Promise<IssueComment[]>;
  create(body: string): Promise<IssueComment>;
  update(commentId: number, body: string): Promise<IssueComment>;
  delete(commentId: number): Promise<void>;
  /** Login of the token's user (GET /user); GITHUB_TOKEN and App tokens cannot read it. */
  authenticatedLogin(): Promise<string>;
}

export interface StickyOptions {
  /**
   * Login whose comments are the review's (GitHub compares logins case-insensitively); every other
   * comment is left alone, marker or not. @default DEFAULT_COMMENT_AUTHOR
   */
  readonly author?: string;
}

export interface StickyResult {
  readonly created: number[];
  readonly updated: number[];
  readonly unchanged: number[];
  readonly deleted: number[];
  /** Comments with the review's marker by another author: ignored. */
  readonly ignored: number[];
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
export async function upsertStickyComments(api: PullRequestComments, id: string, bodies: readonly string[], options: StickyOptions = {}): Promise<StickyResult> {
  const author = (options.author ?? DEFAULT_COMMENT_AUTHOR).toLowerCase();
  bodies.forEach((b, i) => {
    if (partOf(b, id) !== i + 1) throw new Error(`comment body ${i + 1} does not start with the marker of review "${id}" part ${i + 1}`);
  });
  const existing = new Map<number, IssueComment>();
  const surplus: IssueComment[] = [];
  const ignored: number[] = [];
  for (const c of await api.listAll()) {
    const part = partOf(c.body, id);
    if (part === undefined) continue;
    if (c.user?.login.toLowerCase() !== author) {
      ignored.push(c.id);
      continue;
    }
    // A duplicate part (two runs racing) is surplus: the oldest, listed first, is kept.
    if (existing.has(part) || part > bodies.length) surplus.push(c);
    else existing.set(part, c);
  }
  const result: StickyResult = { created: [], updated: [], unchanged: [], deleted: [], ignored };
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
    users: {
      getAuthenticated(): Promise<{ data: { login: string } }>;
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
    authenticatedLogin: async () => {
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login;
      } catch (e) {
        throw new Error(`comment-author "${AUTHOR_OF_TOKEN}": cannot read the token's user (GET /user: ${(e as Error).message}); the workflow's GITHUB_TOKEN and GitHub App tokens cannot, so name their login instead (${DEFAULT_COMMENT_AUTHOR}, or <app-slug>[bot])`);
      }
    },
  };
}
