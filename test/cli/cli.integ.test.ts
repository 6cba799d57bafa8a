import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, synthesizeInto } from '../../src/infra/app';
import { runCli } from '../../src/cli';
import { COMMANDS } from '../../src/cli/commands';
import { loadFactoryFile } from '../../src/config/load';
import { ROOT } from '../support/tools';

const TS_NODE = join(ROOT, 'node_modules', '.bin', 'ts-node');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('rehost-factory CLI', () => {
  it('synth writes every stack and prints the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-cli-'));
    const c = capture();
    const code = await runCli(['synth', '--config', join(ROOT, 'examples', 'factory.yaml'), '--out', dir], c.io);
    expect(code).toBe(0);
    for (const s of ['access', 'network', 'security', 'mgn', 'automation', 'vm-import']) expect(existsSync(join(dir, 'stacks', s, 'cdk.tf.json'))).toBe(true);
    // The target account's deploy and plan roles, for its administrator (docs/security.md).
    expect(existsSync(join(dir, 'target-account-roles', 'prod.json'))).toBe(true);
    const text = c.out.join('\n');
    expect(text).toMatch(/Synthesized .*factory\.yaml → .*\/stacks \(6 stacks/);
    expect(text).toMatch(/network\s+\d+ resources/);
    expect(text).toMatch(/\d+\s+aws_subnet/);
    expect(text).toMatch(/total\s+\d+ resources/);
  });

  it('validate reports a valid estate', async () => {
    const c = capture();
    expect(await runCli(['validate', join(ROOT, 'examples', 'existing-vpc.yaml')], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/valid \(1 waves, 2 servers, Region us-east-1\)/);
  });

  it('unknown commands and flags are usage errors (exit 2)', async () => {
    const a = capture();
    expect(await runCli(['deploy'], a.io)).toBe(2);
    expect(a.err.join('\n')).toContain('unknown command "deploy"');
    const b = capture();
    expect(await runCli(['synth', '--confg', 'x'], b.io)).toBe(2);
    expect(b.err.join('\n')).toMatch(/Unknown option '--confg'[\s\S]*usage: rehost-factory synth/);
  });

  it('the real process exits 2 on an invalid estate and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-cli-'));
    const file = join(dir, 'factory.yaml');
    writeFileSync(file, 'version: 1\nname: Bad_Name\n');
    const r = spawnSync(TS_NODE, ['--swc', join(ROOT, 'src', 'cli.ts'), 'synth', '--config', file, '--out', join(dir, 'out')], { encoding: 'utf8', cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("factory.yaml:2:7 name: expected a name of 1-63 lowercase letters"); // relative to the working directory
    expect(r.stderr).toContain('region: missing required field');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('docs/cli.md lists every command with its usage', () => {
    const section = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
    for (const [name, load] of Object.entries(COMMANDS)) {
      // Usages as table cells: "|" escaped, the trailing explanation of plan-compare's arguments in words.
      const usage = load().usage.replace(/\s{2,}\(.*\)$/, '').replace(/\|/g, '\\|');
      expect({ name, listed: section.includes(`\`${usage}\``) }).toEqual({ name, listed: true });
    }
  });

  it('the cdktf app entry (src/main.ts) reports an invalid estate located, exits 2 and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-main-'));
    const file = join(dir, 'factory.yaml');
    // Valid for the schema, refused by a cross-field rule that once only the mgn stack enforced.
    writeFileSync(file, readFileSync(join(ROOT, 'examples', 'factory.yaml'), 'utf8').replace('    stagingSubnet: staging-a\n', '    stagingSubnet: staging-z\n'));
    const out = join(dir, 'cdktf.out');
    const r = spawnSync(TS_NODE, ['--swc', join(ROOT, 'src', 'main.ts')], { encoding: 'utf8', cwd: dir, env: { ...process.env, REHOST_FACTORY_CONFIG: file, CDKTF_OUTDIR: out }, timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/factory\.yaml:\d+:\d+ mgn\.replication\.stagingSubnet: expected the name of a subnet in network\.stagingSubnets \(staging-a, staging-b\), got "staging-z"/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
  });

  describe('a failure during synthesis leaves the output folder as it was', () => {
    const config = loadFactoryFile(join(ROOT, 'examples', 'factory.yaml')).config;
    /** The example app with one construct whose validation fails: cdktf validates after writing the stacks. */
    const failing = (dir: string) => {
      const app = buildApp(config, dir);
      app.node.findChild('mgn').node.addValidation({ validate: () => ['injected validation failure'] });
      return app;
    };

    it('absent when it was absent', () => {
      const out = join(mkdtempSync(join(tmpdir(), 'rehost-synth-fail-')), 'cdktf.out');
      expect(() => synthesizeInto(out, failing)).toThrow(/injected validation failure/);
      expect(existsSync(out)).toBe(false);
    });

    it('unchanged when it held an earlier synth and local state, which a later good synth keeps', () => {
      const out = join(mkdtempSync(join(tmpdir(), 'rehost-synth-fail-')), 'cdktf.out');
      const stack = join(out, 'stacks', 'network');
      mkdirSync(stack, { recursive: true });
      writeFileSync(join(stack, 'cdk.tf.json'), '{"earlier":true}');
      writeFileSync(join(stack, 'terraform.network.tfstate'), '{"version":4}');
      expect(() => synthesizeInto(out, failing)).toThrow(/injected validation failure/);
      expect(readdirSync(out)).toEqual(['stacks']);
      expect(readdirSync(join(out, 'stacks'))).toEqual(['network']);
      expect(readFileSync(join(stack, 'cdk.tf.json'), 'utf8')).toBe('{"earlier":true}');

      synthesizeInto(out, (dir) => buildApp(config, dir));
      expect(JSON.parse(readFileSync(join(stack, 'cdk.tf.json'), 'utf8'))).toHaveProperty('resource.aws_subnet');
      expect(readFileSync(join(stack, 'terraform.network.tfstate'), 'utf8')).toBe('{"version":4}');
      expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    });
  });
});
