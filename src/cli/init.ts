import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RehostError } from '../core/errors';
import { packageInfo } from '../core/package-info';
import { Command, parseUsage, UsageError } from './options';

/** The files `init` writes; it refuses a folder that already has one. */
const WRITTEN = ['package.json', '.projenrc.ts', 'factory.yaml', 'README.md'] as const;

export const initCommand: Command = {
  usage: 'rehost-factory init [DIR] [--name NAME] [--repository OWNER/REPO] [--package SPEC] [--no-install]',
  summary: 'Create an estate repository in DIR (default: the current folder): .projenrc.ts, a starter factory.yaml, then npm install and npx projen',
  async run(argv, io) {
    const { values, positionals } = parseUsage(() =>
      parseArgs({
        args: argv,
        strict: true,
        allowPositionals: true,
        options: { name: { type: 'string' }, repository: { type: 'string' }, package: { type: 'string' }, 'no-install': { type: 'boolean' } },
      }),
    );
    if (positionals.length > 1) throw new UsageError(`expected at most one folder, got ${positionals.length}: ${positionals.join(' ')}`);
    const dir = resolve(positionals[0] ?? '.');
    const name = values.name ?? npmName(basename(dir));
    if (!/^[a-z0-9][a-z0-9._-]{0,213}$/.test(name)) throw new UsageError(`--name ${name}: expected an npm package name (lower case letters, digits, ".", "_", "-")`);
    if (values.repository !== undefined && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(values.repository)) {
      throw new UsageError(`--repository ${values.repository}: expected "owner/repo", the GitHub repository whose workflows will assume the roles`);
    }
    const present = WRITTEN.filter((f) => existsSync(join(dir, f)));
    if (present.length) throw new RehostError('refusal', `${dir} already has ${present.join(', ')}: init writes only into a folder without them, and changes nothing here`);

    const pkg = packageInfo();
    const manifest = JSON.parse(readFileSync(join(pkg.root, 'package.json'), 'utf8')) as { peerDependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const spec = values.package ?? pkg.version;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name,
      private: true,
      devDependencies: {
        'rehost-factory': spec,
        projen: manifest.peerDependencies?.projen ?? manifest.devDependencies?.projen ?? '*',
        constructs: '^10.4.2',
        typescript: '~5.9.0',
        'ts-node': '^10.9.2',
        '@types/node': '^24',
      },
    }, null, 2) + '\n');
    writeFileSync(join(dir, '.projenrc.ts'), projenrc(name));
    writeFileSync(join(dir, 'factory.yaml'), starterEstate(pkg.root, name, values.repository));
    writeFileSync(join(dir, 'README.md'), readme(name));
    io.out(`wrote ${WRITTEN.join(', ')} in ${dir} (rehost-factory ${spec})`);
    if (values['no-install']) {
      io.out(`next: cd ${dir} && npm install --ignore-scripts && npx ts-node --skipProject --transpileOnly --compilerOptions '{"module":"commonjs","moduleResolution":"node"}' .projenrc.ts`);
      return 0;
    }
    // No lifecycle script runs in the estate's installs, here as in its workflows: nothing it needs has one.
    run(io, dir, 'npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund']);
    // The first synthesis runs .projenrc.ts directly: `npx projen` finds a TypeScript project by the
    // tasks file that this run writes. Its type checks come with every later `npx projen`.
    run(io, dir, 'npx', ['--no-install', 'ts-node', '--skipProject', '--transpileOnly', '--compilerOptions', '{"module":"commonjs","moduleResolution":"node"}', '.projenrc.ts']);
    io.out(`\nready: cd ${dir}, edit factory.yaml, then npm run synth (README.md lists the next steps)`);
    return 0;
  },
};

/**
 * What `npx rehost-factory init` (npm exec) sets for the command it runs and must not reach the
 * commands init runs: the package to fetch, the command line, the yes, and the folder npm treats
 * as the project (the one npx ran in, not the new repository).
 */
const NPM_EXEC_SETTINGS = ['npm_config_package', 'npm_config_call', 'npm_config_yes', 'npm_config_local_prefix'];

function run(io: { out: (l: string) => void }, cwd: string, cmd: string, args: string[]): void {
  io.out(`$ ${cmd} ${args.join(' ')}`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !NPM_EXEC_SETTINGS.includes(k.toLowerCase())));
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new RehostError('refusal', `${cmd} ${args.join(' ')} failed in ${cwd} (exit ${r.status ?? r.signal}); fix what it printed, then run it again there`);
}

/** A folder name as an npm package name. */
function npmName(folder: string): string {
  return folder.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'estate';
}

function projenrc(name: string): string {
  return [
    "import { RehostEstateProject } from 'rehost-factory/projen';",
    '',
    '// The estate repository: projen writes the workflows, the action copies, cdktf.json and package.json',
    '// from this file, factory.yaml and the installed rehost-factory. After changing either, run `npx projen`.',
    'const project = new RehostEstateProject({',
    `  name: '${name}',`,
    "  estateFile: 'factory.yaml',",
    '});',
    '',
    'project.synth();',
    '',
  ].join('\n');
}

/**
 * The starter estate: the package's bundled example, valid as it stands, with the editor schema
 * pointed at the installed package and the team's repository filled in when given.
 */
function starterEstate(root: string, name: string, repository: string | undefined): string {
  const example = readFileSync(join(root, 'examples', 'factory.yaml'), 'utf8').split('\n');
  if (!example[0].startsWith('# yaml-language-server: $schema=')) throw new Error(`${root}/examples/factory.yaml: expected the schema comment on its first line`);
  example[0] = '# yaml-language-server: $schema=./node_modules/rehost-factory/src/config/factory.schema.json';
  example.splice(1, 1,
    `# The estate of ${name}: every staging resource, role and workflow setting comes from this file.`,
    '# A starter copied from the rehost-factory example: replace its accounts, network and waves with yours',
    '# (every field: the rehost-factory docs, docs/reference/factory-yaml.md). `npm run validate` checks it.');
  let text = example.join('\n');
  if (repository) {
    const before = text;
    text = text.replace(/^(github:\n {2}repository: ).*$/m, `$1${repository}`);
    if (text === before) throw new Error(`${root}/examples/factory.yaml: expected github.repository right under github:`);
  }
  return text;
}

function readme(name: string): string {
  return `# ${name}

The estate repository of a migration to AWS with Application Migration Service, built with
[rehost-factory](https://www.npmjs.com/package/rehost-factory).

- \`factory.yaml\`: the estate (accounts, staging network, waves, servers). Edit it, then \`npx projen\`
  when you changed its \`github\` section or the size of a wave: the workflows are generated from it.
- \`.projenrc.ts\`: the project definition. Every other generated file (workflows under
  \`.github/\`, the copies of the rehost-factory actions, \`cdktf.json\`, \`package.json\`) comes from it.

## Commands

\`\`\`bash
npm run validate                                        # check factory.yaml: every problem with file:line:column
npm run synth                                           # the Terraform stacks, into cdktf.out/
npx rehost-factory wave run --wave wave-1 --mode test --simulate   # rehearse a wave, without AWS
\`\`\`

## Upgrading rehost-factory

\`\`\`bash
npm install --ignore-scripts -D -E rehost-factory@<version> && npx projen
\`\`\`

projen rewrites every generated file from the new version (workflows, actions, package.json);
\`factory.yaml\`, this README and your own files are left as they are. Review the pull request
like any other: the workflows and actions decide what runs with your roles.
`;
}
