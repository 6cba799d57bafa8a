import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The external tools the tests use, found on this machine or provisioned into the project.
 * A tool that is neither present nor installable makes the test fail with the exact command to
 * install it: no test is skipped silently.
 */
export const PINNED = {
  terraform: '1.11.4',
  awsProvider: '5.100.0',
  moto: '5.2.1',
  cfnLint: '1.51.0',
} as const;

export const ROOT = resolve(__dirname, '..', '..');
const VENV = join(ROOT, '.venv');
export const PROVIDER_MIRROR = '/opt/tf-plugins';

export class MissingToolError extends Error {
  constructor(tool: string, install: string) {
    super(`${tool} is required by the tests and was not found.\nInstall it with:\n  ${install}`);
    this.name = 'MissingToolError';
  }
}

function onPath(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

/** Python packages go into a project-local virtual environment when the machine lacks them. */
function provisionPython(pkgs: string[]): boolean {
  try {
    if (!existsSync(join(VENV, 'bin', 'pip'))) execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'pipe' });
    execFileSync(join(VENV, 'bin', 'pip'), ['install', '--quiet', ...pkgs], { stdio: 'pipe', timeout: 600_000 });
    return true;
  } catch {
    return false;
  }
}

export function terraformBin(): string {
  const found = process.env.TERRAFORM_BIN ?? onPath('terraform');
  if (found) return found;
  throw new MissingToolError(
    `terraform ${PINNED.terraform}`,
    `npm install -g @jahed/terraform@${PINNED.terraform}   (or download it from https://developer.hashicorp.com/terraform/install and put it on PATH)`,
  );
}

/** The python that can import moto (machine-wide first, then .venv, provisioning .venv if needed). */
export function motoPython(): string {
  for (const py of ['python3', join(VENV, 'bin', 'python')]) {
    if (py !== 'python3' && !existsSync(py)) continue;
    const r = spawnSync(py, ['-c', 'import moto, flask, werkzeug; print(moto.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  if (provisionPython([`moto[server]==${PINNED.moto}`])) return join(VENV, 'bin', 'python');
  throw new MissingToolError(`moto ${PINNED.moto} (server mode)`, `python3 -m pip install 'moto[server]==${PINNED.moto}'`);
}

export function cfnLintBin(): string {
  const found = onPath('cfn-lint') ?? (existsSync(join(VENV, 'bin', 'cfn-lint')) ? join(VENV, 'bin', 'cfn-lint') : undefined);
  if (found) return found;
  if (provisionPython([`cfn-lint==${PINNED.cfnLint}`])) return join(VENV, 'bin', 'cfn-lint');
  throw new MissingToolError(`cfn-lint ${PINNED.cfnLint}`, `python3 -m pip install 'cfn-lint==${PINNED.cfnLint}'`);
}
