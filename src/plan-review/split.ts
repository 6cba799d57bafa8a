/**
 * Splitting a review into GitHub comments. A comment body holds at most 65,536 characters; the
 * review is a sequence of blocks (the summary, tables, one `<details>` per resource) that are never
 * cut, so no comment ends inside a code block or an open `<details>` element.
 */

/** GitHub's limit on an issue or pull-request comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** GitHub's limit on one step's job summary (`GITHUB_STEP_SUMMARY`): 1 MiB, in bytes. */
export const GITHUB_STEP_SUMMARY_LIMIT = 1_048_576;

export interface Block {
  readonly text: string;
  /** Kept in the same comment as the next block (a heading with its first section). @default false */
  readonly keepWithNext?: boolean;
  /** What the block shows, for the "not shown" note when the review is cut. */
  readonly label: string;
  /** Counted in the "not shown" note when left out (headings are not). @default true */
  readonly counted?: boolean;
}

export interface SplitOptions {
  /** Maximum size per comment, as `measure` counts. @default GITHUB_COMMENT_LIMIT */
  readonly limit?: number;
  /** Size of a text. @default its length in characters (UTF-16 code units, as GitHub counts comments) */
  readonly measure?: (text: string) => number;
  /**
   * Maximum number of comments; blocks beyond it are left out and counted in a note at the end of
   * the last comment (a PR with dozens of bot comments is unreadable; the plan artifact has all).
   * @default 10
   */
  readonly maxComments?: number;
  /** First line of every part (the sticky-comment marker), given the part number and the total. @default none */
  readonly header?: (part: number, total: number) => string;
  /** Line that points at the full plan when blocks are left out. @default a generic hint */
  readonly omittedHint?: string;
  /** Why blocks were left out, in the note. @default 'the review is longer than N comments' */
  readonly omittedReason?: string;
}

/** Room kept in every part for its header and the "continued" footer (part numbers up to 9999). */
const FRAME_RESERVE = 400;
/** Room kept in the last part for the note that lists what was left out. */
const OMITTED_RESERVE = 600;

function footer(part: number, total: number): string {
  return `\n\n---\n_Continued in part ${part + 1} of ${total}._`;
}

/**
 * Greedy packing: blocks in order, a new part when the next block (with the blocks glued to it)
 * does not fit. The first block group always lands in part 1, so the summary stays first.
 */
export function splitComments(blocks: readonly Block[], options: SplitOptions): string[] {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const maxComments = options.maxComments ?? 10;
  const measure = options.measure ?? ((t: string) => t.length);
  const budget = limit - FRAME_RESERVE - OMITTED_RESERVE;
  if (budget < 1_000) throw new Error(`comment limit ${limit} is too small to split a review into`);

  // Glue each keepWithNext block to its successor.
  const groups: Block[][] = [];
  let pending: Block[] = [];
  for (const b of blocks) {
    pending.push(b);
    if (!b.keepWithNext) {
      groups.push(pending);
      pending = [];
    }
  }
  if (pending.length) groups.push(pending);

  const parts: string[][] = [[]];
  let size = 0;
  // Once the last allowed part is full, every later block is counted instead of shown, so the
  // comments stay a prefix of the review in its order.
  let full = false;
  const omitted = new Map<string, number>();
  for (const group of groups) {
    const texts = group.map((b) => b.text);
    const groupSize = texts.reduce((n, t) => n + measure(t) + 2, 0);
    if (groupSize > budget) {
      throw new Error(`a review block of size ${groupSize} does not fit in one comment (${budget}); blocks must be capped before splitting (${group[0].label})`);
    }
    if (!full && size + groupSize > budget && parts[parts.length - 1].length) {
      if (parts.length === maxComments) full = true;
      else {
        parts.push([]);
        size = 0;
      }
    }
    if (full) {
      for (const b of group) if (b.counted !== false) omitted.set(b.label, (omitted.get(b.label) ?? 0) + 1);
      continue;
    }
    parts[parts.length - 1].push(...texts);
    size += groupSize;
  }

  const total = parts.length;
  return parts.map((texts, i) => {
    const header = options.header?.(i + 1, total);
    let body = (header === undefined ? texts : [header, ...texts]).join('\n\n');
    if (i < total - 1) body += footer(i + 1, total);
    if (i === total - 1 && omitted.size) {
      const list = [...omitted.entries()].map(([label, n]) => `${n.toLocaleString('en-US')} ${label}`).join(', ');
      body += `\n\n---\n**Not shown:** ${list} — ${options.omittedReason ?? `the review is longer than ${maxComments} comments`}. ${options.omittedHint ?? 'The full plan is in the workflow run\'s artifacts.'}`;
    }
    if (measure(body) > limit) throw new Error(`internal: comment part ${i + 1} has size ${measure(body)}, over ${limit}`);
    return body;
  });
}

/** Caps a block that is a list of lines: keeps whole lines up to `max` characters, notes the rest. */
export function capLines(lines: readonly string[], max: number, what: string): string[] {
  const out: string[] = [];
  let size = 0;
  for (let i = 0; i < lines.length; i++) {
    if (size + lines[i].length + 1 > max) {
      out.push(`  # … ${lines.length - i} more ${what} not shown: the full plan is in the workflow artifact`);
      return out;
    }
    out.push(lines[i]);
    size += lines[i].length + 1;
  }
  return out;
}
