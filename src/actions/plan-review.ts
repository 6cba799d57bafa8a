/**
 * GitHub Action `plan-review` (actions/plan-review/action.yml): reads inputs, reviews the plans,
 * keeps one sticky comment set on the pull request, writes the job summary and sets the outputs.
 * All logic lives in src/plan-review/ and knows nothing about GitHub.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { DEFAULT_CRITICAL_RULES, parseCriticalRule } from '../plan-review/guard';
import { parseMaskPatterns } from '../plan-review/mask';
import { readPlanSpec, reviewPlans } from '../plan-review/review';
import { DEFAULT_COMMENT_AUTHOR, octokitComments, OctokitLike, resolveCommentAuthor, upsertStickyComments } from '../plan-review/sticky-comments';
import { InputError } from './failure';
import { runAction } from './run-action';

async function run(): Promise<void> {
  const ctx = github.context;
  const pr = ctx.payload.pull_request as { number: number; labels?: Array<{ name: string }> } | undefined;
  const overrideLabel = core.getInput('override-label', { required: true });
  const labels = (pr?.labels ?? []).map((l) => l.name);
  const maxComments = Number(core.getInput('max-comments') || '10');
  if (!Number.isInteger(maxComments) || maxComments < 1) throw new InputError(`max-comments: expected a whole number ≥ 1, got "${core.getInput('max-comments')}"`);
  const commentId = core.getInput('comment-id') || 'plan-review';
  const runUrl = `${ctx.serverUrl}/${ctx.repo.owner}/${ctx.repo.repo}/actions/runs/${ctx.runId}`;

  const { criticalRules, maskPatterns } = inputRules();
  const review = reviewPlans(readPlanSpec(core.getMultilineInput('plans', { required: true })), {
    criticalRules: [...(core.getBooleanInput('default-critical-rules') ? DEFAULT_CRITICAL_RULES : []), ...criticalRules],
    maskPatterns,
    overrideLabel,
    overridden: labels.includes(overrideLabel),
    maxComments,
    commentId,
    runUrl,
    title: core.getInput('title') || undefined,
  });

  // Cut between blocks to GitHub's 1 MiB, the summary first, with a note of what was left out.
  await core.summary.addRaw(review.jobSummary).write();

  if (core.getBooleanInput('comment')) {
    if (!pr) {
      core.info('Not a pull_request event: no comment posted (the review is in the job summary).');
    } else {
      const octokit = github.getOctokit(core.getInput('github-token', { required: true })) as unknown as OctokitLike;
      const api = octokitComments(octokit, { owner: ctx.repo.owner, repo: ctx.repo.repo, issueNumber: pr.number });
      // A comment-author the token cannot resolve is a bad input, not a bug.
      const author = await resolveCommentAuthor(api, core.getInput('comment-author') || DEFAULT_COMMENT_AUTHOR).catch((e: Error) => Promise.reject(new InputError(e.message)));
      const r = await upsertStickyComments(api, commentId, review.comments, { author });
      core.info(`Pull request #${pr.number}: ${r.created.length} comment(s) created, ${r.updated.length} updated, ${r.unchanged.length} unchanged, ${r.deleted.length} deleted (comments by ${author}).`);
      if (r.ignored.length) core.warning(`Pull request #${pr.number}: ${r.ignored.length} comment(s) carry the plan-review marker but were not written by ${author}; they were left alone: ${r.ignored.join(', ')}`);
    }
  }

  const s = review.summary;
  core.setOutput('has_changes', String(s.has_changes));
  core.setOutput('has_destroy', String(s.has_destroy));
  core.setOutput('guard_tripped', String(s.guard_tripped));
  core.setOutput('counts', JSON.stringify({ total: review.total, stacks: s.stacks }));
  core.setOutput('comment_count', String(review.comments.length));

  if (review.critical.length) {
    const list = review.critical.map((c) => `${c.stack}: ${c.address} (${c.action})`).join('; ');
    if (s.guard_tripped) core.setFailed(`Migration-critical resources would be destroyed or replaced: ${list}. Add the label "${overrideLabel}" to the pull request to allow it.`);
    else core.warning(`Migration-critical changes allowed by the label "${overrideLabel}": ${list}`);
  }
}

/** critical-rules and mask-patterns; a malformed one is a bad input, as on the CLI. */
function inputRules(): { criticalRules: ReturnType<typeof parseCriticalRule>[]; maskPatterns: ReturnType<typeof parseMaskPatterns> } {
  try {
    return { criticalRules: core.getMultilineInput('critical-rules').map(parseCriticalRule), maskPatterns: parseMaskPatterns(core.getMultilineInput('mask-patterns')) };
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}

runAction(run);
