import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareResourceChanges } from '../plan-review/compare';
import { DEFAULT_CRITICAL_RULES, parseCriticalRule } from '../plan-review/guard';
import { parseMaskPatterns } from '../plan-review/mask';
import { PlanInputError, TerraformPlan } from '../plan-review/plan';
import { readPlanFile, readStackPlans, reviewPlans } from '../plan-review/review';
import { Command, outputFolder, parseUsage, UsageError } from './options';

/**
 * `plan-review`: the CLI contract other tools depend on. Writes DIR/comment-1.md … comment-N.md
 * (each ≤ 65,536 characters) and DIR/summary.json; exit 0 (also when the guard trips: that is
 * `"guard_tripped": true`), 2 on unreadable or invalid input.
 */
export const planReviewCommand: Command = {
  usage: 'rehost-factory plan-review PLAN.json [PLAN2.json ...] [--name STACK ...] --out DIR [--critical RULE ...] [--mask REGEX ...] [--max-comments N] [--id ID]',
  summary: 'Review `terraform show -json` plans (files, or folders of <stack>.json as the action takes them): counts, masked diffs, comment files ≤ 65,536 characters and summary.json',
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
    const out = outputFolder('--out', values.out);
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

    const plans = readStackPlans(planFiles(positionals, values.name ?? []), values.name ?? []);
    const review = reviewPlans(plans, {
      criticalRules: [...DEFAULT_CRITICAL_RULES, ...extraRules],
      maskPatterns: patterns,
      maxComments,
      commentId: values.id,
    });

    mkdirSync(out, { recursive: true });
    // Parts of an earlier, longer review would otherwise be posted as if they were current.
    for (const f of readdirSync(out)) if (/^comment-\d+\.md$/.test(f)) rmSync(join(out, f));
    review.comments.forEach((body, i) => writeFileSync(join(out, `comment-${i + 1}.md`), body));
    writeFileSync(join(out, 'summary.json'), JSON.stringify(review.summary, null, 2) + '\n');
    const t = review.total;
    io.out(`${plans.length} plan${plans.length === 1 ? '' : 's'}: ${t.create} create, ${t.update} update, ${t.replace} replace, ${t.delete} delete, ${t.import} import, ${t.move} move, ${t.forget} forget, ${t.read} read`);
    io.out(`wrote ${review.comments.length} comment file${review.comments.length === 1 ? '' : 's'} and summary.json to ${out}`);
    if (review.critical.length) {
      io.err(`guard tripped: ${review.critical.length} migration-critical resource${review.critical.length === 1 ? '' : 's'} would be destroyed or replaced:`);
      for (const c of review.critical) io.err(`  ${c.stack}: ${c.address} (${c.action}): ${c.why}`);
    }
    return 0;
  },
};

/** A path given on the command line is a folder (undefined: it cannot be read, which reading it reports). */
function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The `<stack>.json` files of a folder, sorted. */
function folderPlans(path: string): string[] {
  const files = readdirSync(path).filter((f) => f.endsWith('.json')).sort();
  if (!files.length) throw new PlanInputError(path, 'no <stack>.json plan files in this folder');
  return files.map((f) => join(path, f));
}

/**
 * The plan files of `plan-review`'s arguments: files as given, folders as the action takes them
 * (each `*.json` file is a stack named after the file).
 */
function planFiles(paths: readonly string[], names: readonly string[]): string[] {
  if (!paths.some(isFolder)) return [...paths];
  if (names.length) throw new UsageError('--name names plan files; the plans of a folder are named after their files (<stack>.json): give files with --name, or folders without');
  return paths.flatMap((p) => (isFolder(p) ? folderPlans(p) : [p]));
}

/** Plans by stack: a file is one stack, a folder holds `<stack>.json` files. */
function plansIn(path: string): Map<string, TerraformPlan> {
  if (!isFolder(path)) return new Map([['', readPlanFile(path)]]);
  return new Map(folderPlans(path).map((f) => [basename(f).replace(/\.json$/, ''), readPlanFile(f)]));
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
    const [reviewedFolder, currentFolder] = positionals.map(isFolder);
    // A file and a folder have no stack in common: every change would be listed as a difference.
    if (reviewedFolder !== currentFolder) {
      throw new UsageError(`${positionals[0]} is a ${reviewedFolder ? 'folder' : 'file'} and ${positionals[1]} a ${currentFolder ? 'folder' : 'file'}: give two plan files, or two folders of <stack>.json`);
    }
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
