import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import { appendGithubOutputs } from '../../src/cli/github-output';
import { dependencyOrder } from '../../src/cli/outputs';
import { exampleConfig, synthToTemp } from '../support/synth';
import { ROOT } from '../support/tools';

/**
 * `outputs`: what the workflows read from a synthesized folder (`stacks`) or an estate file
 * (`region`), printed and, with --github-output, appended to $GITHUB_OUTPUT in GitHub's format.
 */
function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

/** Runs the CLI with $GITHUB_OUTPUT pointing at a fresh file; returns the exit code, output and the file's text. */
async function withGithubOutput(argv: string[]): Promise<{ code: number; out: string[]; err: string[]; file: string }> {
  const path = join(mkdtempSync(join(tmpdir(), 'rehost-gh-output-')), 'output');
  writeFileSync(path, '');
  const saved = process.env.GITHUB_OUTPUT;
  process.env.GITHUB_OUTPUT = path;
  try {
    const c = capture();
    const code = await runCli(argv, c.io);
    return { code, out: c.out, err: c.err, file: readFileSync(path, 'utf8') };
  } finally {
    if (saved === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = saved;
  }
}

describe('rehost-factory outputs', () => {
  const config = exampleConfig();
  const { outdir } = synthToTemp(config);

  it('stacks: every stack after the stacks it depends on, and the Region, from a real synth', async () => {
    const r = await withGithubOutput(['outputs', 'stacks', '--dir', outdir, '--github-output']);
    expect(r.code).toBe(0);
    const names = r.out[0].replace(/^names=/, '').split(' ');
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')).stacks as Record<string, { dependencies: string[] }>;
    expect([...names].sort()).toEqual(Object.keys(manifest).sort());
    for (const [name, s] of Object.entries(manifest)) for (const dep of s.dependencies) expect({ name, dep, before: names.indexOf(dep) < names.indexOf(name) }).toEqual({ name, dep, before: true });
    expect(r.out).toEqual([`names=${names.join(' ')}`, `region=${config.region}`]);
    expect(r.file).toBe(`names=${names.join(' ')}\nregion=${config.region}\n`);
  });

  it('region: the Region of the estate file given; the default estate without --config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-outputs-'));
    const file = join(dir, 'factory.yaml');
    // Another estate than the bundled example, in another Region.
    writeFileSync(file, readFileSync(join(ROOT, 'examples', 'existing-vpc.yaml'), 'utf8'));
    const r = await withGithubOutput(['outputs', 'region', '--config', file, '--github-output']);
    expect([r.code, r.out, r.file]).toEqual([0, ['region=us-east-1'], 'region=us-east-1\n']);
    // Without --config: factory.yaml in the working directory, else the bundled example (a real process in that directory).
    const run = (cwd: string) => spawnSync(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['--swc', join(ROOT, 'src', 'cli.ts'), 'outputs', 'region'], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(run(dir).stdout.trim()).toBe('region=us-east-1');
    expect(run(ROOT).stdout.trim()).toBe(`region=${config.region}`);
  });

  it('without --github-output prints only; with it and no $GITHUB_OUTPUT, refuses (exit 2)', async () => {
    const c = capture();
    expect(await runCli(['outputs', 'stacks', '--dir', outdir], c.io)).toBe(0);
    const saved = process.env.GITHUB_OUTPUT;
    delete process.env.GITHUB_OUTPUT;
    try {
      const d = capture();
      expect(await runCli(['outputs', 'region', '--github-output'], d.io)).toBe(2);
      expect(d.err.join('\n')).toContain('--github-output: $GITHUB_OUTPUT is not set');
      expect(d.out).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.GITHUB_OUTPUT = saved;
    }
  });

  it('a folder that is not a synth, or a damaged one, is invalid input (exit 2) naming the file, and writes no output', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'rehost-outputs-'));
    const missing = await withGithubOutput(['outputs', 'stacks', '--dir', empty, '--github-output']);
    expect(missing.code).toBe(2);
    expect(missing.err.join('\n')).toContain(`${join(empty, 'manifest.json')}: not found (run \`rehost-factory synth --out DIR\` first)`);
    expect(missing.file).toBe('');

    const broken = mkdtempSync(join(tmpdir(), 'rehost-outputs-'));
    writeFileSync(join(broken, 'manifest.json'), JSON.stringify({ stacks: { network: { dependencies: [] } } }));
    mkdirSync(join(broken, 'stacks', 'network'), { recursive: true });
    writeFileSync(join(broken, 'stacks', 'network', 'cdk.tf.json'), JSON.stringify({ provider: { aws: [{}] } }));
    const noRegion = await withGithubOutput(['outputs', 'stacks', '--dir', broken, '--github-output']);
    expect(noRegion.code).toBe(2);
    expect(noRegion.err.join('\n')).toContain(`${join(broken, 'stacks', 'network', 'cdk.tf.json')}: provider.aws[0].region: expected the Region of the stack's AWS provider`);
    expect(noRegion.file).toBe('');

    writeFileSync(join(broken, 'manifest.json'), '{ "stacks": ');
    const notJson = await withGithubOutput(['outputs', 'stacks', '--dir', broken]);
    expect([notJson.code, notJson.err.join('\n')]).toEqual([2, expect.stringContaining(`${join(broken, 'manifest.json')}: not JSON`)]);
  });

  it('an invalid estate is reported located (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-outputs-'));
    writeFileSync(join(dir, 'factory.yaml'), 'version: 1\nname: Bad_Name\n');
    const r = await withGithubOutput(['outputs', 'region', '--config', join(dir, 'factory.yaml'), '--github-output']);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/factory\.yaml:2:7 name: expected a name/);
    expect(r.file).toBe('');
  });

  it('usage errors: what to print, flags of the other kind, extra arguments', async () => {
    for (const [argv, message] of [
      [['outputs'], 'say which outputs: stacks or region'],
      [['outputs', 'plans'], 'unknown outputs "plans": expected stacks or region'],
      [['outputs', 'stacks', '--config', 'factory.yaml'], '--config goes with `outputs region`'],
      [['outputs', 'region', '--dir', 'cdktf.out'], '--dir goes with `outputs stacks`'],
      [['outputs', 'region', 'extra'], 'unexpected argument "extra"'],
    ] as const) {
      const c = capture();
      expect({ argv, code: await runCli([...argv], c.io) }).toEqual({ argv, code: 2 });
      expect(c.err.join('\n')).toContain(message);
      expect(c.err.join('\n')).toContain('usage: rehost-factory outputs stacks|region');
    }
  });

  it('orders dependencies first, keeps the manifest order otherwise, and refuses cycles and unknown stacks', () => {
    expect(dependencyOrder({ automation: ['security'], mgn: ['network', 'security'], network: [], security: [] }, 'm.json')).toEqual(['security', 'automation', 'network', 'mgn']);
    expect(() => dependencyOrder({ a: ['b'], b: ['c'], c: ['a'] }, 'm.json')).toThrow('m.json: the stacks depend on each other in a cycle: a → b → c → a');
    expect(() => dependencyOrder({ a: ['ghost'] }, 'm.json')).toThrow('m.json: stack "a" depends on "ghost", which is not in the manifest');
  });

  it('$GITHUB_OUTPUT: one name=value line per output, a heredoc for a value with a line break, names checked', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rehost-gh-output-')), 'output');
    writeFileSync(file, 'earlier=1\n');
    appendGithubOutputs({ a: 'x y', b: 'one\ntwo' }, { GITHUB_OUTPUT: file });
    const text = readFileSync(file, 'utf8');
    const m = /^earlier=1\na=x y\nb<<(ghadelimiter_[0-9a-f-]{36})\none\ntwo\n\1\n$/.exec(text);
    expect(m).not.toBeNull();
    expect(() => appendGithubOutputs({ 'a=b': 'x' }, { GITHUB_OUTPUT: file })).toThrow('output name "a=b"');
  });
});
