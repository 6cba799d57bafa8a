import { execFileSync, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse } from 'yaml';
import { lintWorkflows, workflowFiles } from '../support/actionlint';
import { validateStacks } from '../support/terraform';
import { motoPython, ROOT } from '../support/tools';

/**
 * The newcomer's path, from the packed package: `npm pack` (what prepack runs), then
 * `npx rehost-factory init` of the tarball, which installs the tarball with the npm registry (from
 * the npm cache where it can) into the new folder and runs projen. The estate repository must then
 * synthesize, pass `terraform validate` on every stack and actionlint on every workflow, rehearse
 * a wave, and regenerate every generated file, and nothing else, when the package is upgraded.
 *
 * Mostly npm: packing compiles (about a minute here), each install takes half a minute to a
 * minute from the cache. Bounded at 10 minutes per install.
 */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

describe('an estate repository created and upgraded from the packed package', () => {
  const work = mkdtempSync(join(tmpdir(), 'rehost-estate-'));
  const estate = join(work, 'estate');
  // The tarball's files, which the next version of the upgrade is made from.
  const unpacked = mkdtempSync(join(work, 'package-'));
  let tarball = '';
  let version = '';
  // Installs and npx use the npm cache first; the moto the tests use is the one the rehearsal finds.
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', PATH: `${dirname(motoPython())}${delimiter}${process.env.PATH}` };

  const run = (cmd: string, args: string[], cwd: string, timeout = 5 * 60_000): SpawnSyncReturns<string> => {
    const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const bin = (cwd: string, ...args: string[]) => run(join(estate, 'node_modules', '.bin', 'rehost-factory'), args, cwd);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: estate, encoding: 'utf8' });
  const read = (path: string) => readFileSync(join(estate, path), 'utf8');
  const generated = (): string[] => (JSON.parse(read('.projen/files.json')) as { files: string[] }).files;

  beforeAll(() => {
    // What prepack runs, but the committed Lambda bundles (pre-compile) are not rewritten while other
    // test files read them: test/infra/automation/units.integ.test.ts checks they are current.
    run('npx', ['projen', 'compile'], ROOT, INSTALL_TIMEOUT_MS);
    run('npx', ['projen', 'post-compile'], ROOT);
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], ROOT, INSTALL_TIMEOUT_MS);
    tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
    execFileSync('tar', ['xzf', tarball, '-C', unpacked]);
    version = JSON.parse(readFileSync(join(unpacked, 'package', 'package.json'), 'utf8')).version;
    // The documented command, `npx rehost-factory@<version> init`, with the tarball for the version,
    // run from the folder above the new repository.
    run('npx', ['--yes', `--package=file:${tarball}`, 'rehost-factory', 'init', 'estate', '--repository', 'acme/newcomer', '--package', `file:${tarball}`], work, INSTALL_TIMEOUT_MS);
    expect(existsSync(join(work, 'node_modules'))).toBe(false); // installed into the new repository, not where npx ran
  }, 2 * INSTALL_TIMEOUT_MS);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(unpacked, { recursive: true, force: true });
  });

  it('writes the repository: .projenrc.ts on the component, a starter estate wired to the schema, the workflows, cdktf.json, a README', () => {
    expect(read('.projenrc.ts')).toContain("from 'rehost-factory/projen'");
    const estateText = read('factory.yaml');
    const schemaPath = /^# yaml-language-server: \$schema=(\S+)$/m.exec(estateText)?.[1];
    expect(schemaPath && existsSync(join(estate, schemaPath))).toBe(true);
    expect((parse(estateText) as { github: { repository: string } }).github.repository).toBe('acme/newcomer');
    expect(workflowFiles(estate)).toEqual(['build.yml', 'cutover.yml', 'drift.yml', 'infra-apply.yml', 'infra-plan.yml', 'vm-import.yml']);
    expect(JSON.parse(read('cdktf.json')).app).toBe('node node_modules/rehost-factory/lib/main.js');
    expect(read('README.md')).toContain('npm run synth');
    const pkg = JSON.parse(read('package.json'));
    expect({ private: pkg.private, spec: pkg.devDependencies['rehost-factory'] }).toEqual({ private: true, spec: `file:${tarball}` });
    // What init wrote and projen generated is a starting point that a second, type-checked run keeps as it is.
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
    run('npx', ['--no-install', 'projen'], estate);
    expect(git('status', '--porcelain')).toBe('');
  });

  it('the workflows pass actionlint and run copies of exactly the installed actions', async () => {
    expect(await lintWorkflows(estate)).toEqual([]);
    const uses = workflowFiles(estate).flatMap((f) => [...read(`.github/workflows/${f}`).matchAll(/uses: (\.\/\S+)/g)].map((m) => m[1]));
    // The plan review runs the base branch's copy (checked out into base/), never the pull request's.
    expect(new Set(uses)).toEqual(new Set(['./base/.github/actions/rehost-factory/plan-review', ...['wave-plan', 'server-cutover', 'wave-report', 'vm-import'].map((n) => `./.github/actions/rehost-factory/${n}`)]));
    const installed = join(estate, 'node_modules', 'rehost-factory', 'actions');
    for (const name of readdirSync(installed)) {
      expect({ name, same: read(`.github/actions/rehost-factory/${name}/dist/index.js`) === readFileSync(join(installed, name, 'dist', 'index.js'), 'utf8') }).toEqual({ name, same: true });
      expect(read(`.github/actions/rehost-factory/${name}/action.yml`)).toContain(`from rehost-factory ${version} `);
    }
  });

  it('validates and synthesizes; terraform validate passes on every stack', async () => {
    expect(run('npm', ['run', 'validate'], estate).stdout).toMatch(/factory\.yaml: valid/);
    run('npm', ['run', 'synth'], estate);
    const stacks = readdirSync(join(estate, 'cdktf.out', 'stacks')).sort();
    expect(stacks).toEqual(['access', 'automation', 'mgn', 'network', 'security', 'vm-import']);
    const errors = await validateStacks(join(estate, 'cdktf.out'), stacks);
    expect(Object.fromEntries(Object.entries(errors).map(([s, d]) => [s, d.map((x) => x.summary)]))).toEqual(Object.fromEntries(stacks.map((s) => [s, []])));
  }, 5 * 60_000);

  it('rehearses a wave of the estate with --simulate', () => {
    const out = run('npx', ['--no-install', 'rehost-factory', 'wave', 'run', '--wave', 'wave-1', '--mode', 'test', '--simulate'], estate).stdout;
    expect(out).toContain('SIMULATION: this was a rehearsal');
  }, 5 * 60_000);

  it('works installed, from a folder without an estate: synth, validate, plan-review, vm-import --help', () => {
    const empty = mkdtempSync(join(work, 'empty-'));
    // No factory.yaml here: the commands fall back to the package's own example.
    expect(bin(empty, 'validate').stdout).toMatch(/examples\/factory\.yaml: valid/);
    bin(empty, 'synth', '--out', 'out');
    expect(readdirSync(join(empty, 'out', 'stacks')).sort()).toEqual(['access', 'automation', 'mgn', 'network', 'security', 'vm-import']);
    const plan = join(ROOT, 'test', 'fixtures', 'terraform-plans', 'borchero-replace-sensitive.json');
    bin(empty, 'plan-review', plan, '--out', 'review');
    expect(existsSync(join(empty, 'review', 'summary.json'))).toBe(true);
    expect(bin(empty, 'vm-import', '--help').stdout).toContain('usage: rehost-factory vm-import');
  }, 5 * 60_000);

  it('ships what package.json lists and exports its three entry points', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    // Nothing of the tests, and of the sources only the JSON Schema editors point at.
    expect(files.filter((f) => f.startsWith('package/test/') || (f.startsWith('package/src/') && f !== 'package/src/config/factory.schema.json'))).toEqual([]);
    for (const must of ['package/lib/cli.js', 'package/lib/projen/index.js', 'package/lib/infra/lambdas/dist/recover-stopped-run.js', 'package/lib/simulation/moto_server_wrapper.py', 'package/actions/wave-plan/dist/index.js', 'package/ssm-documents/validate-server.yaml', 'package/examples/factory.yaml']) {
      expect({ must, shipped: files.includes(must) }).toEqual({ must, shipped: true });
    }
    const probe = "const r = require('rehost-factory'); const p = require('rehost-factory/projen'); console.log([typeof r.loadFactoryFile, typeof p.RehostEstateProject, require('rehost-factory/factory.schema.json').$id].join(' '))";
    expect(run(process.execPath, ['-e', probe], estate).stdout.trim()).toBe('function function https://github.com/rehost-factory/rehost-factory/factory.schema.json');
  });

  it('an upgrade rewrites every generated file from the new version and leaves the team\'s files alone', () => {
    // The next version: the same package with another version number and a changed action bundle.
    const next = mkdtempSync(join(work, 'next-'));
    cpSync(join(unpacked, 'package'), next, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(next, 'package.json'), 'utf8'));
    const nextVersion = `${version}-next.1`;
    writeFileSync(join(next, 'package.json'), JSON.stringify({ ...manifest, version: nextVersion }, null, 2));
    const bundle = join(next, 'actions', 'wave-report', 'dist', 'index.js');
    writeFileSync(bundle, readFileSync(bundle, 'utf8') + '\n// next\n');
    const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], next).stdout) as Array<{ filename: string }>;
    const nextTarball = join(work, packed[0].filename);
    expect(nextTarball).not.toBe(tarball);

    // The team's own changes: an edited estate, its own document and script.
    writeFileSync(join(estate, 'factory.yaml'), read('factory.yaml') + '# reviewed by the platform team\n');
    mkdirSync(join(estate, 'docs'), { recursive: true });
    writeFileSync(join(estate, 'docs', 'runbook.md'), '# Our runbook\n');
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'team');
    const teamFiles = ['factory.yaml', 'docs/runbook.md', 'README.md', '.projenrc.ts'];
    const before = Object.fromEntries(teamFiles.map((f) => [f, read(f)]));

    // The documented upgrade: install the new version exactly, then projen.
    run('npm', ['install', '--ignore-scripts', '-D', '-E', `file:${nextTarball}`], estate, INSTALL_TIMEOUT_MS);
    run('npx', ['--no-install', 'projen'], estate);

    const changed = git('status', '--porcelain').split('\n').filter(Boolean).map((l) => l.slice(3));
    const mayChange = new Set([...generated(), 'package.json', 'package-lock.json']);
    expect(changed.filter((f) => !mayChange.has(f))).toEqual([]);
    expect(Object.fromEntries(teamFiles.map((f) => [f, read(f) === before[f]]))).toEqual(Object.fromEntries(teamFiles.map((f) => [f, true])));
    for (const name of ['plan-review', 'wave-plan', 'server-cutover', 'wave-report', 'vm-import']) {
      expect(read(`.github/actions/rehost-factory/${name}/action.yml`)).toContain(`from rehost-factory ${nextVersion} `);
    }
    expect(read('.github/actions/rehost-factory/wave-report/dist/index.js').endsWith('// next\n')).toBe(true);
    // npm writes the file: spec relative to the project.
    expect(JSON.parse(read('package.json')).devDependencies['rehost-factory']).toBe(`file:../${packed[0].filename}`);
    // Regenerated once, stable after.
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'upgrade');
    run('npx', ['--no-install', 'projen'], estate);
    expect(git('status', '--porcelain')).toBe('');
  }, 2 * INSTALL_TIMEOUT_MS);
});
