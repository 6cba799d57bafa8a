import { readFileSync } from 'fs';
import type { ScriptContext } from './context';

/** The label of the one open drift issue. */
export const DRIFT_LABEL = 'infra-drift';

/**
 * Keeps one open issue, labelled `infra-drift`, in step with the scheduled drift detection. With
 * $DRIFTED "true" it opens the issue, or updates the open one, with the drift review (the first
 * comment of `plan-review --id drift`, without its sticky marker line); otherwise it comments on the
 * open issue and closes it, or does nothing when there is none.
 */
export async function driftIssue({ github, context, core }: ScriptContext, reviewFile = 'drift-review/comment-1.md'): Promise<void> {
  const { owner, repo } = context.repo;
  const runUrl = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
  const open = await github.paginate(github.rest.issues.listForRepo, { owner, repo, state: 'open', labels: DRIFT_LABEL, per_page: 100 });
  const issue = open.find((i) => !i.pull_request);
  if (process.env.DRIFTED !== 'true') {
    if (issue) {
      await github.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: `No drift any more as of [this run](${runUrl}). Closing.` });
      await github.rest.issues.update({ owner, repo, issue_number: issue.number, state: 'closed', state_reason: 'completed' });
    }
    return;
  }
  // The review starts with its sticky marker line; the issue starts with where it came from.
  const review = readFileSync(reviewFile, 'utf8').replace(/^<!--.*-->\n/, '');
  const body = `Drift found by [the scheduled plan](${runUrl}) on ${new Date().toISOString().slice(0, 10)}: the resources below differ from the configuration or were changed outside Terraform.\n\n${review}`;
  if (issue) {
    await github.rest.issues.update({ owner, repo, issue_number: issue.number, body });
    core.info(`Updated #${issue.number}`);
  } else {
    const { data } = await github.rest.issues.create({ owner, repo, title: 'Infrastructure drift detected', labels: [DRIFT_LABEL], body });
    core.info(`Opened #${data.number}`);
  }
}
