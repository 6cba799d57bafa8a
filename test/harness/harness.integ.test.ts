import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, motoClientConfig, sharedMotoUrl, startMoto } from '../support/moto';
import { init, terraform, terraformCliConfig, validateStacks } from '../support/terraform';
import { cfnLintBin, INSTALL, PINNED, PROVIDER_MIRROR, ROOT, terraformBin } from '../support/tools';

/** What a tool resolver did in a fresh process: the path it chose, or the error it threw. */
interface Resolved { readonly fn: string; readonly path?: string; readonly name?: string; readonly message?: string; readonly install?: string; readonly ms: number }

/**
 * Runs tool resolvers of test/support/tools.ts in a child process with only `env` (no inherited
 * PATH, TERRAFORM_BIN or npm settings): how a machine without the tools sees them.
 */
function resolveIn(env: Record<string, string>, ...fns: string[]): Resolved[] {
  const script = `
    require(${JSON.stringify(join(ROOT, 'node_modules', 'ts-node'))}).register({ swc: true, transpileOnly: true });
    const tools = require(${JSON.stringify(join(ROOT, 'test', 'support', 'tools.ts'))});
    const out = [];
    for (const fn of ${JSON.stringify(fns)}) {
      const t0 = Date.now();
      try { out.push({ fn, path: tools[fn](), ms: Date.now() - t0 }); }
      catch (e) { out.push({ fn, name: e.name, message: e.message, install: e.install, ms: Date.now() - t0 }); }
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { HOME: tmpdir(), ...env }, timeout: 90_000 });
  if (r.status !== 0) throw new Error(`resolver process failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Resolved[];
}

/** A folder for PATH holding node and npm (npm's shebang needs node on PATH) and the given fake tools. */
function pathWith(fakes: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rehost-path-'));
  symlinkSync(process.execPath, join(dir, 'node'));
  const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  if (npm) symlinkSync(npm, join(dir, 'npm'));
  for (const [name, stdout] of Object.entries(fakes)) fakeTool(join(dir, name), stdout);
  return dir;
}

/** An executable that prints `stdout` whatever its arguments. */
function fakeTool(file: string, stdout: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `#!${process.execPath}\nprocess.stdout.write(${JSON.stringify(stdout)});\n`);
  chmodSync(file, 0o755);
}

describe('test harness', () => {
  it('moto (started by global setup) answers real SDK calls in the configured account', async () => {
    const url = sharedMotoUrl();
    const ec2 = new EC2Client(motoClientConfig(url));
    const regions = await ec2.send(new DescribeRegionsCommand({}));
    expect(regions.Regions?.map((r) => r.RegionName)).toContain('eu-west-1');
    const sts = new STSClient(motoClientConfig(url));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('111111111111');
  });

  it('moto wrapper answers the Step Functions actions moto 5.2.1 lacks', async () => {
    const moto = await startMoto();
    try {
      const call = (target: string, body: unknown) =>
        fetch(moto.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${target}`, authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/states/aws4_request, SignedHeaders=host, Signature=x' },
          body: JSON.stringify(body),
        });
      const ok = await call('ValidateStateMachineDefinition', { definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Succeed' } } }) });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ result: 'OK' });
      const bad = await call('ValidateStateMachineDefinition', { definition: '{}' });
      expect(await bad.json()).toMatchObject({ result: 'FAIL' });
      const versions = await call('ListStateMachineVersions', { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x' });
      expect(await versions.json()).toEqual({ stateMachineVersions: [] });
    } finally {
      await moto.stop();
    }
  });

  it('terraform init installs the AWS provider from the local mirror without network, several at once', async () => {
    const dirs = [1, 2, 3].map(() => {
      const dir = mkdtempSync(join(tmpdir(), 'rehost-tfinit-'));
      writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } } }));
      return dir;
    });
    // Concurrent inits, as jest's workers and Promise.all in the tests do.
    await Promise.all(dirs.map((d) => init(d, false)));
    for (const dir of dirs) {
      const v = await terraform(dir, ['version', '-json']);
      expect(JSON.parse(v.stdout).provider_selections['registry.terraform.io/hashicorp/aws']).toBe('5.100.0');
    }
    if (existsSync(PROVIDER_MIRROR)) {
      // From the mirror, never through a plugin cache (concurrent inits re-install into a cache and collide).
      const config = readFileSync(terraformCliConfig(), 'utf8');
      expect(config).toContain(PROVIDER_MIRROR);
      expect(config).not.toContain('plugin_cache_dir');
      const installed = join(dirs[0], '.terraform', 'providers', 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', 'linux_amd64');
      expect(realpathSync(installed).startsWith(realpathSync(PROVIDER_MIRROR))).toBe(true);
    }
  });

  it('validateStacks names the stack whose configuration is invalid (one validate run for all)', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'rehost-validate-'));
    const stack = (name: string, vpc: Record<string, unknown>) => {
      mkdirSync(join(outdir, 'stacks', name), { recursive: true });
      writeFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: `${name}.tfstate` } } }, provider: { aws: [{ region: 'eu-west-1' }] }, resource: { aws_vpc: { v: vpc } } }));
    };
    stack('good', { cidr_block: '10.0.0.0/16' });
    // `region` on a resource exists only in provider 6.x: what validate on 5.100 must catch.
    stack('bad', { cidr_block: '10.1.0.0/16', region: 'eu-west-1' });
    const errors = await validateStacks(outdir, ['good', 'bad']);
    expect(errors.good).toEqual([]);
    expect(errors.bad.map((d) => d.summary)).toEqual(['Extraneous JSON object property']);
  });

  it('cfn-lint is available at the pinned minor (cfnLintBin checks its --version)', () => {
    expect(cfnLintBin()).toMatch(/cfn-lint$/);
  });

  describe('on a machine without the tools', () => {
    let offline: Record<string, string>;
    beforeAll(async () => {
      // npm gets a registry on a loopback port nobody listens on and an empty cache: installing fails at once.
      offline = { npm_config_registry: `http://127.0.0.1:${await freePort()}/`, npm_config_cache: mkdtempSync(join(tmpdir(), 'rehost-npm-cache-')) };
    });

    it('TERRAFORM_BIN naming a missing file gives the install instruction, not ENOENT', () => {
      const [r] = resolveIn({ PATH: pathWith(), TERRAFORM_BIN: '/nonexistent/terraform', REHOST_TOOLS_ROOT: mkdtempSync(join(tmpdir(), 'rehost-tools-')), ...offline }, 'terraformBin');
      expect(r).toMatchObject({ name: 'MissingToolError', install: INSTALL.terraform });
      expect(r.message).toContain('TERRAFORM_BIN is /nonexistent/terraform, which is not an executable file');
      expect(r.message).toContain(`Install it with:\n  ${INSTALL.terraform}`);
      expect(r.message).not.toMatch(/ENOENT/);
    });

    it('terraform not on PATH: provisioning into .tools/ is tried, fails fast without the registry, and says how to install', () => {
      const root = mkdtempSync(join(tmpdir(), 'rehost-tools-'));
      const [r] = resolveIn({ PATH: pathWith(), REHOST_TOOLS_ROOT: root, ...offline }, 'terraformBin');
      expect(r).toMatchObject({ name: 'MissingToolError', install: INSTALL.terraform });
      expect(r.message).toContain('not on PATH, and TERRAFORM_BIN is not set');
      expect(r.message).toMatch(new RegExp(`provisioning into ${root}/\\.tools failed: .*npm install --prefix ${root}/\\.tools .*@jahed/terraform@${PINNED.terraform.replace(/\./g, '\\.')} exited`));
      expect(r.ms).toBeLessThan(60_000);
      expect(existsSync(join(root, '.tools', 'node_modules', '.bin', 'terraform'))).toBe(false);
    });

    it('a terraform of another minor on PATH is refused with its version; one provisioned in .tools/ is used', () => {
      const root = mkdtempSync(join(tmpdir(), 'rehost-tools-'));
      const PATH = pathWith({ terraform: JSON.stringify({ terraform_version: '1.5.7' }) });
      const [refused] = resolveIn({ PATH, REHOST_TOOLS_ROOT: root, ...offline }, 'terraformBin');
      expect(refused).toMatchObject({ name: 'MissingToolError', install: INSTALL.terraform });
      expect(refused.message).toContain(`on PATH: ${PATH}/terraform is terraform 1.5.7; the tests need 1.11.x`);
      // A .tools/ provisioned earlier (here a stand-in for the @jahed/terraform wrapper) is used without reinstalling.
      fakeTool(join(root, '.tools', 'node_modules', '.bin', 'terraform'), JSON.stringify({ terraform_version: PINNED.terraform }));
      const [used] = resolveIn({ PATH, REHOST_TOOLS_ROOT: root, ...offline }, 'terraformBin');
      expect(used.path).toBe(join(root, '.tools', 'node_modules', '.bin', 'terraform'));
    });

    it('moto and cfn-lint missing (or at another version) give the virtual-environment instruction', () => {
      const PATH = pathWith({ 'cfn-lint': 'cfn-lint 1.40.2\n' });
      const [moto, lint] = resolveIn({ PATH, REHOST_TOOLS_ROOT: mkdtempSync(join(tmpdir(), 'rehost-tools-')), ...offline }, 'motoPython', 'cfnLintBin');
      const instruction = `python3 -m venv .venv && .venv/bin/pip install 'moto[server]==${PINNED.moto}' 'cfn-lint==${PINNED.cfnLint}'`;
      expect(INSTALL.python).toBe(instruction);
      for (const r of [moto, lint]) {
        expect(r).toMatchObject({ name: 'MissingToolError', install: instruction });
        expect(r.message).toContain('python3 is not on PATH, so .venv/ cannot be created');
        expect(r.message).toContain(`Install it with:\n  ${instruction}`);
      }
      expect(moto.message).toMatch(/^moto 5\.2\.1 \(server mode/);
      expect(lint.message).toContain(`${PATH}/cfn-lint is cfn-lint 1.40.2`);
    });

    it('the terraform of this machine passes the version check', () => {
      expect(spawnSync(terraformBin(), ['version'], { encoding: 'utf8' }).stdout).toMatch(/^Terraform v1\.11\./);
    });
  });
});
