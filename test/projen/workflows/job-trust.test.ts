import { exampleConfig } from '../../support/synth';
import { SECRET_ROLE, synthesizedRoles } from './oidc-roles';
import { OIDC_HOST, Statement, trustAllows, wildcardMatch } from './oidc-trust';
import { allJobs, assumeSteps, environmentOf, jobSubjects } from './workflows';

/**
 * Which role each generated job can assume. Each job's possible OIDC subjects come from the
 * generated YAML (triggers, environment: ./workflows.ts); each is evaluated against the trust
 * policies the estate synthesizes for examples/factory.yaml. The table below is the trust
 * contract: plan trusts pull requests and the main branch, each write role only its environment.
 */
const config = exampleConfig();
const github = config.github!;
const R = github.repository;

describe('OIDC trust per generated job', () => {
  const { roles, provider } = synthesizedRoles(config);
  const assumable = (sub: string, aud = 'sts.amazonaws.com') => Object.keys(roles).filter((name) => trustAllows(roles[name].policy, { provider, sub, aud })).sort();
  const jobs = allJobs();
  const withToken = jobs.filter(({ job }) => job.permissions?.['id-token'] === 'write');

  it('the synthesized estate has the four workflow roles of the contract', () => {
    expect(Object.keys(roles).sort()).toEqual(['apply', 'cutover', 'plan', 'vm-import']);
  });

  it('no job holds id-token it does not use; each that holds it assumes exactly one role, named by its secret', () => {
    for (const { file, id, job } of jobs) {
      const steps = assumeSteps(job);
      expect({ file, id, idToken: job.permissions?.['id-token'] === 'write' }).toEqual({ file, id, idToken: steps.length > 0 });
      if (steps.length) expect({ file, id, roles: steps.map((s) => SECRET_ROLE[String(s.with?.['role-to-assume'])]) }).toEqual({ file, id, roles: [expect.any(String)] });
    }
  });

  it('each job assumes exactly the role it needs: the subject → role table', () => {
    const table = withToken.flatMap(({ file, id, job, workflow }) =>
      jobSubjects(R, github.branch, workflow, job).map((s) => ({ job: `${file} ${id}`, trigger: s.trigger, sub: s.sub, assumable: assumable(s.sub), uses: SECRET_ROLE[String(assumeSteps(job)[0].with?.['role-to-assume'])] })),
    );
    const rows = table.map(({ job, trigger, sub, assumable: a }) => [job, trigger, sub, a.join(' ') || '(none)']);
    // One server job per matrix chunk the estate's largest wave needs.
    const serverJobs = jobs.filter(({ file, id }) => file === 'cutover.yml' && id.startsWith('servers-')).map(({ id }) => id);
    expect(serverJobs.length).toBeGreaterThan(0);
    const cutover = (job: string) => [
      [`cutover.yml ${job}`, 'workflow_dispatch from main', `repo:${R}:environment:cutover`, 'cutover'],
      [`cutover.yml ${job}`, 'workflow_dispatch from another branch', `repo:${R}:environment:cutover`, 'cutover'],
    ];
    expect(rows).toEqual([
      ...['plan', ...serverJobs].flatMap(cutover),
      ['drift.yml detect', 'schedule', `repo:${R}:ref:refs/heads/main`, 'plan'],
      ['drift.yml detect', 'workflow_dispatch from main', `repo:${R}:ref:refs/heads/main`, 'plan'],
      ['drift.yml detect', 'workflow_dispatch from another branch', `repo:${R}:ref:refs/heads/feature/any`, '(none)'],
      ['infra-apply.yml replan', 'push to main', `repo:${R}:ref:refs/heads/main`, 'plan'],
      ['infra-apply.yml apply', 'push to main', `repo:${R}:environment:infrastructure`, 'apply'],
      ['infra-plan.yml plan', 'pull_request', `repo:${R}:pull_request`, 'plan'],
      // An environment's subject does not depend on the branch: its deployment-branch rule must.
      ['vm-import.yml import', 'workflow_dispatch from main', `repo:${R}:environment:vm-import`, 'vm-import'],
      ['vm-import.yml import', 'workflow_dispatch from another branch', `repo:${R}:environment:vm-import`, 'vm-import'],
    ]);
    // And the role each job names is the one its token can assume (a dispatch from another branch gets none).
    for (const row of table) if (!(row.trigger === 'workflow_dispatch from another branch' && !row.sub.includes(':environment:'))) expect({ job: row.job, assumable: row.assumable }).toEqual({ job: row.job, assumable: [row.uses] });
  });

  it('the drift, re-plan, VM Import and pull-request jobs can never assume apply or cutover', () => {
    const limited = withToken.filter(({ file, id }) => ['drift.yml detect', 'infra-apply.yml replan', 'vm-import.yml import', 'infra-plan.yml plan'].includes(`${file} ${id}`));
    expect(limited).toHaveLength(4);
    for (const { file, id, job, workflow } of limited) {
      for (const s of jobSubjects(R, github.branch, workflow, job)) {
        expect({ job: `${file} ${id}`, sub: s.sub, write: assumable(s.sub).filter((r) => r === 'apply' || r === 'cutover') }).toEqual({ job: `${file} ${id}`, sub: s.sub, write: [] });
      }
    }
  });

  it('environments are literal names from factory.yaml\'s github section (a dispatch input cannot pick one)', () => {
    const used = new Set(withToken.map(({ job }) => environmentOf(job)).filter(Boolean));
    const fields = github as unknown as Record<string, unknown>;
    // vmImportEnvironment is the github section's field for the VM Import environment (default "vm-import").
    expect([...used].sort()).toEqual([fields.cutoverEnvironment, github.applyEnvironment, fields.vmImportEnvironment ?? '(github.vmImportEnvironment missing)'].sort());
  });

  it('no other token gets a role: another repository, another audience, an environment no role trusts', () => {
    expect(assumable(`repo:${R}-fork:pull_request`)).toEqual([]);
    expect(assumable(`repo:${R}:environment:cutover`, 'sigstore')).toEqual([]);
    expect(assumable(`repo:${R}:environment:cutover-approval`)).toEqual([]);
    expect(assumable(`repo:${R}:environment:Cutover`)).toEqual([]);
    expect(assumable(`repo:${R}:ref:refs/tags/v1`)).toEqual([]);
    expect(assumable(`repo:${R}:ref:refs/heads/main`)).toEqual(['plan']);
  });

  it('each job\'s session lasts its whole timeout and fits the role\'s maximum session', () => {
    for (const { file, id, job } of withToken) {
      const seconds = Number(assumeSteps(job)[0].with?.['role-duration-seconds']);
      const role = roles[SECRET_ROLE[String(assumeSteps(job)[0].with?.['role-to-assume'])]];
      expect({ file, id, seconds, atLeastTimeout: seconds >= job['timeout-minutes']! * 60, withinRoleMax: seconds <= role.maxSessionDuration }).toEqual({ file, id, seconds, atLeastTimeout: true, withinRoleMax: true });
    }
  });
});

describe('the trust evaluator', () => {
  const provider = `arn:aws:iam::111111111111:oidc-provider/${OIDC_HOST}`;
  const token = (sub: string, aud = 'sts.amazonaws.com') => ({ provider, sub, aud });
  const stmt = (condition: object, effect: 'Allow' | 'Deny' = 'Allow', principal: object = { Federated: provider }): Statement => ({ Effect: effect, Principal: principal as Statement['Principal'], Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition as Statement['Condition'] });
  const pinned = { StringEquals: { [`${OIDC_HOST}:aud`]: 'sts.amazonaws.com', [`${OIDC_HOST}:sub`]: ['repo:a/b:environment:x', 'repo:a/b:pull_request'] } };

  it('StringEquals: any listed value, every key; the audience and the provider must match too', () => {
    expect(trustAllows({ Statement: [stmt(pinned)] }, token('repo:a/b:pull_request'))).toBe(true);
    expect(trustAllows({ Statement: [stmt(pinned)] }, token('repo:a/b:environment:y'))).toBe(false);
    expect(trustAllows({ Statement: [stmt(pinned)] }, token('repo:a/b:pull_request', 'other'))).toBe(false);
    expect(trustAllows({ Statement: [stmt(pinned, 'Allow', { Federated: 'arn:aws:iam::222222222222:oidc-provider/x' })] }, token('repo:a/b:pull_request'))).toBe(false);
  });

  it('StringLike wildcards, an explicit Deny over an Allow, and what it does not model throws', () => {
    const like = stmt({ StringLike: { [`${OIDC_HOST}:sub`]: 'repo:a/b:*' } });
    expect(trustAllows({ Statement: like }, token('repo:a/b:ref:refs/heads/x'))).toBe(true);
    expect(trustAllows({ Statement: like }, token('repo:a/bc:pull_request'))).toBe(false);
    expect(trustAllows({ Statement: [like, stmt({ StringLike: { [`${OIDC_HOST}:sub`]: '*:pull_request' } }, 'Deny')] }, token('repo:a/b:pull_request'))).toBe(false);
    expect(() => trustAllows({ Statement: stmt({ 'ForAnyValue:StringLike': { [`${OIDC_HOST}:sub`]: '*' } }) }, token('x'))).toThrow(/not modelled/);
    expect(() => trustAllows({ Statement: stmt({ StringEquals: { [`${OIDC_HOST}:job_workflow_ref`]: 'x' } }) }, token('x'))).toThrow(/not modelled/);
    expect(wildcardMatch('repo:a/?:x', 'repo:a/b:x')).toBe(true);
    expect(wildcardMatch('repo:a/?:x', 'repo:a/bb:x')).toBe(false);
  });
});
