import { CreateServiceLinkedRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import { compareResourceChanges } from '../../src/plan-review/compare';
import { reviewPlans } from '../../src/plan-review/review';
import { prepareForMoto } from '../infra/stacks/moto-stacks';
import { motoClientConfig, MotoServer, startMoto } from '../support/moto';
import { exampleConfig, synthToTemp } from '../support/synth';
import { init, planJson, PreparedStack, terraform } from '../support/terraform';
import { ROOT } from '../support/tools';
import { chunkProblems, detailAddresses, sensitiveLeaks } from './checks';

/**
 * Real plans of our own stacks: the example estate synthesized, `terraform plan` with the AWS
 * provider against moto, `terraform show -json`, then the review and the CLI on those files.
 * - `network` and `security` planned from nothing (creates only);
 * - `network` applied, then the estate changed (staging subnet staging-b moves to another CIDR) and
 *   planned again: a real replacement (the subnet, forced by cidr_block) and real in-place updates
 *   (what refers to the subnet), so the migration-critical guard trips on a plan Terraform made.
 */
const ACCOUNT = '111111111111';
const NEW_CIDR = '10.90.2.0/24';

describe('plan review of real plans of our stacks (terraform + moto)', () => {
  let moto: MotoServer;
  let plan: any;
  let replan: any;
  let security: any;
  let changed: any;
  let oldCidr: string;
  let planFile: string;
  let changedFile: string;

  beforeAll(async () => {
    moto = await startMoto({ accountId: ACCOUNT });
    // The EBS key policy names the account's Auto Scaling service-linked role, which the security
    // stack reads (as in an account that has used Auto Scaling); moto holds the example's accounts in one.
    await new IAMClient(motoClientConfig(moto.url, 'us-east-1')).send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'autoscaling.amazonaws.com' }));
    const config = exampleConfig('factory.yaml');
    const { outdir } = synthToTemp(config);
    const stacks: Record<string, PreparedStack> = {};
    stacks.network = prepareForMoto(outdir, 'network', moto.url, ACCOUNT, stacks);
    stacks.security = prepareForMoto(outdir, 'security', moto.url, ACCOUNT, stacks);
    await Promise.all([init(stacks.network.dir), init(stacks.security.dir)]);
    // replan: what infra-apply does after the merge, the same configuration and state planned again.
    [plan, replan, security] = await Promise.all([planJson(stacks.network.dir), planJson(stacks.network.dir, 'tfplan-again'), planJson(stacks.security.dir)]);

    // Apply the reviewed plan file (as infra-apply does), then change the estate: the second
    // staging subnet gets another CIDR.
    await terraform(stacks.network.dir, ['apply', '-no-color', '-input=false', '-lock=false', 'tfplan']);
    const edited = JSON.parse(JSON.stringify(config));
    oldCidr = edited.network.stagingSubnets[1].cidr;
    edited.network.stagingSubnets[1].cidr = NEW_CIDR;
    const next = synthToTemp(edited);
    copyFileSync(join(next.outdir, 'stacks', 'network', 'cdk.tf.json'), join(stacks.network.dir, 'cdk.tf.json'));
    changed = await planJson(stacks.network.dir, 'tfplan-changed');

    const dir = mkdtempSync(join(tmpdir(), 'rehost-real-plan-'));
    planFile = join(dir, 'network.json');
    changedFile = join(dir, 'network-changed.json');
    writeFileSync(planFile, JSON.stringify(plan));
    writeFileSync(changedFile, JSON.stringify(changed));
  }, 400_000);
  afterAll(async () => moto?.stop());

  const managedCreates = (p: any) => p.resource_changes.filter((rc: any) => rc.mode === 'managed' && rc.change.actions.join() === 'create');

  it('counts every resource of the synthesized network stack as a create, and reviews it completely', () => {
    const creates = managedCreates(plan);
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

  it('the security stack: keys, grants and documents as creates, policies pretty-printed, nothing sensitive shown', () => {
    const creates = managedCreates(security);
    expect(creates.map((rc: any) => rc.type)).toEqual(expect.arrayContaining(['aws_kms_key', 'aws_kms_alias', 'aws_kms_grant', 'aws_ssm_document']));
    const review = reviewPlans([{ name: 'network', plan }, { name: 'security', plan: security }]);
    expect(review.summary.stacks.map((s) => [s.name, s.counts.create])).toEqual([['network', managedCreates(plan).length], ['security', creates.length]]);
    expect(review.summary.guard_tripped).toBe(false);
    expect(chunkProblems(review.comments)).toEqual([]);
    expect(sensitiveLeaks([plan, security], review.comments)).toEqual([]);
    const text = review.comments.join('\n');
    expect(text).toMatch(/<code>\+<\/code> <code>aws_kms_key\.[^<]+<\/code> will be created/);
    // A key policy (a JSON string) as a heredoc, one line per JSON line.
    expect(text).toMatch(/\+ policy += <<EOT\n\+ {5}\{\n\+ {7}"Statement": \[/);
  });

  it('the rendered example of docs/pull-request-flow.md is what the review of these two plans renders', () => {
    const review = reviewPlans([{ name: 'network', plan }, { name: 'security', plan: security }]);
    const doc = readFileSync(join(ROOT, 'docs', 'pull-request-flow.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## What a reviewer sees'), doc.indexOf('(Lines elided here'));
    const claimed = /`rehost-factory plan-review` \((\d+) comments?;/.exec(section);
    expect(claimed).not.toBeNull();
    expect(review.comments).toHaveLength(Number(claimed![1]));
    const quoted = section.split('\n').filter((l) => l.startsWith('> ')).map((l) => l.slice(2));
    // The quoted heading is two levels lower than in the comment (it sits under the doc's own headings).
    const first = review.comments[0].replace('## Terraform plan review', '#### Terraform plan review');
    const text = [first, ...review.comments.slice(1)].join('\n');
    expect(quoted.length).toBeGreaterThan(20);
    expect(quoted.filter((l) => !text.split('\n').includes(l))).toEqual([]);
  });

  it('a second plan of the same configuration and state makes exactly the same resource changes', () => {
    expect(compareResourceChanges(plan, replan)).toEqual([]);
    // and the comparison does see a change in that real plan
    const edited = JSON.parse(JSON.stringify(replan));
    const vpc = edited.resource_changes.find((rc: any) => rc.type === 'aws_vpc');
    vpc.change.after.cidr_block = '10.99.0.0/22';
    expect(compareResourceChanges(plan, edited)).toEqual([{ address: vpc.address, detail: 'differs in after (reviewed ["create"], now ["create"])' }]);
  });

  it('after apply, a new staging subnet CIDR: a real replacement (forced by cidr_block) and real updates; the guard trips', () => {
    const subnet = changed.resource_changes.find((rc: any) => rc.type === 'aws_subnet' && rc.change.before?.cidr_block === oldCidr);
    expect(subnet).toBeDefined();
    expect(subnet.change.actions).toEqual(['delete', 'create']);
    expect(subnet.action_reason).toBe('replace_because_cannot_update');
    expect(subnet.change.replace_paths).toEqual([['cidr_block']]);
    const updates = changed.resource_changes.filter((rc: any) => rc.change.actions.join() === 'update');
    expect(updates.length).toBeGreaterThan(0);

    const review = reviewPlans([{ name: 'network', plan: changed }]);
    const counts = review.summary.stacks[0].counts;
    expect(counts.update).toBe(updates.length);
    expect(counts.replace).toBeGreaterThanOrEqual(1);
    expect(counts.create).toBe(0);
    expect(review.summary.guard_tripped).toBe(true);
    expect(review.critical).toContainEqual(expect.objectContaining({ stack: 'network', address: subnet.address, action: 'replace' }));
    expect(chunkProblems(review.comments)).toEqual([]);
    expect(sensitiveLeaks(changed, review.comments)).toEqual([]);
    const text = review.comments.join('\n');
    expect(text).toContain('> [!CAUTION]\n> **Migration-critical resources would be destroyed or replaced.**');
    expect(text).toContain(`| <code>network</code> | <code>${subnet.address}</code> ⚠️ critical | **replace** (delete, then create) | an attribute that cannot change in place changed; forced by <code>cidr_block</code> |`);
    expect(text).toMatch(new RegExp(`^! cidr_block +\\= "${oldCidr.replace(/\./g, '\\.')}" -> "${NEW_CIDR.replace(/\./g, '\\.')}" {3}# forces replacement$`, 'm'));
    expect(text).toMatch(/<code>~<\/code> <code>[^<]+<\/code> will be updated in place/);
  });

  it('the CLI writes the same review from the plan files; exit 0 with guard_tripped on the changed plan', async () => {
    const out = join(tmpdir(), `rehost-real-plan-out-${process.pid}`);
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect({ code: await runCli(['plan-review', planFile, '--name', 'network', '--out', out], io), lines }).toMatchObject({ code: 0 });
    expect(readFileSync(join(out, 'comment-1.md'), 'utf8')).toBe(reviewPlans([{ name: 'network', plan }]).comments[0]);
    expect(await runCli(['plan-review', changedFile, '--name', 'network', '--out', out], io)).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({ has_destroy: true, guard_tripped: true });
    expect(lines.join('\n')).toMatch(/guard tripped: \d+ migration-critical resources? would be destroyed or replaced/);
  });
});
