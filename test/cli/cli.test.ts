import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import { ROOT } from '../support/tools';

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
    for (const s of ['network', 'security', 'mgn', 'automation', 'vm-import']) expect(existsSync(join(dir, 'stacks', s, 'cdk.tf.json'))).toBe(true);
    const text = c.out.join('\n');
    expect(text).toMatch(/Synthesized .*factory\.yaml → .*\/stacks \(5 stacks/);
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
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['--swc', join(ROOT, 'src', 'cli.ts'), 'synth', '--config', file, '--out', join(dir, 'out')], { encoding: 'utf8', cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("factory.yaml:2:7 name: expected a name of 1-63 lowercase letters"); // relative to the working directory
    expect(r.stderr).toContain('region: missing required field');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
