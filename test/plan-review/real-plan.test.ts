import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import { compareResourceChanges } from '../../src/plan-review/compare';
import { reviewPlans } from '../../src/plan-review/review';
import { MotoServer, startMoto } from '../support/moto';
import { exampleConfig, synthToTemp } from '../support/synth';
import { init, planJson, prepareStack } from '../support/terraform';
import { chunkProblems, detailAddresses, sensitiveLeaks } from './checks';

/**
 * A real plan of our own stack: the example estate synthesized, `terraform plan` with the AWS
 * provider against moto, `terraform show -json`, then the review and the CLI on that file.
 */
describe('plan review of a real plan of our network stack (terraform + moto)', () => {
  let moto: MotoServer;
  let plan: any;
  let replan: any;
  let planFile: string;

  beforeAll(async () => {
    moto = await startMoto({ accountId: '111111111111' });
    const { stacks } = synthToTemp(exampleConfig('factory.yaml'));
    const network = stacks.find((s) => s.name === 'network');
    if (!network) throw new Error(`the example estate synthesized no network stack (got ${stacks.map((s) => s.name).join(', ')})`);
    const prepared = prepareStack(network.directory, { motoUrl: moto.url, accountId: '111111111111' });
    await init(prepared.dir);
    plan = await planJson(prepared.dir);
    // What infra-apply does after the merge: plan the same configuration and state again.
    replan = await planJson(prepared.dir, 'tfplan-again');
    planFile = join(mkdtempSync(join(tmpdir(), 'rehost-real-plan-')), 'network.json');
    writeFileSync(planFile, JSON.stringify(plan));
  }, 300_000);
  afterAll(async () => moto?.stop());

  it('counts every resource of the synthesized stack as a create, and reviews it completely', () => {
    const creates = plan.resource_changes.filter((rc: any) => rc.mode === 'managed' && rc.change.actions.join() === 'create');
    expect(creates.length).toBeGreaterThan(5);
    const review = reviewPlans([{ name: 'network', plan }]);
    expect(review.summary.stacks[0].counts.create).toBe(creates.length);
    expect(review.summary.has_destroy).toBe(false);
    expect(review.summary.guard_tripped).toBe(false);
    expect(chunkProblems(review.comments)).toEqual([]);
    expect(sensitiveLeaks(plan, review.comments)).toEqual([]);
    expect(new Set(detailAddresses(review.comments))).toEqual(new Set(plan.resource_changes.filter((rc: any) => rc.change.actions.join() !== 'no-op').map((rc: any) => rc.address)));
    const text = review.comments.join('\n');
    expect(text).toMatch(/<code>\+<\/code> <code>aws_vpc\.[^<]+<\/code> will be created/);
    expect(text).toMatch(/\+ cidr_block\s+= "10\.\d+\.\d+\.\d+\/\d+"/);
    expect(text).toMatch(/\+ id\s+= \(known after apply\)/);
    expect(text).toMatch(/\+ tags_all\.ManagedBy\s+= "rehost-factory"/);
  });

  it('a second plan of the same configuration and state makes exactly the same resource changes', () => {
    expect(compareResourceChanges(plan, replan)).toEqual([]);
    // and the comparison does see a change in that real plan
    const edited = JSON.parse(JSON.stringify(replan));
    const vpc = edited.resource_changes.find((rc: any) => rc.type === 'aws_vpc');
    vpc.change.after.cidr_block = '10.99.0.0/22';
    expect(compareResourceChanges(plan, edited)).toEqual([{ address: vpc.address, detail: 'differs in after (reviewed ["create"], now ["create"])' }]);
  });

  it('the CLI writes the same review from the plan file', async () => {
    const out = join(tmpdir(), `rehost-real-plan-out-${process.pid}`);
    const lines: string[] = [];
    const code = await runCli(['plan-review', planFile, '--name', 'network', '--out', out], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    expect({ code, lines }).toMatchObject({ code: 0 });
    expect(readFileSync(join(out, 'comment-1.md'), 'utf8')).toBe(reviewPlans([{ name: 'network', plan }]).comments[0]);
  });
});
