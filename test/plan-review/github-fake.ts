import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A local HTTP fake of the part of the GitHub REST API the sticky comments use, speaking GitHub's
 * wire format: issue comments listed in pages (`per_page` default 30, max 100) with RFC 8288
 * `Link` headers, created (201), updated (200) and deleted (204) by id; 401 without a token; 422 for
 * a body over 65,536 characters, the error GitHub returns. A comment's author is the token's user:
 * `github-actions[bot]` unless `users` maps the token to a login; GET /user answers for those
 * tokens and, like GitHub for an installation token, 403 for the bot's. Environments answer as
 * GitHub's "Get an environment" (protection rules, deployment branch policy; 404 for an unknown
 * name) and "List deployment branch policies".
 */
export interface FakeComment {
  id: number;
  body: string;
  user: { login: string };
  issue: number;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason?: string;
  labels: string[];
}

/** An environment as GitHub's REST API returns it (the fields the environment check reads). */
export interface FakeEnvironment {
  protection_rules: Array<{ type: 'required_reviewers'; prevent_self_review: boolean; reviewers: Array<{ type: 'User' | 'Team'; reviewer: { login?: string; slug?: string } }> } | { type: 'wait_timer'; wait_timer: number } | { type: 'branch_policy' }>;
  /** null: every branch may deploy. */
  deployment_branch_policy: null | { protected_branches: boolean; custom_branch_policies: boolean };
  /** The custom deployment branch (or tag) rules. */
  branch_policies?: Array<{ name: string; type?: 'branch' | 'tag' }>;
}

export interface GitHubFake {
  readonly url: string;
  /** Issues by number (issue numbers and PR numbers share one sequence on GitHub; here from 500). */
  readonly issues: Map<number, FakeIssue>;
  /** Pull requests associated with a commit SHA (GET /repos/:o/:r/commits/:sha/pulls). */
  readonly commitPulls: Map<string, unknown[]>;
  /** Workflow runs per workflow file (GET /repos/:o/:r/actions/workflows/:file/runs). */
  readonly workflowRuns: Map<string, Array<{ id: number; head_sha: string; event: string; status: string; conclusion: string; html_url: string }>>;
  /** Comments by id, in creation order. */
  readonly comments: Map<number, FakeComment>;
  /** Environments by name. */
  readonly environments: Map<string, FakeEnvironment>;
  /** "METHOD path?query" of every request, in order. */
  readonly requests: string[];
  /** Tokens of (personal) users, by token: their comments are theirs, GET /user names them. */
  readonly users: Map<string, string>;
  seed(issue: number, body: string, login?: string): FakeComment;
  conversation(issue: number): FakeComment[];
  close(): Promise<void>;
}

const BODY_LIMIT = 65_536;

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
}

export async function startGitHubFake(): Promise<GitHubFake> {
  const comments = new Map<number, FakeComment>();
  const issues = new Map<number, FakeIssue>();
  const commitPulls = new Map<string, unknown[]>();
  const workflowRuns = new Map<string, Array<{ id: number; head_sha: string; event: string; status: string; conclusion: string; html_url: string }>>();
  let nextIssue = 500;
  const requests: string[] = [];
  const users = new Map<string, string>();
  const environments = new Map<string, FakeEnvironment>();
  let nextId = 1000;
  let base = '';
  const toJson = (c: FakeComment) => ({ id: c.id, body: c.body, user: c.user, html_url: `${base}/comments/${c.id}` });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const auth = /^(?:token|Bearer) (\S+)/.exec(req.headers.authorization ?? '');
    if (!auth) return send(res, 401, { message: 'Requires authentication' });
    const login = users.get(auth[1]) ?? 'github-actions[bot]';
    if (url.pathname === '/user' && req.method === 'GET') {
      return users.has(auth[1]) ? send(res, 200, { login, type: 'User' }) : send(res, 403, { message: 'Resource not accessible by integration' });
    }
    const issueJson = (i: FakeIssue) => ({ ...i, labels: i.labels.map((name) => ({ name })) });
    if (/^\/repos\/[^/]+\/[^/]+\/issues$/.test(url.pathname)) {
      if (req.method === 'GET') {
        const state = url.searchParams.get('state') ?? 'open';
        const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
        return send(res, 200, [...issues.values()].filter((i) => (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l))).reverse().map(issueJson));
      }
      const { title, body, labels } = await readJson(req);
      const issue: FakeIssue = { number: nextIssue++, title: String(title), body: String(body ?? ''), state: 'open', labels: (labels as string[] | undefined) ?? [] };
      issues.set(issue.number, issue);
      return send(res, 201, issueJson(issue));
    }
    const issuePatch = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/.exec(url.pathname);
    if (issuePatch && req.method === 'PATCH') {
      const issue = issues.get(Number(issuePatch[1]));
      if (!issue) return send(res, 404, { message: 'Not Found' });
      Object.assign(issue, await readJson(req));
      return send(res, 200, issueJson(issue));
    }
    const pulls = /^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]+)\/pulls$/.exec(url.pathname);
    if (pulls) return send(res, 200, commitPulls.get(pulls[1]) ?? []);
    const runs = /^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/([^/]+)\/runs$/.exec(url.pathname);
    if (runs) {
      const p = url.searchParams;
      const found = (workflowRuns.get(runs[1]) ?? []).filter((r) => (!p.get('event') || r.event === p.get('event')) && (!p.get('head_sha') || r.head_sha === p.get('head_sha')) && (!p.get('status') || r.status === p.get('status') || r.conclusion === p.get('status')));
      return send(res, 200, { total_count: found.length, workflow_runs: found.slice(0, Number(p.get('per_page') ?? 30)) });
    }
    const environment = /^\/repos\/[^/]+\/[^/]+\/environments\/([^/]+)(\/deployment-branch-policies)?$/.exec(url.pathname);
    if (environment && req.method === 'GET') {
      const name = decodeURIComponent(environment[1]);
      const e = environments.get(name);
      if (!e) return send(res, 404, { message: 'Not Found' });
      if (environment[2]) {
        const policies = (e.branch_policies ?? []).map((p, i) => ({ id: 361000 + i, node_id: `MDE2OkdhdGVCcmFuY2hQb2xpY3kzNjEwMD${i}`, name: p.name, type: p.type ?? 'branch' }));
        return send(res, 200, { total_count: policies.length, branch_policies: policies });
      }
      const rules = e.protection_rules.map((r, i) => ({ id: 3515 + i, node_id: `MDQ6R2F0ZTM1MT${i}`, ...r }));
      return send(res, 200, { id: 56780428, node_id: 'MDExOkVudmlyb25tZW50NTY3ODA0Mjg=', name, url: `${base}/repos/x/y/environments/${environment[1]}`, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', protection_rules: rules, deployment_branch_policy: e.deployment_branch_policy });
    }
    const list = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname);
    const one = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (list && req.method === 'GET') {
      const issue = Number(list[1]);
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
      const page = Number(url.searchParams.get('page') ?? 1);
      const all = [...comments.values()].filter((c) => c.issue === issue);
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const link = (p: number, rel: string) => {
        const u = new URL(url.toString());
        u.searchParams.set('page', String(p));
        u.searchParams.set('per_page', String(perPage));
        return `<${u.toString()}>; rel="${rel}"`;
      };
      const links = [];
      if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
      if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
      return send(res, 200, all.slice((page - 1) * perPage, page * perPage).map(toJson), links.length ? { link: links.join(', ') } : {});
    }
    if (list && req.method === 'POST') {
      const { body } = await readJson(req);
      if (typeof body !== 'string') return send(res, 422, { message: 'Invalid request.\n\n"body" wasn\'t supplied.' });
      if (body.length > BODY_LIMIT) return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${BODY_LIMIT} characters)` }] });
      const c: FakeComment = { id: nextId++, body, user: { login }, issue: Number(list[1]) };
      comments.set(c.id, c);
      return send(res, 201, toJson(c));
    }
    if (one) {
      const c = comments.get(Number(one[1]));
      if (!c) return send(res, 404, { message: 'Not Found' });
      if (req.method === 'PATCH') {
        const { body } = await readJson(req);
        if (typeof body !== 'string' || body.length > BODY_LIMIT) return send(res, 422, { message: 'Validation Failed' });
        c.body = body;
        return send(res, 200, toJson(c));
      }
      if (req.method === 'DELETE') {
        comments.delete(c.id);
        return send(res, 204);
      }
    }
    return send(res, 404, { message: 'Not Found' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => send(res, 500, { message: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    comments,
    issues,
    commitPulls,
    workflowRuns,
    requests,
    users,
    environments,
    seed(issue, body, login = 'someone') {
      const c: FakeComment = { id: nextId++, body, user: { login }, issue };
      comments.set(c.id, c);
      return c;
    },
    conversation: (issue) => [...comments.values()].filter((c) => c.issue === issue),
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
