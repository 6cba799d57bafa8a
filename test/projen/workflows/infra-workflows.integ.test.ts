import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { githubSection } from '../../../src/config/sections/github';
import { ROOT } from '../../support/tools';

/**
 * The safety properties of the generated infrastructure workflows, read from the YAML projen
 * writes (actionlint checks that they are valid; these check that they are safe).
 */
type Step = { name?: string; id?: string; uses?: string; run?: string; with?: Record<string, unknown>; if?: string };
type Job = {
  permissions?: Record<string, string>;
  environment?: unknown;
  needs?: string | string[];
  steps: Step[];
  if?: string;
  outputs?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; 'max-parallel'?: unknown; matrix?: Record<string, unknown> };
};
type Workflow = { on: Record<string, any>; permissions?: unknown; concurrency?: { group: string; 'cancel-in-progress': boolean }; jobs: Record<string, Job> };

const load = (name: string): Workflow => parse(readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8')) as Workflow;
const indexOf = (job: Job, pred: (s: Step) => boolean) => job.steps.findIndex(pred);

describe('infrastructure workflows', () => {
  const workflows = { 'infra-plan.yml': load('infra-plan.yml'), 'infra-apply.yml': load('infra-apply.yml'), 'drift.yml': load('drift.yml'), 'build.yml': load('build.yml'), 'cutover.yml': load('cutover.yml') };

  it('every job declares least-privilege permissions: AWS credentials and write tokens never meet', () => {
    for (const [file, wf] of Object.entries(workflows)) {
      expect({ file, permissions: wf.permissions }).toEqual({ file, permissions: undefined });
      for (const [id, job] of Object.entries(wf.jobs)) {
        const p = job.permissions ?? {};
        expect({ file, id, hasPermissions: !!job.permissions }).toEqual({ file, id, hasPermissions: true });
        const writes = Object.entries(p).filter(([k, v]) => v === 'write' && k !== 'id-token').map(([k]) => k);
        if (p['id-token'] === 'write') expect({ file, id, writes }).toEqual({ file, id, writes: [] });
        const assumesRole = job.steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        expect({ file, id, idToken: p['id-token'] === 'write' }).toEqual({ file, id, idToken: assumesRole });
      }
    }
  });

  it('infra-plan: plans with the read-only role, uploads plans with SHA-256, reviews after verifying them', () => {
    const { plan, review } = workflows['infra-plan.yml'].jobs;
    expect(workflows['infra-plan.yml'].on.pull_request.types).toEqual(expect.arrayContaining(['labeled', 'unlabeled', 'synchronize']));
    expect(plan.steps.find((s) => s.uses?.startsWith('aws-actions/'))?.with?.['role-to-assume']).toBe('${{ secrets.REHOST_PLAN_ROLE_ARN }}');
    const planStep = plan.steps.find((s) => s.run?.includes('terraform -chdir'))!.run!;
    expect(planStep).toMatch(/plan -no-color -lock=false -out=.*\n.*show -json/);
    expect(planStep).toContain('sha256sum -- *.tfplan *.json > SHA256SUMS');
    expect(review.needs).toBe('plan');
    expect(indexOf(review, (s) => !!s.run?.includes('sha256sum --strict -c SHA256SUMS'))).toBeLessThan(indexOf(review, (s) => s.uses === './base/actions/plan-review'));
    expect(review.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });

  it('infra-apply: one at a time, compares the re-plan with the reviewed plan before anything is applied, applies in the protected environment', () => {
    const wf = workflows['infra-apply.yml'];
    expect(wf.on.push.branches).toEqual(['main']);
    expect(wf.concurrency).toEqual({ group: 'infra-apply', 'cancel-in-progress': false });
    const { replan, apply } = wf.jobs;
    const verify = indexOf(replan, (s) => !!s.run?.includes('cd reviewed && sha256sum --strict -c SHA256SUMS'));
    const compare = indexOf(replan, (s) => !!s.run?.includes('plan-compare reviewed plans'));
    const uploadNew = indexOf(replan, (s) => !!s.uses?.startsWith('actions/upload-artifact@'));
    expect(verify).toBeGreaterThan(0);
    expect(compare).toBeGreaterThan(verify);
    expect(uploadNew).toBeGreaterThan(compare);
    expect(replan.steps.some((s) => s.uses?.startsWith('aws-actions/') && s.with?.['role-to-assume'] === '${{ secrets.REHOST_PLAN_ROLE_ARN }}')).toBe(true);
    expect(apply.needs).toEqual(['replan', 'environment-check']);
    expect(apply.environment).toBe('infrastructure');
    expect(apply.steps.find((s) => s.uses?.startsWith('aws-actions/'))?.with?.['role-to-assume']).toBe('${{ secrets.REHOST_APPLY_ROLE_ARN }}');
    expect(indexOf(apply, (s) => !!s.run?.includes('sha256sum --strict -c'))).toBeLessThan(indexOf(apply, (s) => !!s.run?.includes(' apply -no-color')));
  });

  it('drift: scheduled, detailed-exitcode per stack, one issue handled by a job without AWS access', () => {
    const wf = workflows['drift.yml'];
    expect(wf.on.schedule).toHaveLength(1);
    const { detect, report } = wf.jobs;
    expect(detect.steps.find((s) => s.id === 'plan')?.run).toContain('-detailed-exitcode');
    // The review's "the full plan is in the workflow run's artifacts" holds: the JSON is uploaded.
    const uploads = detect.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@')).map((s) => [s.with?.name, s.with?.path]);
    expect(uploads).toEqual([['drift-review', 'drift-review/'], ['drift-plans', 'drift/']]);
    expect(detect.steps.find((s) => s.id === 'plan')?.run).toMatch(/show -json "\$PWD\/drift\/\$stack\.tfplan" > "drift\/\$stack\.json"/);
    expect(report.permissions).toEqual({ issues: 'write' });
    expect(report.steps.some((s) => s.uses?.startsWith('aws-actions/'))).toBe(false);
  });

  it('build: runs the test command and fails when projen would change generated files', () => {
    const steps = workflows['build.yml'].jobs.test.steps;
    expect(steps.map((s) => s.run).filter(Boolean)).toEqual(expect.arrayContaining(['npm ci --ignore-scripts', 'npm test', "python -m pip install 'moto[server]==5.2.1' 'cfn-lint==1.51.0'"]));
    expect(steps.find((s) => s.uses?.startsWith('hashicorp/setup-terraform@'))?.with).toMatchObject({ terraform_version: '1.11.4' });
    expect(steps[steps.length - 1].run).toMatch(/npx projen\nif ! git diff --exit-code/);
  });
});

describe('cutover workflow', () => {
  const wf = load('cutover.yml');
  const { plan, report } = wf.jobs;
  const serverJobs = Object.keys(wf.jobs).filter((id) => /^servers-\d+$/.test(id));
  const assumesRole = (job: Job) => job.steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
  // The cutover role's trust policy names github.cutoverEnvironment (github-oidc-roles.ts).
  const trusted = githubSection.parse({ repository: 'acme/migration' }).cutoverEnvironment;

  it('is dispatched with wave, mode, servers, dry run and continue-without-failing; one run per wave at a time', () => {
    const inputs = wf.on.workflow_dispatch.inputs;
    expect(Object.keys(inputs)).toEqual(['wave', 'mode', 'servers', 'dry_run', 'continue_without_failing']);
    expect(inputs.mode.options).toEqual(['test', 'cutover', 'finalize', 'revert', 'archive']);
    expect(wf.concurrency).toEqual({ group: 'cutover-${{ inputs.wave }}', 'cancel-in-progress': false });
  });

  it('the plan runs after the environment check; every server job after the plan', () => {
    expect(plan.needs).toEqual('environment-check');
    for (const id of serverJobs) expect({ id, needs: wf.jobs[id].needs }).toEqual({ id, needs: 'plan' });
  });

  it('every job that assumes the cutover role runs in the environment the role trusts', () => {
    const withRole = Object.entries(wf.jobs).filter(([, job]) => assumesRole(job));
    expect(withRole.map(([id]) => id)).toEqual(['plan', ...serverJobs]);
    for (const [id, job] of withRole) {
      expect({ id, environment: job.environment }).toEqual({ id, environment: trusted });
      expect(job.steps.find((s) => s.uses?.startsWith('aws-actions/'))?.with?.['role-to-assume']).toBe('${{ secrets.REHOST_CUTOVER_ROLE_ARN }}');
    }
  });

  it('fans out one job per server in chunks of the plan\'s matrix outputs, fail-fast off', () => {
    const chunks = Number(plan.steps.find((s) => s.uses === './actions/wave-plan')!.with!['matrix-chunks']);
    expect(serverJobs).toEqual(Array.from({ length: chunks }, (_, i) => `servers-${i + 1}`));
    const actionOutputs = Object.keys((parse(readFileSync(join(ROOT, 'actions', 'wave-plan', 'action.yml'), 'utf8')) as { outputs: Record<string, unknown> }).outputs).filter((o) => /^matrix-\d+$/.test(o));
    // The workflow consumes the first `chunks` of the action's matrix outputs.
    expect(actionOutputs.slice(0, chunks)).toEqual(serverJobs.map((_, i) => `matrix-${i + 1}`));
    serverJobs.forEach((id, i) => {
      const job = wf.jobs[id];
      expect(plan.outputs?.[`matrix-${i + 1}`]).toBe(`\${{ steps.plan.outputs.matrix-${i + 1} }}`);
      expect(job.strategy).toEqual({ 'fail-fast': false, matrix: { server: `\${{ fromJSON(needs.plan.outputs.matrix-${i + 1}) }}` } });
      expect(job.if).toBe(`\${{ !inputs.dry_run && fromJSON(needs.plan.outputs.matrix-count) >= ${i + 1} }}`);
      expect(job.steps.find((s) => s.uses === './actions/server-cutover')?.with).toEqual({ config: 'examples/factory.yaml', wave: '${{ inputs.wave }}', mode: '${{ inputs.mode }}', server: '${{ matrix.server }}' });
      expect(job.steps.at(-1)).toMatchObject({ if: 'always()', with: { name: 'wave-report-server-${{ matrix.server }}' } });
    });
  });

  it('the report runs always, after every job, without AWS access, and keeps the audit trail', () => {
    expect(report.if).toBe('always()');
    expect(report.needs).toEqual(['plan', ...serverJobs]);
    expect(report.permissions).toEqual({ contents: 'read' });
    expect(assumesRole(report)).toBe(false);
    expect(report.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))?.with).toMatchObject({ pattern: 'wave-report-*', 'merge-multiple': true });
    expect(report.steps.find((s) => s.uses === './actions/wave-report')).toBeDefined();
    expect(report.steps.at(-1)).toMatchObject({ if: 'always()', with: { name: 'wave-report-${{ inputs.wave }}-${{ inputs.mode }}-${{ github.run_id }}', 'retention-days': 90 } });
    expect(plan.steps.at(-1)).toMatchObject({ if: 'always()', with: { name: 'wave-report-plan' } });
  });
});
