import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../support/tools';
import { loadWorkflow } from './workflows';

/**
 * The jobs that hold credentials install with `npm ci --ignore-scripts`. This installs the lock
 * file that way into a copy of the project (from the npm cache where it can) and runs there, as
 * written in the generated workflows, the steps those jobs run with node: synthesize the estate,
 * order the stacks, read the Region; and the action build (esbuild under ts-node --swc), which the
 * build job's tests use. @swc/core and esbuild both have install scripts; without them each must
 * still find its platform binary in its optional dependency.
 *
 * Mostly the install (niced), from the npm cache the project's own `npm ci` leaves: this file took
 * 45 s and 121 s on the 2-core machine, depending on what else ran (bounded at 8 min for the install).
 */
const INSTALL_TIMEOUT_MS = 8 * 60_000;

describe('npm ci --ignore-scripts, then what the credential jobs run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehost-ignore-scripts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a workflow step's `run:` script as the runner would (bash -e), with GITHUB_OUTPUT; returns its outputs. */
  const runStep = (script: string, env: Record<string, string> = {}): Record<string, string> => {
    const output = join(dir, `output-${Date.now()}`);
    writeFileSync(output, '');
    const r = spawnSync('bash', ['-e', '-c', script], { cwd: dir, env: { ...process.env, ...env, GITHUB_OUTPUT: output }, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`step failed (${r.status ?? r.signal}):\n${script}\n${r.stdout}\n${r.stderr}`);
    return Object.fromEntries(readFileSync(output, 'utf8').trim().split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  };
  const stepRun = (file: string, job: string, name: string): string => {
    const run = loadWorkflow(file).jobs[job].steps.find((s) => s.name === name)?.run;
    if (!run) throw new Error(`${file}: job ${job} has no run step "${name}"`);
    return run;
  };

  it(
    'installs without any lifecycle script, then synthesizes and orders the stacks as the workflows do; the jobs use the estate\'s Region',
    () => {
      for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'examples', 'ssm-documents']) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
      const install = stepRun('infra-plan.yml', 'plan', 'Install dependencies (no lifecycle scripts)');
      expect(install).toBe('npm ci --ignore-scripts');
      execFileSync('nice', ['-n', '10', 'bash', '-e', '-c', `${install} --prefer-offline --no-audit --no-fund`], { cwd: dir, stdio: 'pipe', timeout: INSTALL_TIMEOUT_MS });
      // esbuild's install script replaces its JavaScript launcher with the native binary: still the launcher, so no script ran.
      expect(readFileSync(join(dir, 'node_modules', 'esbuild', 'bin', 'esbuild'), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
      expect(existsSync(join(dir, 'node_modules', '@swc', 'core', 'postinstall.js'))).toBe(true);

      runStep(stepRun('infra-plan.yml', 'plan', 'Synthesize the estate'));
      expect(readFileSync(join(dir, 'cdktf.out', 'manifest.json'), 'utf8')).toContain('"security"');
      const stacks = runStep(stepRun('infra-plan.yml', 'plan', 'Order stacks by dependency'));
      expect(stacks.names.split(' ').sort()).toEqual(['access', 'automation', 'mgn', 'network', 'security', 'vm-import']);
      expect(stacks.region).toBe('eu-west-1');
      // The cutover and VM Import jobs assume their roles in the estate's Region, written into the workflow by projen.
      for (const [file, job] of [['cutover.yml', 'plan'], ['vm-import.yml', 'import']]) {
        const assume = loadWorkflow(file).jobs[job].steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        expect({ file, region: assume?.with?.['aws-region'] }).toEqual({ file, region: stacks.region });
      }

      // esbuild's JavaScript API under ts-node --swc, as the bundle:actions task and the bundle test
      // run it: the bundle of an action, byte for byte the committed one.
      execFileSync('npx', ['ts-node', '--swc', 'src/actions/bundle.ts', 'plan-review'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      const bundle = readFileSync(join(dir, 'actions', 'plan-review', 'dist', 'index.js'), 'utf8');
      expect(bundle === readFileSync(join(ROOT, 'actions', 'plan-review', 'dist', 'index.js'), 'utf8')).toBe(true);
    },
    INSTALL_TIMEOUT_MS + 5 * 60_000,
  );
});
