import type { ScriptContext } from './context';

/**
 * Reads the protection rules of the environment named by $ENVIRONMENT and fails the step unless it
 * requires a reviewer, prevents self-review and deploys only from the branch $BRANCH. A job that
 * assumes a write role runs in such an environment; GitHub creates a missing environment,
 * unprotected, the first time a job names it, so this check runs first, without credentials.
 */
export async function environmentCheck({ github, context, core }: ScriptContext): Promise<void> {
  const { owner, repo } = context.repo;
  const name = process.env.ENVIRONMENT;
  const branch = process.env.BRANCH;
  if (!name || !branch) {
    core.setFailed('The environment check needs the environment and branch to check in $ENVIRONMENT and $BRANCH. No role was assumed.');
    return;
  }
  const path = { owner, repo, environment_name: name };
  let env;
  try {
    ({ data: env } = await github.request('GET /repos/{owner}/{repo}/environments/{environment_name}', path));
  } catch (e) {
    if ((e as { status?: number }).status !== 404) throw e;
    core.setFailed(`Environment "${name}" does not exist. Create it (Settings → Environments) with required reviewers, "Prevent self-review" and the deployment branch "${branch}" only, as docs/workflow-security.md describes. No role was assumed.`);
    return;
  }
  const problems: string[] = [];
  type ReviewRule = { reviewers?: unknown[]; prevent_self_review?: boolean };
  const review = (env.protection_rules || []).filter((r) => r.type === 'required_reviewers') as ReviewRule[];
  if (!review.some((r) => (r.reviewers || []).length > 0)) problems.push('no required reviewers');
  else if (!review.some((r) => r.prevent_self_review === true)) problems.push('self-review is allowed (the person who starts a run could approve it)');
  const policy = env.deployment_branch_policy;
  if (!policy) problems.push(`deployments from every branch are allowed (expected "${branch}" only)`);
  else if (policy.protected_branches) problems.push(`deployments from every protected branch are allowed (expected "${branch}" only)`);
  else {
    const { data } = await github.request('GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', { ...path, per_page: 100 });
    const rules = data.branch_policies.map((p: { type?: string; name?: string }) => `${p.type || 'branch'} ${p.name}`);
    if (rules.length !== 1 || rules[0] !== `branch ${branch}`) problems.push(`deployment branch rules are [${rules.join(', ')}] (expected "${branch}" only)`);
  }
  if (problems.length) core.setFailed(`Environment "${name}" holds a write role but ${problems.join('; ')}. Fix its settings (Settings → Environments → ${name}) as docs/workflow-security.md describes. No role was assumed.`);
  else core.info(`Environment "${name}": required reviewers, no self-review, deployments from "${branch}" only.`);
}
