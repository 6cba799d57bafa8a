import { ChangeKind, changeKind, isImport, isMove, OutputCounts, outputKind, ResourceCounts } from './counts';
import { attributeDiff, formatPath } from './diff';
import { CriticalChange } from './guard';
import { Masked, maskValue, Scrubber } from './mask';
import { Json, OutputChange, ResourceChange } from './plan';
import { Block, capLines } from './split';

/**
 * Markdown of a review, as blocks that the splitter never cuts: the summary (counts table and
 * alerts), the destroys and replacements with their reasons, moves/imports/forgets, drift, then
 * one collapsed `<details>` per changed resource and per stack's outputs.
 */

export interface StackReview {
  readonly name: string;
  readonly changes: readonly ResourceChange[];
  readonly drift: readonly ResourceChange[];
  readonly outputs: Readonly<Record<string, OutputChange>>;
  readonly sensitiveOutputs: ReadonlySet<string>;
  readonly counts: ResourceCounts;
  readonly outputCounts: OutputCounts;
  readonly errored: boolean;
  readonly terraformVersion?: string;
}

export interface RenderOptions {
  readonly title: string;
  readonly critical: readonly CriticalChange[];
  readonly overrideLabel: string;
  /** The override label is on the pull request: critical changes are reported, not failed. */
  readonly overridden: boolean;
  /**
   * Scrubs every text taken from the plans (addresses, map keys, import IDs, values); one for all
   * stacks of the review.
   */
  readonly scrubber: Scrubber;
  /** Characters of diff per resource before it is shortened. @default 12000 */
  readonly maxDiffChars?: number;
}

const ROWS_PER_TABLE = 60;

export function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An address or name in a table cell or a summary: `<code>`, HTML-escaped, pipes escaped. */
export function code(s: string): string {
  return `<code>${html(s).replace(/\|/g, '&#124;')}</code>`;
}

function fence(body: string, lang: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(Math.max(3, longest + 1));
  return `${f}${lang}\n${body}\n${f}`;
}

const REASONS: Record<string, string> = {
  replace_because_tainted: 'tainted: a previous apply failed part-way',
  replace_because_cannot_update: 'an attribute that cannot change in place changed',
  replace_by_request: 'replacement requested (-replace)',
  replace_by_triggers: 'replace_triggered_by fired',
  delete_because_no_resource_config: 'removed from the configuration',
  delete_because_wrong_repetition: 'count/for_each was added or removed',
  delete_because_count_index: 'its count index no longer exists',
  delete_because_each_key: 'its for_each key no longer exists',
  delete_because_no_module: 'its module was removed',
  delete_because_no_move_target: 'the target of its moved block does not exist',
  read_because_config_unknown: 'its configuration is known only after apply',
  read_because_dependency_pending: 'it depends on a resource with pending changes',
  read_because_check_nested: 'a check block uses it',
};

/** Text from a plan in a cell or summary: scrubbed, then as code(). */
function planCode(s: string, scrubber: Scrubber): string {
  return code(scrubber.scrub(s));
}

function reasonOf(rc: ResourceChange, scrubber: Scrubber): string {
  const parts: string[] = [];
  if (rc.action_reason) parts.push(REASONS[rc.action_reason] ?? html(rc.action_reason));
  // The attribute paths as the diff prints them, map keys masked the same way.
  const forced = (rc.change.replace_paths ?? []).map((p) => code(formatPath(p, scrubber)));
  if (forced.length) parts.push(`forced by ${forced.join(', ')}`);
  if (rc.deposed) parts.push(`deposed object ${planCode(rc.deposed, scrubber)}`);
  return parts.join('; ') || '—';
}

const SYMBOL: Record<ChangeKind, string> = { create: '+', update: '~', delete: '-', replace: '-/+', read: '<=', forget: 'forget', noop: ' ' };

function phrase(rc: ResourceChange, scrubber: Scrubber): string {
  const kind = changeKind(rc.change.actions);
  const a = rc.change.actions;
  const base: Record<ChangeKind, string> = {
    create: 'will be created',
    update: 'will be updated in place',
    delete: 'will be <b>destroyed</b>',
    replace: a[0] === 'delete' ? 'must be <b>replaced</b> (destroy, then create)' : a.includes('forget') ? 'must be replaced (the old object is forgotten, not destroyed)' : 'must be <b>replaced</b> (create, then destroy)',
    read: 'will be read during apply',
    forget: 'will be removed from state (the object is not destroyed)',
    noop: 'has no changes',
  };
  const extra: string[] = [];
  if (isImport(rc)) extra.push(`imported from ID ${planCode(rc.change.importing?.id ?? '(identity)', scrubber)}`);
  if (isMove(rc)) extra.push(`moved from ${planCode(rc.previous_address!, scrubber)}`);
  if (kind === 'noop' && extra.length) return extra.join(', ');
  return [base[kind], ...extra].join(', ');
}

function symbolOf(rc: ResourceChange): string {
  const kind = changeKind(rc.change.actions);
  if (kind === 'replace' && rc.change.actions[0] === 'create') return '+/-';
  if (kind === 'noop') return isImport(rc) ? 'import' : 'move';
  return SYMBOL[kind];
}

const KIND_ORDER: ChangeKind[] = ['delete', 'replace', 'forget', 'update', 'create', 'read', 'noop'];

function countsLine(c: ResourceCounts, o: OutputCounts): string {
  const words: Array<[number, string]> = [
    [c.create, 'to create'], [c.update, 'to update'], [c.replace, 'to replace'], [c.delete, 'to destroy'],
    [c.import, 'to import'], [c.move, 'to move'], [c.forget, 'to forget'], [c.read, 'to read'],
  ];
  const parts = words.filter(([n]) => n > 0).map(([n, w]) => `${n} ${w}`);
  const outs = o.create + o.update + o.delete;
  if (outs) parts.push(`${outs} output change${outs === 1 ? '' : 's'}`);
  return parts.length ? parts.join(', ') : 'no changes';
}

/** The summary block: title, alerts, the counts table per stack and in total. */
export function summaryBlock(stacks: readonly StackReview[], total: ResourceCounts, totalOutputs: OutputCounts, opts: RenderOptions): Block {
  const lines = [`## ${opts.title}`, '', `**${stacks.length} stack${stacks.length === 1 ? '' : 's'}: ${countsLine(total, totalOutputs)}.**`];
  if (opts.critical.length) {
    const shown = opts.critical.slice(0, 10).map((c) => `> - ${code(`${c.stack}: ${opts.scrubber.scrub(c.address)}`)} (${c.action}): ${html(c.why)}`);
    const more = opts.critical.length > 10 ? [`> - … and ${opts.critical.length - 10} more`] : [];
    lines.push('', opts.overridden ? '> [!WARNING]' : '> [!CAUTION]',
      `> **Migration-critical resources would be ${opts.critical.some((c) => c.action === 'replace') ? 'destroyed or replaced' : 'destroyed'}.** ` +
      (opts.overridden ? `The pull request carries ${code(opts.overrideLabel)}: the review passes.` : `The review fails unless the pull request carries the label ${code(opts.overrideLabel)}.`),
      ...shown, ...more);
  }
  if (total.delete + total.replace > 0) {
    lines.push('', '> [!WARNING]', `> **${total.delete} to destroy, ${total.replace} to replace.** Each is listed below with its reason.`);
  }
  const errored = stacks.filter((s) => s.errored).map((s) => code(s.name));
  if (errored.length) lines.push('', '> [!CAUTION]', `> Terraform reported errors while planning ${errored.join(', ')}: the plan is incomplete.`);
  // Columns that are zero everywhere are left out, except the four every reviewer looks for.
  const optional: Array<keyof ResourceCounts> = ['import', 'move', 'forget', 'read'];
  const cols: Array<[keyof ResourceCounts, string]> = [
    ['create', 'Create'], ['update', 'Update'], ['replace', 'Replace'], ['delete', 'Destroy'],
    ...optional.filter((k) => total[k] > 0).map((k) => [k, k[0].toUpperCase() + k.slice(1)] as [keyof ResourceCounts, string]),
    ['noop', 'No-op'],
  ];
  const outs = (o: OutputCounts) => `+${o.create} ~${o.update} -${o.delete}`;
  const row = (name: string, c: ResourceCounts, o: OutputCounts) => `| ${name} | ${cols.map(([k]) => (c[k] && k !== 'noop' ? `**${c[k]}**` : String(c[k]))).join(' | ')} | ${outs(o)} |`;
  lines.push('', `| Stack | ${cols.map(([, h]) => h).join(' | ')} | Outputs |`, `|---|${cols.map(() => '--:').join('|')}|--:|`);
  for (const s of stacks) lines.push(row(code(s.name), s.counts, s.outputCounts));
  if (stacks.length > 1) lines.push(row('**Total**', total, totalOutputs));
  return { text: lines.join('\n'), label: 'summary' };
}

function tableBlocks(heading: string, header: string, rows: string[], label: string): Block[] {
  if (!rows.length) return [];
  const blocks: Block[] = [{ text: heading, keepWithNext: true, label: 'headings', counted: false }];
  for (let i = 0; i < rows.length; i += ROWS_PER_TABLE) {
    blocks.push({ text: [header, ...rows.slice(i, i + ROWS_PER_TABLE)].join('\n'), label });
  }
  return blocks;
}

/** Destroys and replacements, each with its reason: never collapsed. */
export function destroyBlocks(stacks: readonly StackReview[], critical: readonly CriticalChange[], scrubber: Scrubber): Block[] {
  const isCritical = new Set(critical.map((c) => `${c.stack}\u0000${c.address}`));
  const rows: string[] = [];
  for (const s of stacks) {
    for (const rc of s.changes) {
      const kind = changeKind(rc.change.actions);
      if (kind !== 'delete' && kind !== 'replace') continue;
      const flag = isCritical.has(`${s.name}\u0000${rc.address}`) ? ' ⚠️ critical' : '';
      rows.push(`| ${code(s.name)} | ${planCode(rc.address, scrubber)}${flag} | ${kind === 'delete' ? '**destroy**' : `**replace** (${rc.change.actions.join(', then ')})`} | ${reasonOf(rc, scrubber)} |`);
    }
  }
  return tableBlocks('### Destroyed and replaced', '| Stack | Resource | Action | Why |\n|---|---|---|---|', rows, 'destroy/replace rows');
}

/** Moves, imports and forgets: they change state without (necessarily) changing infrastructure. */
export function stateBlocks(stacks: readonly StackReview[], scrubber: Scrubber): Block[] {
  const rows: string[] = [];
  const at = (s: string) => planCode(s, scrubber);
  for (const s of stacks) {
    for (const rc of s.changes) {
      if (isMove(rc)) rows.push(`| ${code(s.name)} | ${at(rc.address)} | moved from ${at(rc.previous_address!)} |`);
      if (isImport(rc)) rows.push(`| ${code(s.name)} | ${at(rc.address)} | imported from ID ${at(rc.change.importing?.id ?? '(identity)')} |`);
      if (changeKind(rc.change.actions) === 'forget') rows.push(`| ${code(s.name)} | ${at(rc.address)} | removed from state, not destroyed |`);
    }
  }
  return tableBlocks('### Moved, imported and forgotten', '| Stack | Resource | What |\n|---|---|---|', rows, 'move/import rows');
}

/** Resources changed outside Terraform since the last apply (`resource_drift`). */
export function driftBlocks(stacks: readonly StackReview[], scrubber: Scrubber): Block[] {
  const rows: string[] = [];
  for (const s of stacks) {
    for (const rc of s.drift) {
      const kind = changeKind(rc.change.actions);
      rows.push(`| ${code(s.name)} | ${planCode(rc.address, scrubber)} | ${kind === 'delete' ? 'deleted outside Terraform' : kind === 'update' ? 'changed outside Terraform' : rc.change.actions.join(', ')} |`);
    }
  }
  return tableBlocks('### Changed outside Terraform', '| Stack | Resource | Drift |\n|---|---|---|', rows, 'drift rows');
}

function details(summary: string, diffLines: string[], maxDiffChars: number, what: string): string {
  const body = capLines(diffLines.length ? diffLines : ['  # (no attribute changes)'], maxDiffChars, what);
  return `<details><summary>${summary}</summary>\n\n${fence(body.join('\n'), 'diff')}\n\n</details>`;
}

/** One collapsed block per changed resource, destroys first, then per stack its outputs. */
export function resourceBlocks(stack: StackReview, opts: RenderOptions): Block[] {
  const max = opts.maxDiffChars ?? 12_000;
  const shown = stack.changes
    .filter((rc) => changeKind(rc.change.actions) !== 'noop' || isImport(rc) || isMove(rc))
    .map((rc, i) => ({ rc, i, order: KIND_ORDER.indexOf(changeKind(rc.change.actions)) }))
    .sort((a, b) => a.order - b.order || a.i - b.i);
  const blocks: Block[] = [];
  for (const { rc } of shown) {
    const c = rc.change;
    const before = maskValue(c.before ?? null, c.before_sensitive);
    const after = c.actions.includes('delete') && !c.actions.includes('create') ? undefined : maskValue(c.after ?? null, c.after_sensitive, c.after_unknown);
    const lines = attributeDiff(c.before == null ? undefined : before, after, c.before, c.after, { scrubber: opts.scrubber, replacePaths: c.replace_paths });
    const label = rc.deposed ? `${rc.address} (deposed ${rc.deposed})` : rc.address;
    blocks.push({ text: details(`<code>${html(symbolOf(rc))}</code> ${planCode(label, opts.scrubber)} ${phrase(rc, opts.scrubber)}`, lines, max, 'lines'), label: 'resource diffs' });
  }
  const outputs = Object.entries(stack.outputs).filter(([, oc]) => outputKind(oc) !== 'noop');
  if (outputs.length) {
    // One diff over all outputs, so that names align as they do for resource attributes.
    const before: Record<string, Masked> = {};
    const after: Record<string, Masked> = {};
    const rawBefore: Record<string, Json> = {};
    const rawAfter: Record<string, Json> = {};
    for (const [name, oc] of outputs) {
      const whole = stack.sensitiveOutputs.has(name);
      const kind = outputKind(oc);
      if (kind !== 'create') before[name] = maskValue(oc.before ?? null, whole || oc.before_sensitive);
      if (kind !== 'delete') after[name] = maskValue(oc.after ?? null, whole || oc.after_sensitive, oc.after_unknown);
      rawBefore[name] = oc.before ?? null;
      rawAfter[name] = oc.after ?? null;
    }
    const lines = attributeDiff(before, after, rawBefore, rawAfter, { scrubber: opts.scrubber }).filter((l) => !l.startsWith('  # ('));
    const o = stack.outputCounts;
    blocks.push({ text: details(`Outputs of ${code(stack.name)}: +${o.create} ~${o.update} -${o.delete}`, lines, max, 'lines'), label: 'output diffs' });
  }
  if (blocks.length) blocks.unshift({ text: `### Changes in ${code(stack.name)}`, keepWithNext: true, label: 'headings', counted: false });
  return blocks;
}
