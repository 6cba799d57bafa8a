import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareResourceChanges } from '../plan-review/compare';
import { DEFAULT_CRITICAL_RULES, parseCriticalRule } from '../plan-review/guard';
import { parseMaskPatterns } from '../plan-review/mask';
import { PlanInputError, TerraformPlan } from '../plan-review/plan';
import { readPlanFile, readStackPlans, reviewPlans } from '../plan-review/review';
import { Command, parseUsage, UsageError } from './options';

/**
 * `plan-review`: the CLI contract other tools depend on. Writes DIR/comment-1.md … comment-N.md
 * (each ≤ 65,536 characters) and DIR/summary.json; exit 0 (also when the guard trips: that is
 * `"guard_tripped": true`), 2 on unreadable or invalid input.
 */
export const planReviewCommand: Command = {
  usage: 'rehost-factory plan-review PLAN.json [PLAN2.json ...] [--name STACK ...] --out DIR [--critical RULE ...] [--mask REGEX ...] [--max-comments N] [--id ID]',
  summary: 'Review `terraform show -json` plans: counts, masked diffs, comment files ≤ 65,536 characters and summary.json',
  async run(argv, io) {
    const { values, positionals } = parseUsage(() => parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        name: { type: 'string', multiple: true },
        out: { type: 'string', short: 'o' },
        critical: { type: 'string', multiple: true },
        mask: { type: 'string', multiple: true },
        'max-comments': { type: 'string' },
        id: { type: 'string' },
      },
    }));
    if (!positionals.length) throw new UsageError('give at least one plan file (the output of `terraform show -json PLANFILE`)');
    if (!values.out) throw new UsageError('--out DIR is required');
    const maxComments = values['max-comments'] === undefined ? undefined : Number(values['max-comments']);
    if (maxComments !== undefined && !(Number.isInteger(maxComments) && maxComments >= 1)) throw new UsageError(`--max-comments: expected a whole number ≥ 1, got "${values['max-comments']}"`);
    let extraRules;
    let patterns;
    try {
      extraRules = (values.critical ?? []).map(parseCriticalRule);
      patterns = parseMaskPatterns(values.mask ?? []);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }

    const review = reviewPlans(readStackPlans(positionals, values.name ?? []), {
      criticalRules: [...DEFAULT_CRITICAL_RULES, ...extraRules],
      maskPatterns: patterns,
      maxComments,
      commentId: values.id,
    });

    mkdirSync(values.out, { recursive: true });
    // Parts of an earlier, longer review would otherwise be posted as if they were current.
    for (const f of readdirSync(values.out)) if (/^comment-\d+\.md$/.test(f)) rmSync(join(values.out, f));
    review.comments.forEach((body, i) => writeFileSync(join(values.out!, `comment-${i + 1}.md`), body));
    writeFileSync(join(values.out, 'summary.json'), JSON.stringify(review.summary, null, 2) + '\n');
    const t = review.total;
    io.out(`${positionals.length} plan${positionals.length === 1 ? '' : 's'}: ${t.create} create, ${t.update} update, ${t.replace} replace, ${t.delete} delete, ${t.import} import, ${t.move} move, ${t.forget} forget, ${t.read} read`);
    io.out(`wrote ${review.comments.length} comment file${review.comments.length === 1 ? '' : 's'} and summary.json to ${values.out}`);
    if (review.critical.length) {
      io.err(`guard tripped: ${review.critical.length} migration-critical resource${review.critical.length === 1 ? '' : 's'} would be destroyed or replaced:`);
      for (const c of review.critical) io.err(`  ${c.stack}: ${c.address} (${c.action}): ${c.why}`);
    }
    return 0;
  },
};

/** Plans by stack: a file is one stack, a directory holds `<stack>.json` files. */
function plansIn(path: string): Map<string, TerraformPlan> {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new PlanInputError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!isDir) return new Map([['', readPlanFile(path)]]);
  const files = readdirSync(path).filter((f) => f.endsWith('.json')).sort();
  if (!files.length) throw new PlanInputError(path, 'no <stack>.json plan files in this directory');
  return new Map(files.map((f) => [f.replace(/\.json$/, ''), readPlanFile(join(path, f))]));
}

/**
 * `plan-compare`: exit 0 when the new plans make exactly the reviewed resource changes, 1 (with
 * every difference named) when they do not, 2 on unreadable input.
 */
export const planCompareCommand: Command = {
  usage: 'rehost-factory plan-compare REVIEWED CURRENT   (two plan JSON files, or two directories of <stack>.json)',
  summary: 'Check that a new plan makes exactly the resource changes of the reviewed plan (apply on merge)',
  async run(argv, io) {
    const { positionals } = parseUsage(() => parseArgs({ args: argv, strict: true, allowPositionals: true, options: {} }));
    if (positionals.length !== 2) throw new UsageError('give the reviewed plan and the current plan (files or directories)');
    const reviewed = plansIn(positionals[0]);
    const current = plansIn(positionals[1]);
    const empty: TerraformPlan = { format_version: '1.2' };
    const problems: string[] = [];
    for (const stack of [...new Set([...reviewed.keys(), ...current.keys()])].sort()) {
      for (const d of compareResourceChanges(reviewed.get(stack) ?? empty, current.get(stack) ?? empty)) {
        problems.push(`  ${stack ? `${stack}: ` : ''}${d.address}: ${d.detail}`);
      }
    }
    if (problems.length) {
      io.err(`The new plan differs from the plan reviewed on the pull request (${problems.length} resource change${problems.length === 1 ? '' : 's'}):`);
      problems.forEach((p) => io.err(p));
      io.err('Nothing was applied. Re-run the plan on a pull request and review it again.');
      return 1;
    }
    io.out(`The new plan makes exactly the reviewed resource changes (${current.size} stack${current.size === 1 ? '' : 's'}).`);
    return 0;
  },
};
