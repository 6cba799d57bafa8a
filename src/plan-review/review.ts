import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { addCounts, countOutputs, countResources, emptyCounts, emptyOutputCounts, hasChanges, OutputCounts, ResourceCounts } from './counts';
import { criticalChanges, CriticalChange, CriticalRule, DEFAULT_CRITICAL_RULES, DEFAULT_OVERRIDE_LABEL } from './guard';
import { collectSensitiveStrings, DEFAULT_MASK_PATTERNS, Scrubber, sensitiveOutputNames } from './mask';
import { parsePlan, PlanInputError, TerraformPlan } from './plan';
import { destroyBlocks, driftBlocks, resourceBlocks, StackReview, stateBlocks, summaryBlock } from './render';
import { Block, GITHUB_COMMENT_LIMIT, GITHUB_STEP_SUMMARY_LIMIT, splitComments } from './split';

/** One stack's plan, as given to the review. */
export interface StackPlan {
  readonly name: string;
  readonly plan: TerraformPlan;
}

export interface ReviewOptions {
  /** Heading of the review. @default 'Terraform plan review' */
  readonly title?: string;
  /** Resources whose delete or replace trips the guard. @default DEFAULT_CRITICAL_RULES */
  readonly criticalRules?: readonly CriticalRule[];
  /** Label that lets a PR pass with critical changes. @default DEFAULT_OVERRIDE_LABEL */
  readonly overrideLabel?: string;
  /** The PR carries the override label. @default false (the CLI knows no PR) */
  readonly overridden?: boolean;
  /** Patterns masked in addition to DEFAULT_MASK_PATTERNS. @default none */
  readonly maskPatterns?: readonly RegExp[];
  /** Characters per comment. @default GITHUB_COMMENT_LIMIT (65,536) */
  readonly maxCommentChars?: number;
  /** Comments at most; the rest is counted in a note. @default 10 */
  readonly maxComments?: number;
  /** Sticky-comment id, so that several reviews can live on one PR. @default 'plan-review' */
  readonly commentId?: string;
  /** Where the full plan can be found (the workflow run), linked when the review is cut. @default none */
  readonly runUrl?: string;
  /** Bytes of the job summary. @default GITHUB_STEP_SUMMARY_LIMIT (1,048,576) */
  readonly maxSummaryBytes?: number;
}

/** The machine-readable result: summary.json of the CLI, the action's outputs. */
export interface ReviewSummary {
  readonly stacks: Array<{ readonly name: string; readonly counts: ResourceCounts; readonly outputs: OutputCounts }>;
  readonly has_changes: boolean;
  readonly has_destroy: boolean;
  readonly guard_tripped: boolean;
}

export interface Review {
  readonly summary: ReviewSummary;
  readonly total: ResourceCounts;
  /** Migration-critical deletes and replacements, addresses masked like everything the review shows. */
  readonly critical: readonly CriticalChange[];
  /** Comment bodies, each ≤ maxCommentChars, each starting with the sticky marker. */
  readonly comments: string[];
  /** The whole review in one document, without the comment markers. */
  readonly markdown: string;
  /**
   * The job summary: the review's blocks from the summary on, cut between blocks to fit
   * maxSummaryBytes (UTF-8), with a note counting what was left out.
   */
  readonly jobSummary: string;
  /** Masks the plans' secrets in any other text made from them (log lines naming addresses). */
  readonly scrubber: Scrubber;
}

/** Hidden first line of every comment part: how the sticky-comment logic finds its own comments. */
export function commentMarker(id: string, part: number): string {
  return `<!-- rehost-factory:plan-review id=${id} part=${part} -->`;
}

/** Reads `terraform show -json` files; a stack is named after its file unless a name is given. */
export function readStackPlans(files: readonly string[], names: readonly string[] = []): StackPlan[] {
  if (names.length > files.length) throw new PlanInputError(names.slice(files.length).join(', '), `${names.length} stack names for ${files.length} plan files`);
  return files.map((file, i) => ({ name: names[i] ?? basename(file).replace(/\.json$/i, '').replace(/\.tfplan$/i, ''), plan: readPlanFile(file) }));
}

/** Reads and checks one `terraform show -json` file. */
export function readPlanFile(file: string): TerraformPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PlanInputError(file, `cannot read the plan: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parsePlan(text, file);
}

/** Reviews the plans of one or more stacks: counts, guard, masked markdown split into comments. */
export function reviewPlans(stacks: readonly StackPlan[], options: ReviewOptions = {}): Review {
  const names = stacks.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new PlanInputError(dup, 'two plans share this stack name; give each a distinct --name');
  const patterns = [...DEFAULT_MASK_PATTERNS, ...(options.maskPatterns ?? [])];
  const rules = options.criticalRules ?? DEFAULT_CRITICAL_RULES;
  const reviews: StackReview[] = stacks.map(({ name, plan }) => ({
    name,
    changes: plan.resource_changes ?? [],
    drift: plan.resource_drift ?? [],
    outputs: plan.output_changes ?? {},
    sensitiveOutputs: sensitiveOutputNames(plan),
    counts: countResources(plan.resource_changes ?? []),
    outputCounts: countOutputs(plan.output_changes),
    errored: plan.errored === true,
    terraformVersion: plan.terraform_version,
  }));
  const total = reviews.reduce((t, s) => addCounts(t, s.counts), emptyCounts());
  const totalOutputs = reviews.reduce((t, s) => addCounts(t, s.outputCounts), emptyOutputCounts());
  const critical = reviews.flatMap((s) => criticalChanges(s.name, s.changes, rules));
  const overridden = options.overridden ?? false;
  // One sensitive-string set across all stacks: a secret of one stack is masked in all of them.
  const scrubber = new Scrubber(stacks.flatMap(({ plan }) => [...collectSensitiveStrings(plan)]), patterns);
  const renderOpts = { title: options.title ?? 'Terraform plan review', critical, overrideLabel: options.overrideLabel ?? DEFAULT_OVERRIDE_LABEL, overridden, scrubber };

  const blocks: Block[] = [
    summaryBlock(reviews, total, totalOutputs, renderOpts),
    ...destroyBlocks(reviews, critical, scrubber),
    ...stateBlocks(reviews, scrubber),
    ...driftBlocks(reviews, scrubber),
    ...reviews.flatMap((s) => resourceBlocks(s, renderOpts)),
  ];
  const id = options.commentId ?? 'plan-review';
  const omittedHint = options.runUrl ? `The full plan is in the artifacts of [the workflow run](${options.runUrl}).` : undefined;
  const comments = splitComments(blocks, {
    limit: options.maxCommentChars ?? GITHUB_COMMENT_LIMIT,
    maxComments: options.maxComments,
    header: (part, n) => (part === 1 ? commentMarker(id, part) : `${commentMarker(id, part)}\n### ${renderOpts.title} (continued, part ${part} of ${n})`),
    omittedHint,
  });

  const summary: ReviewSummary = {
    stacks: reviews.map((s) => ({ name: s.name, counts: s.counts, outputs: s.outputCounts })),
    has_changes: reviews.some((s) => hasChanges(s.counts, s.outputCounts)),
    has_destroy: total.delete + total.replace > 0,
    guard_tripped: critical.length > 0 && !overridden,
  };
  const summaryBytes = options.maxSummaryBytes ?? GITHUB_STEP_SUMMARY_LIMIT;
  let jobSummary: string | undefined;
  return {
    summary, total, comments, scrubber,
    // A secret used as a for_each key is part of the address: masked once here, for every consumer.
    critical: critical.map((c) => ({ ...c, address: scrubber.scrub(c.address) })),
    get markdown() {
      return blocks.map((b) => b.text).join('\n\n');
    },
    // Built when asked for: the CLI writes no job summary.
    get jobSummary() {
      jobSummary ??= splitComments(blocks, {
        limit: summaryBytes,
        measure: (t) => Buffer.byteLength(t, 'utf8'),
        maxComments: 1,
        omittedReason: `the review is longer than the job summary allows (${summaryBytes.toLocaleString('en-US')} bytes)`,
        omittedHint,
      })[0];
      return jobSummary;
    },
  };
}

/**
 * Plans from the action's `plans` input: one entry per line, `STACK=PATH` or `PATH` (named after
 * the file); a directory stands for every `*.json` in it, each named after its file.
 */
export function readPlanSpec(lines: readonly string[]): StackPlan[] {
  const files: string[] = [];
  const names: Array<string | undefined> = [];
  for (const raw of lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(raw);
    const path = m ? m[2].trim() : raw;
    let entries: string[] = [path];
    try {
      if (statSync(path).isDirectory()) entries = readdirSync(path).filter((f) => f.endsWith('.json')).sort().map((f) => join(path, f));
    } catch {
      // unreadable paths are reported by readStackPlans with the file name
    }
    if (!entries.length) throw new PlanInputError(path, 'no *.json plan files in this directory');
    for (const f of entries) {
      files.push(f);
      names.push(m && entries.length === 1 ? m[1] : undefined);
    }
  }
  if (!files.length) throw new PlanInputError('plans', 'no plan files given');
  return files.map((f, i) => readStackPlans([f], names[i] ? [names[i]!] : [])[0]);
}
