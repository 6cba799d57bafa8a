import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/**
 * The external tools the tests use: found on this machine first (TERRAFORM_BIN, PATH), else
 * provisioned into the project pinned by version (terraform through npm into .tools/, moto and
 * cfn-lint through pip into .venv/). A tool that is neither present at the right version nor
 * installable makes the test fail with the exact command to install it: no test is skipped silently.
 */
export const PINNED = {
  terraform: '1.11.4',
  awsProvider: '5.100.0',
  moto: '5.2.1',
  cfnLint: '1.51.0',
} as const;

export const ROOT = resolve(__dirname, '..', '..');
export const PROVIDER_MIRROR = '/opt/tf-plugins';

/** Where provisioned tools go: the project, or REHOST_TOOLS_ROOT (the harness tests of this module). */
const toolsRoot = () => process.env.REHOST_TOOLS_ROOT ?? ROOT;
const venvDir = () => join(toolsRoot(), '.venv');
const terraformDir = () => join(toolsRoot(), '.tools');

/** The exact install commands, run from the project folder (docs/prerequisites.md shows the same). */
export const INSTALL = {
  terraform:
    `npm install --prefix .tools @jahed/terraform@${PINNED.terraform}   (it downloads terraform from releases.hashicorp.com on first run), ` +
    `or install terraform ${PINNED.terraform} from https://developer.hashicorp.com/terraform/install and put it on PATH or set TERRAFORM_BIN to it`,
  // A virtual environment: `pip install` outside one is refused on PEP 668 systems (EXTERNALLY-MANAGED).
  python: `python3 -m venv .venv && .venv/bin/pip install 'moto[server]==${PINNED.moto}' 'cfn-lint==${PINNED.cfnLint}'`,
} as const;

export class MissingToolError extends Error {
  /** The command that installs the tool. */
  public readonly install: string;
  constructor(tool: string, install: string, reasons: readonly string[] = []) {
    const why = reasons.length ? `\n${reasons.map((r) => `  - ${r}`).join('\n')}` : '';
    super(`${tool} is required by the tests and was not found at a usable version:${why || ' not installed'}\nInstall it with:\n  ${install}`);
    this.name = 'MissingToolError';
    this.install = install;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `cmd` on PATH (no shell: PATH may be empty or lack sh). */
function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

/** Runs a tool, bounded in time; stdout, or why it failed. */
function run(file: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): { ok: true; stdout: string } | { ok: false; why: string; output?: string } {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: env && { ...process.env, ...env } });
  if (r.error) return { ok: false, why: `${file} ${args[0] ?? ''} failed: ${(r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `no answer within ${timeoutMs / 1000} s` : r.error.message}` };
  if (r.status !== 0) {
    const last = (r.stderr || r.stdout || '').split('\n').filter((l) => l.trim()).slice(0, 3).join(' | ');
    return { ok: false, why: `${file} ${args.join(' ')} exited ${r.status ?? r.signal}: ${last}`, output: `${r.stderr}\n${r.stdout}` };
  }
  return { ok: true, stdout: r.stdout };
}

let terraformFound: string | undefined;

/**
 * terraform 1.11.x: TERRAFORM_BIN when set (it must be that version), else the first on PATH, else
 * the one provisioned into .tools/ (installed with npm when missing).
 */
export function terraformBin(): string {
  if (terraformFound) return terraformFound;
  const tool = `terraform ${PINNED.terraform.replace(/\.\d+$/, '.x')}`;
  const reasons: string[] = [];
  const explicit = process.env.TERRAFORM_BIN;
  if (explicit) {
    const why = isExecutable(explicit) ? terraformProblem(explicit, 30_000) : `TERRAFORM_BIN is ${explicit}, which is not an executable file`;
    if (why) throw new MissingToolError(tool, INSTALL.terraform, [why.startsWith('TERRAFORM_BIN') ? why : `TERRAFORM_BIN: ${why}`]);
    return (terraformFound = explicit);
  }
  const fromPath = onPath('terraform');
  if (fromPath) {
    const why = terraformProblem(fromPath, 30_000);
    if (!why) return (terraformFound = fromPath);
    reasons.push(`on PATH: ${why}`);
  } else {
    reasons.push('not on PATH, and TERRAFORM_BIN is not set');
  }
  const dir = terraformDir();
  const wrapper = join(dir, 'node_modules', '.bin', 'terraform');
  if (!isExecutable(wrapper)) {
    const why = installTerraform();
    if (why) throw new MissingToolError(tool, INSTALL.terraform, [...reasons, why]);
  }
  // The wrapper downloads the binary on its first run (about 30 MB; bounded, and offline it fails
  // here) into the cache folder of the package that INIT_CWD names; NODE_DEBUG makes it say why it failed.
  const why = terraformProblem(wrapper, 180_000, { INIT_CWD: dir, NODE_DEBUG: '@jahed/terraform' });
  if (why) throw new MissingToolError(tool, INSTALL.terraform, [...reasons, `provisioned in ${dir}: ${why}`]);
  // The downloaded binary itself: no wrapper, so no dependence on INIT_CWD in later runs.
  const binary = join(dir, 'node_modules', '.cache', '@jahed', 'terraform', `terraform-v${PINNED.terraform}`);
  return (terraformFound = isExecutable(binary) ? binary : wrapper);
}

/** Why `bin` is not the pinned terraform minor, or undefined when it is. */
function terraformProblem(bin: string, timeoutMs: number, env?: NodeJS.ProcessEnv): string | undefined {
  const r = run(bin, ['version', '-json'], timeoutMs, env);
  if (!r.ok) {
    const download = /failed to install terraform\. (.*)/.exec(r.output ?? '');
    return download ? `${bin} could not download terraform: ${download[1]}` : r.why;
  }
  let version: string | undefined;
  try {
    version = (JSON.parse(r.stdout) as { terraform_version?: string }).terraform_version;
  } catch {
    return `${bin} version -json printed no JSON: ${r.stdout.slice(0, 200)}`;
  }
  const minor = PINNED.terraform.replace(/\.\d+$/, '.');
  return version?.startsWith(minor) ? undefined : `${bin} is terraform ${version ?? '(unknown version)'}; the tests need ${minor}x`;
}

/** npm install @jahed/terraform into .tools/; why it failed, or undefined. Bounded: no retries, 3 minutes. */
function installTerraform(): string | undefined {
  const npm = onPath('npm');
  if (!npm) return 'npm is not on PATH, so terraform cannot be provisioned into .tools/';
  const r = run(npm, ['install', '--prefix', terraformDir(), '--no-audit', '--no-fund', '--fetch-retries=0', `@jahed/terraform@${PINNED.terraform}`], 180_000);
  return r.ok ? undefined : `provisioning into ${terraformDir()} failed: ${r.why}`;
}

let pythonProvisioned: string | undefined | null = null;

/** moto and cfn-lint into .venv/, once per process; why it failed, or undefined. */
function provisionPython(): string | undefined {
  if (pythonProvisioned === null) pythonProvisioned = provisionVenv();
  return pythonProvisioned;
}

function provisionVenv(): string | undefined {
  const python = onPath('python3');
  if (!python) return 'python3 is not on PATH, so .venv/ cannot be created';
  const venv = venvDir();
  const pip = join(venv, 'bin', 'pip');
  if (!existsSync(pip)) {
    const r = run(python, ['-m', 'venv', venv], 120_000);
    if (!r.ok) return `creating ${venv} failed: ${r.why} (Debian and Ubuntu need the python3-venv package)`;
  }
  // Bounded: one retry, 15 s per connection; offline this fails within a minute.
  const r = run(pip, ['install', '--quiet', '--disable-pip-version-check', '--retries', '1', '--timeout', '15', `moto[server]==${PINNED.moto}`, `cfn-lint==${PINNED.cfnLint}`], 600_000);
  return r.ok ? undefined : `installing into ${venv} failed: ${r.why}`;
}

/** The first candidate that `check` accepts (it returns why not), provisioning .venv/ once when none does. */
function pythonTool(tool: string, candidates: () => string[], check: (file: string) => string | undefined): string {
  const reasons: string[] = [];
  const first = () => {
    for (const file of candidates()) {
      const why = check(file);
      if (!why) return file;
      if (!reasons.includes(why)) reasons.push(why);
    }
    return undefined;
  };
  const found = first();
  if (found) return found;
  const why = provisionPython();
  if (why) reasons.push(why);
  const provisioned = why ? undefined : first();
  if (provisioned) return provisioned;
  throw new MissingToolError(tool, INSTALL.python, reasons.length ? reasons : ['not on PATH and not in .venv/']);
}

let motoFound: string | undefined;

/** A python that imports moto 5.2.1 with its server dependencies (machine-wide first, then .venv/). */
export function motoPython(): string {
  if (motoFound) return motoFound;
  const candidates = () => [onPath('python3'), join(venvDir(), 'bin', 'python')].filter((p): p is string => !!p && isExecutable(p));
  return (motoFound = pythonTool(`moto ${PINNED.moto} (server mode; the Step Functions wrapper is written against it)`, candidates, (py) => {
    const r = run(py, ['-c', 'import moto, flask, werkzeug; print(moto.__version__)'], 60_000);
    if (!r.ok) return `${py} cannot import moto[server]: ${r.why}`;
    const v = r.stdout.trim();
    return v === PINNED.moto ? undefined : `${py} has moto ${v}`;
  }));
}

let cfnLintFound: string | undefined;

/** cfn-lint 1.51.x (machine-wide first, then .venv/). */
export function cfnLintBin(): string {
  if (cfnLintFound) return cfnLintFound;
  const minor = PINNED.cfnLint.replace(/\.\d+$/, '.');
  const candidates = () => [onPath('cfn-lint'), join(venvDir(), 'bin', 'cfn-lint')].filter((p): p is string => !!p && isExecutable(p));
  return (cfnLintFound = pythonTool(`cfn-lint ${minor}x`, candidates, (bin) => {
    const r = run(bin, ['--version'], 60_000);
    if (!r.ok) return r.why;
    const v = /cfn-lint (\S+)/.exec(r.stdout)?.[1];
    return v?.startsWith(minor) ? undefined : `${bin} is cfn-lint ${v ?? r.stdout.trim()}`;
  }));
}
