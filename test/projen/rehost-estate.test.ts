import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFactoryFile } from '../../src/config/load';
import { RehostEstateProject } from '../../src/projen/estate-project';
import { ROOT } from '../support/tools';
import { SECRET_ROLE, synthesizedRoles } from './workflows/oidc-roles';
import { trustAllows } from './workflows/oidc-trust';
import { allJobs, assumeSteps, environmentOf, jobSubjects } from './workflows/workflows';

/**
 * One source of truth: an estate repository's workflows and its roles' trust both come from
 * factory.yaml. Renaming the environments there and running projen moves the jobs to the new
 * environments, and the synthesized roles trust exactly those jobs, and no longer the old names.
 */
describe('RehostEstate: the workflows follow the estate file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehost-estate-component-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const renamed = readFileSync(join(ROOT, 'examples', 'factory.yaml'), 'utf8')
    .replace(/^ {2}applyEnvironment: infrastructure$/m, '  applyEnvironment: infra-change')
    .replace(/^ {2}cutoverEnvironment: cutover$/m, '  cutoverEnvironment: wave-approval\n  vmImportEnvironment: image-import');
  writeFileSync(join(dir, 'factory.yaml'), renamed);
  const config = loadFactoryFile(join(dir, 'factory.yaml')).config;

  // projen writes the estate repository's files into `dir`; no install afterwards.
  process.env.PROJEN_DISABLE_POST = 'true';
  const project = new RehostEstateProject({ name: 'renamed', outdir: dir });
  project.synth();
  const jobs = allJobs(join(dir, '.github', 'workflows')).filter(({ job }) => assumeSteps(job).length);
  const { roles, provider } = synthesizedRoles(config);
  const R = config.github!.repository;
  const assumable = (sub: string) => Object.keys(roles).filter((name) => trustAllows(roles[name].policy, { provider, sub, aud: 'sts.amazonaws.com' })).sort();

  it('the estate changed the environments (the edit took)', () => {
    expect(config.github).toMatchObject({ applyEnvironment: 'infra-change', cutoverEnvironment: 'wave-approval', vmImportEnvironment: 'image-import' });
  });

  it('each job that assumes a write role runs in the environment the estate names', () => {
    const byRole = Object.fromEntries(jobs.map(({ file, id, job }) => [`${file} ${id}`, [SECRET_ROLE[String(assumeSteps(job)[0].with?.['role-to-assume'])], environmentOf(job) ?? '(none)']]));
    expect(byRole['infra-apply.yml apply']).toEqual(['apply', 'infra-change']);
    expect(byRole['cutover.yml plan']).toEqual(['cutover', 'wave-approval']);
    expect(byRole['vm-import.yml import']).toEqual(['vm-import', 'image-import']);
    for (const [job, [role, env]] of Object.entries(byRole)) if (role === 'plan') expect({ job, env }).toEqual({ job, env: '(none)' });
  });

  it('every such job can assume exactly its role, and the old environment names get none', () => {
    for (const { file, id, job, workflow } of jobs) {
      const role = SECRET_ROLE[String(assumeSteps(job)[0].with?.['role-to-assume'])];
      for (const s of jobSubjects(R, config.github!.branch, workflow, job)) {
        // A dispatch from another branch without an environment is not trusted by design (see job-trust.test.ts).
        if (s.trigger === 'workflow_dispatch from another branch' && !s.sub.includes(':environment:')) continue;
        expect({ job: `${file} ${id}`, sub: s.sub, assumable: assumable(s.sub) }).toEqual({ job: `${file} ${id}`, sub: s.sub, assumable: [role] });
      }
    }
    for (const old of ['infrastructure', 'cutover', 'vm-import']) expect({ old, assumable: assumable(`repo:${R}:environment:${old}`) }).toEqual({ old, assumable: [] });
  });

  it('the jobs assume their roles in the estate\'s Region, and the cutover fans out to the chunks its largest wave needs', () => {
    for (const { job } of jobs) expect(assumeSteps(job)[0].with?.['aws-region']).toBe(config.region);
    const cutover = allJobs(join(dir, '.github', 'workflows')).filter(({ file, id }) => file === 'cutover.yml' && id.startsWith('servers-'));
    expect(cutover.map(({ id }) => id)).toEqual(['servers-1']);
  });
});
