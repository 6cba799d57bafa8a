import { GITHUB_COMMENT_LIMIT } from '../../src/plan-review/split';

/**
 * Independent checks of rendered reviews. They re-derive from the raw plan what must not appear,
 * with their own walker, so that a masking bug in src/ cannot hide itself.
 */

export interface SensitiveLeaf {
  /** Where it is rendered: a resource address, or `output` for outputs. */
  readonly owner: string;
  /** Attribute path as the diff prints it (`tags.Name`, `list[0]`, `["a:b"]`). */
  readonly path: string;
  readonly value: string | number | boolean;
}

function pathOf(parts: Array<string | number>): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

function leaves(value: any, marker: any, parts: Array<string | number>, owner: string, into: SensitiveLeaf[], marked = false): void {
  const on = marked || marker === true;
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => leaves(v, Array.isArray(marker) ? marker[i] : undefined, [...parts, i], owner, into, on));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, marker && typeof marker === 'object' ? marker[k] : undefined, [...parts, k], owner, into, on);
  } else if (on) {
    into.push({ owner, path: pathOf(parts), value: value as string | number | boolean });
  }
}

/** Every sensitive leaf value of a plan, from every place Terraform writes cleartext. */
export function sensitiveLeaves(plan: any): SensitiveLeaf[] {
  const out: SensitiveLeaf[] = [];
  for (const rc of plan.resource_changes ?? []) {
    leaves(rc.change.before, rc.change.before_sensitive, [], rc.address, out);
    leaves(rc.change.after, rc.change.after_sensitive, [], rc.address, out);
  }
  const sensitiveOutputs = new Set<string>();
  for (const [n, o] of Object.entries<any>(plan.configuration?.root_module?.outputs ?? {})) if (o.sensitive) sensitiveOutputs.add(n);
  for (const [n, o] of Object.entries<any>(plan.planned_values?.outputs ?? {})) if (o.sensitive) sensitiveOutputs.add(n);
  for (const [n, oc] of Object.entries<any>(plan.output_changes ?? {})) {
    const whole = sensitiveOutputs.has(n);
    leaves(oc.before, whole || oc.before_sensitive, [n], 'output', out);
    leaves(oc.after, whole || oc.after_sensitive, [n], 'output', out);
  }
  const walk = (m: any): void => {
    for (const r of m?.resources ?? []) leaves(r.values, r.sensitive_values, [], r.address, out);
    for (const c of m?.child_modules ?? []) walk(c);
  };
  walk(plan.planned_values?.root_module);
  walk(plan.prior_state?.values?.root_module);
  for (const [n, v] of Object.entries<any>(plan.configuration?.root_module?.variables ?? {})) {
    if (v.sensitive) leaves(plan.variables?.[n]?.value, true, [n], 'variable', out);
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How a string may read once rendered: raw, inside a JSON string (plain and Go-escaped), in HTML. */
function renderings(s: string): string[] {
  const json = JSON.stringify(s).slice(1, -1);
  const go = json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  const htmlOf = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [...new Set([s, json, go, JSON.stringify(json).slice(1, -1), htmlOf(s), htmlOf(json)])];
}

/** The text with every run of percent-escapes decoded, once as a URL and once as a form (`+` a space). */
function percentDecoded(text: string): string[] {
  const decode = (t: string) =>
    t.replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  return [decode(text), decode(text.replace(/\+/g, ' '))];
}

/** Every run of 8+ base64 characters (either alphabet) decoded from each of its first four positions. */
function base64Decoded(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9+/_-]{8,}/g)) {
    const run = m[0].replace(/-/g, '+').replace(/_/g, '/');
    for (let at = 0; at < 4; at++) out.push(Buffer.from(run.slice(at, at + Math.floor((run.length - at) / 4) * 4), 'base64'));
  }
  return out;
}

/** Map keys of rendered attribute paths: diff line labels and the "forced by" cells. */
function renderedKeys(text: string): Set<string> {
  const keys = new Set<string>();
  const unhtml = (t: string) => t.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#124;/g, '|').replace(/&amp;/g, '&');
  const addPath = (path: string) => {
    for (const m of path.matchAll(/(?:^|\.)([A-Za-z_][A-Za-z0-9_-]*)|\[("(?:[^"\\]|\\.)*")\]/g)) keys.add(m[1] ?? JSON.parse(m[2]));
  };
  for (const m of text.matchAll(/^[-+!] (\S+?) +=/gm)) addPath(m[1]);
  for (const m of text.matchAll(/forced by (.*?) \|/g)) for (const c of m[1].matchAll(/<code>(.*?)<\/code>/g)) addPath(unhtml(c[1]));
  return keys;
}

/**
 * Problems if any sensitive value shows. `plans` are all the plans reviewed together (a secret of
 * one stack must not show in another). (1) No diff line of a sensitive attribute shows anything but
 * "(sensitive value)"; (2) no sensitive string of 6+ characters appears anywhere, raw, JSON-escaped
 * or HTML-escaped; (3) no line of a multi-line sensitive string appears; (4) no sensitive number of
 * 6+ digits is rendered as a value; (5) no map key of a rendered path equals a sensitive string, of
 * any length; (6) no AWS access key ID appears; (7) no sensitive string of 6+ characters appears in
 * another letter case, percent-decoded out of a URL, or base64-decoded out of any run of base64
 * characters (decoded here, at every alignment, rather than encoded the way src/ encodes).
 */
export function sensitiveLeaks(plans: any | readonly any[], comments: readonly string[]): string[] {
  const text = comments.join('\n');
  const problems: string[] = [];
  const keys = renderedKeys(text);
  const lower = text.toLowerCase();
  const decodedUrls = percentDecoded(text);
  const decoded64 = base64Decoded(text);
  const all = (Array.isArray(plans) ? plans : [plans]).flatMap((p) => sensitiveLeaves(p));
  for (const leaf of all) {
    const s = String(leaf.value);
    if (typeof leaf.value === 'string' && s.length >= 6) {
      const shown = renderings(s).find((r) => text.includes(r));
      if (shown !== undefined) problems.push(`${leaf.owner} ${leaf.path}: value appears in a comment${shown === s ? '' : ` as ${shown}`}`);
      else if (lower.includes(s.toLowerCase())) problems.push(`${leaf.owner} ${leaf.path}: value appears in a comment in another letter case`);
      if (decodedUrls.some((t) => t.includes(s)) && !text.includes(s)) problems.push(`${leaf.owner} ${leaf.path}: value appears percent-encoded in a comment`);
      const bytes = Buffer.from(s, 'utf8');
      if (decoded64.some((b) => b.includes(bytes))) problems.push(`${leaf.owner} ${leaf.path}: value appears base64-encoded in a comment`);
    }
    if (typeof leaf.value === 'number' && s.length >= 6 && new RegExp(`(= |-> |: )${escape(s)}(?![0-9.])`).test(text)) {
      problems.push(`${leaf.owner} ${leaf.path}: the number appears as a value in a comment`);
    }
    if (typeof leaf.value === 'string' && s !== '' && keys.has(s)) problems.push(`${leaf.owner} ${leaf.path}: value appears as a map key in a comment`);
    for (const line of s.split('\n').filter((l) => l.trim().length >= 6)) {
      if (s.includes('\n') && text.includes(line)) problems.push(`${leaf.owner} ${leaf.path}: a line of the value appears in a comment`);
    }
    // Lines of this attribute (or a parent rendered whole): each shows only the masked text.
    const attr = new RegExp(`^[-+!] ${escape(leaf.path)}(?=[ .\\[=])[^=]*= (.*)$`, 'gm');
    for (const m of text.matchAll(attr)) {
      const rendered = m[1];
      const json = JSON.stringify(leaf.value);
      if (typeof leaf.value === 'string' ? rendered.includes(json) : new RegExp(`(^|-> )${escape(json)}( |$)`).test(rendered)) {
        problems.push(`${leaf.owner} ${leaf.path}: rendered as ${rendered}`);
      }
    }
  }
  for (const m of text.matchAll(/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g)) problems.push(`an AWS access key ID appears: ${m[0].slice(0, 4)}…`);
  return problems;
}

/** Structural problems of comment chunks: size, unbalanced code fences or <details>. */
export function chunkProblems(comments: readonly string[], limit = GITHUB_COMMENT_LIMIT): string[] {
  const problems: string[] = [];
  comments.forEach((c, i) => {
    if (c.length > limit) problems.push(`part ${i + 1}: ${c.length} characters > ${limit}`);
    let fence: string | undefined;
    let depth = 0;
    for (const line of c.split('\n')) {
      const f = /^(`{3,})/.exec(line);
      if (f) {
        if (!fence) fence = f[1];
        else if (f[1] === fence && line.trim() === fence) fence = undefined;
        continue;
      }
      if (fence) continue;
      depth += (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
      if (depth < 0) problems.push(`part ${i + 1}: </details> without <details>`);
    }
    if (fence) problems.push(`part ${i + 1}: ends inside a code block`);
    if (depth !== 0) problems.push(`part ${i + 1}: ends inside <details> (depth ${depth})`);
  });
  return problems;
}

/** Resource addresses named in the <details> summaries of the chunks, in order. */
export function detailAddresses(comments: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of comments) {
    for (const m of c.matchAll(/<details><summary><code>[^<]*<\/code> <code>([^<]*)<\/code>/g)) {
      out.push(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#124;/g, '|').replace(/&amp;/g, '&'));
    }
  }
  return out;
}
