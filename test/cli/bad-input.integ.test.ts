import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { runCli } from '../../src/cli';
import { RULES } from '../../src/config/rules';
import { findLambdaBundleDir, LAMBDA_BUNDLE_DIR, LAMBDA_HANDLERS } from '../../src/infra/lambdas/index';
import { ROOT } from '../support/tools';

/** Command-line mistakes the CLI used to crash on, its error boundary, and the compiled CLI's file layout. */

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const EXAMPLE = join(ROOT, 'examples', 'factory.yaml');
const PLANS = join(ROOT, 'test', 'fixtures', 'terraform-plans');

describe('command-line input', () => {
  it('synth --out naming an existing file is a usage error, and the file is left as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-out-'));
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'keep me');
    const r = await cli(['synth', '--config', EXAMPLE, '--out', file]);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe(`error: --out ${file} is a file; expected a folder (created when missing)\nusage: rehost-factory synth [--config FILE] [--out DIR]`);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('plan-review --out naming an existing file is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-out-'));
    const file = join(dir, 'review.md');
    writeFileSync(file, 'keep me');
    const r = await cli(['plan-review', join(PLANS, 'borchero-empty.json'), '--out', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^error: --out ${file} is a file; expected a folder \\(created when missing\\)\nusage: rehost-factory plan-review`));
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('mgn init with a malformed Region is refused before any network call', async () => {
    const r = await cli(['mgn', 'init', '--config', EXAMPLE, '--region', 'Europe']);
    expect(r.code).toBe(2);
    expect(r.out).toBe(''); // "MGN in account ..." is printed just before the first call to MGN
    expect(r.err).toBe('error: --region "Europe": expected an AWS Region name, e.g. "eu-west-1"\nusage: rehost-factory mgn init [--config FILE] [--region REGION]');
  });

  it('plan-compare with a file and a folder is refused instead of listing every change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-compare-'));
    copyFileSync(join(PLANS, 'borchero-create-300.json'), join(dir, 'network.json'));
    const r = await cli(['plan-compare', join(PLANS, 'borchero-create-300.json'), dir]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: ${join(PLANS, 'borchero-create-300.json')} is a file and ${dir} a folder: give two plan files, or two folders of <stack>.json\nusage: rehost-factory plan-compare REVIEWED CURRENT   (two plan JSON files, or two directories of <stack>.json)`);
  });

  it('plan-review takes a folder of <stack>.json as the action does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-review-'));
    const plans = join(dir, 'plans');
    mkdirSync(plans);
    copyFileSync(join(PLANS, 'borchero-create-300.json'), join(plans, 'network.json'));
    copyFileSync(join(PLANS, 'borchero-empty.json'), join(plans, 'security.json'));
    const r = await cli(['plan-review', plans, '--out', join(dir, 'out')]);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(r.out).toMatch(/^2 plans: 300 create,/);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')) as { stacks: Array<{ name: string }> };
    expect(summary.stacks.map((s) => s.name)).toEqual(['network', 'security']);
    const named = await cli(['plan-review', plans, '--name', 'x', '--out', join(dir, 'out')]);
    expect(named.code).toBe(2);
    expect(named.err).toContain('error: --name names plan files; the plans of a folder are named after their files (<stack>.json)');
    mkdirSync(join(dir, 'empty'));
    const empty = await cli(['plan-review', join(dir, 'empty'), '--out', join(dir, 'out')]);
    expect(empty).toMatchObject({ code: 2, err: `error: ${join(dir, 'empty')}: no <stack>.json plan files in this folder` });
  });
});

describe('the CLI error boundary', () => {
  /** A rule that throws, as a bug in a rule would: added for one test, then removed. */
  async function withCrashingRule<T>(fn: () => Promise<T>): Promise<T> {
    RULES.push({ name: 'injected-crash', check: () => { (undefined as unknown as { length: number }).length; } });
    try {
      return await fn();
    } finally {
      RULES.pop();
    }
  }

  it('a rule that crashes on a valid estate is an internal error naming the rule (exit 1), never an acceptance', async () => {
    const r = await withCrashingRule(() => cli(['validate', EXAMPLE]));
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('valid');
    expect(r.err).toBe(
      'internal error: validation rule "injected-crash" failed on an estate the schema accepted: Cannot read properties of undefined (reading \'length\')\n' +
        'This is a bug in rehost-factory, not a problem with your input. Please report it at https://github.com/rehost-factory/rehost-factory/issues with the command you ran and this output (run again with --debug to include the stack trace).',
    );
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('--debug adds the stack trace, down to the rule that threw', async () => {
    const r = await withCrashingRule(() => cli(['validate', '--debug', EXAMPLE]));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^internal error: validation rule "injected-crash"/);
    expect(r.err).toMatch(/InternalError: validation rule "injected-crash"[\s\S]*\n\s+at [\s\S]*caused by: TypeError: Cannot read properties of undefined[\s\S]*bad-input\.integ\.test\.ts/);
  });

  it('on an estate the schema refused, a rule that stumbles on the malformed part does not hide the schema problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-crash-'));
    const file = join(dir, 'factory.yaml');
    writeFileSync(file, readFileSync(EXAMPLE, 'utf8').replace('region: eu-west-1', 'region: Europe'));
    const r = await withCrashingRule(() => cli(['validate', file]));
    expect(r.code).toBe(2);
    expect(r.err).toContain('region: expected an AWS Region name');
  });
});

describe('the compiled CLI finds the Lambda bundles', () => {
  it('next to the module when the build copied them, else in the package\'s src/infra/lambdas/dist', () => {
    expect(LAMBDA_BUNDLE_DIR).toBe(join(ROOT, 'src', 'infra', 'lambdas', 'dist'));
    const pkg = mkdtempSync(join(tmpdir(), 'rehost-layout-'));
    const committed = join(pkg, 'src', 'infra', 'lambdas', 'dist');
    mkdirSync(committed, { recursive: true });
    for (const h of LAMBDA_HANDLERS) writeFileSync(join(committed, `${h}.js`), '');
    mkdirSync(join(pkg, 'lib', 'infra', 'lambdas'), { recursive: true });
    // `npx projen compile` runs tsc only: lib/infra/lambdas/dist does not exist.
    expect(findLambdaBundleDir(join(pkg, 'lib', 'infra', 'lambdas'))).toBe(committed);
    // A full build copies them next to the compiled module, which is then preferred.
    mkdirSync(join(pkg, 'lib', 'infra', 'lambdas', 'dist'));
    for (const h of LAMBDA_HANDLERS) writeFileSync(join(pkg, 'lib', 'infra', 'lambdas', 'dist', `${h}.js`), '');
    expect(findLambdaBundleDir(join(pkg, 'lib', 'infra', 'lambdas'))).toBe(join(pkg, 'lib', 'infra', 'lambdas', 'dist'));
  });

  it('a compiled lib/ without lambdas/dist synthesizes the example', () => {
    // The layout `npx projen compile` writes (one .js per .ts under lib/, nothing copied), made with
    // esbuild in a second instead of tsc's minute; inside the package so node_modules resolve.
    const pkg = mkdtempSyncIn(join(ROOT, '.tmp'));
    const lib = join(pkg, 'lib');
    try {
      synthesizesFrom(lib);
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });
});

/** Compiles src/ into `lib` as tsc lays it out and synthesizes the example with lib/cli.js. */
function synthesizesFrom(lib: string): void {
  const sources = listTs(join(ROOT, 'src'));
  buildSync({ entryPoints: sources, outdir: lib, outbase: join(ROOT, 'src'), format: 'cjs', platform: 'node', target: 'node20', logLevel: 'error' });
  expect(existsSync(join(lib, 'infra', 'lambdas', 'index.js'))).toBe(true);
  expect(existsSync(join(lib, 'infra', 'lambdas', 'dist'))).toBe(false);
  const out = join(mkdtempSync(join(tmpdir(), 'rehost-compiled-')), 'cdktf.out');
  const r = spawnSync(process.execPath, [join(lib, 'cli.js'), 'synth', '--config', EXAMPLE, '--out', out], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });
  expect({ status: r.status, stderr: r.status ? r.stderr : '' }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).toMatch(/automation\s+\d+ resources/);
  expect(existsSync(join(out, 'stacks', 'automation', 'cdk.tf.json'))).toBe(true);
}

function mkdtempSyncIn(parent: string): string {
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, 'compiled-'));
}

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
}
