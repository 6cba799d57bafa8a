import type { ScriptContext } from './context';

/**
 * Finds the infra-plan run that reviewed the change being applied: the pull request merged as the
 * pushed commit, then the last successful infra-plan run of that pull request's head commit. Sets
 * the outputs `run-id` (whose `infra-plan` artifact holds the reviewed plans) and `pr`; fails when
 * the commit did not come from a pull request or its last commit was never planned successfully.
 */
export async function reviewedPlan({ github, context, core }: ScriptContext): Promise<void> {
  const { owner, repo } = context.repo;
  const { data: prs } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: context.sha });
  const pr = prs.find((p) => p.merged_at && p.base.ref === context.ref.replace('refs/heads/', ''));
  if (!pr) {
    core.setFailed(`${context.sha} was not merged from a pull request, so no reviewed plan exists. Infrastructure changes reach main through pull requests; nothing was applied.`);
    return;
  }
  const { data } = await github.rest.actions.listWorkflowRuns({ owner, repo, workflow_id: 'infra-plan.yml', event: 'pull_request', head_sha: pr.head.sha, status: 'success', per_page: 1 });
  const run = data.workflow_runs[0];
  if (!run) {
    core.setFailed(`No successful infra-plan run for pull request #${pr.number} at its last commit ${pr.head.sha}: the merged change was never reviewed. Nothing was applied.`);
    return;
  }
  core.info(`Reviewed plan: pull request #${pr.number}, run ${run.html_url}`);
  core.setOutput('run-id', String(run.id));
  core.setOutput('pr', String(pr.number));
}
