import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { amiReEncryptionSection, amiSwapSection } from '../../../src/config/sections/automation';
import { amiSwapDefinition } from '../../../src/infra/state-machines/ami-swap';
import { State } from '../../../src/infra/state-machines/asl';
import { reEncryptionDefinition } from '../../../src/infra/state-machines/re-encryption';
import { AutomationStack } from '../../../src/infra/stacks/automation-stack';
import { motoClientConfig, startMoto } from '../../support/moto';
import { exampleConfig } from '../../support/synth';
import { init, planJson, prepareStack, replan, terraform } from '../../support/terraform';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (d: unknown, o?: { checkArn?: boolean; checkPaths?: boolean }) => { isValid: boolean; errorsText: (sep?: string) => string };

type Tf = { resource: Record<string, Record<string, Record<string, unknown>>>; output?: Record<string, unknown> };

const ARNS = { resolve: 'arn:aws:lambda:eu-west-1:111111111111:function:r', retention: 'arn:aws:lambda:eu-west-1:111111111111:function:t', topic: 'arn:aws:sns:eu-west-1:111111111111:t' };

describe('asl-validator accepts every variant of both definitions', () => {
  const variants = [
    ['re-encryption', reEncryptionDefinition({ region: 'eu-west-1', resolveFunctionArn: ARNS.resolve, claimsTable: 'c', topicArn: ARNS.topic, settings: amiReEncryptionSection.parse({}) }).definition],
    ['re-encryption, deregister source, no success notice', reEncryptionDefinition({ region: 'eu-west-1', resolveFunctionArn: ARNS.resolve, claimsTable: 'c', topicArn: ARNS.topic, settings: amiReEncryptionSection.parse({ deregisterSource: true }), notifyOnSuccess: false }).definition],
    ['ami swap', amiSwapDefinition({ resolveFunctionArn: ARNS.resolve, retentionFunctionArn: ARNS.retention, claimsTable: 'c', topicArn: ARNS.topic, settings: amiSwapSection.parse({}) }).definition],
    ['ami swap, no refresh', amiSwapDefinition({ resolveFunctionArn: ARNS.resolve, retentionFunctionArn: ARNS.retention, claimsTable: 'c', topicArn: ARNS.topic, settings: amiSwapSection.parse({ instanceRefresh: { enabled: false, instanceWarmupSeconds: 60 } }), notifyOnSuccess: false }).definition],
  ] as const;
  test.each(variants)('%s', (_name, definition) => {
    const r = aslValidator(JSON.parse(JSON.stringify(definition)));
    if (!r.isValid) throw new Error(r.errorsText('\n'));
    // every task retries on throttling
    const tasks: Array<[string, State]> = Object.entries(definition.States).flatMap(([n, s]): Array<[string, State]> => (s.Type === 'Map' ? [[n, s], ...Object.entries(s.ItemProcessor.States)] : [[n, s]]));
    for (const [name, s] of tasks) {
      if (s.Type !== 'Task') continue;
      expect({ name, throttling: s.Retry?.some((r) => r.ErrorEquals.some((e) => /RequestLimitExceeded|Throttl|TooManyRequests/.test(e)) && (r.BackoffRate ?? 0) >= 2) }).toEqual({ name, throttling: true });
    }
    // every Task and Map state of the workflow catches (a Map's item states are covered by the Map's catcher)
    const uncaught = Object.entries(definition.States).filter(([, st]) => (st.Type === 'Task' || st.Type === 'Map') && !st.Catch?.some((c) => c.ErrorEquals.includes('States.ALL')));
    expect(uncaught.map(([n]) => n)).toEqual([]);
  });
});

test('with both pipelines off the stack is empty', () => {
  const config = exampleConfig('factory.yaml');
  const off = { ...config, automation: { ...config.automation, amiReEncryption: { ...config.automation.amiReEncryption, enabled: false }, amiSwap: { ...config.automation.amiSwap, enabled: false } } };
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'rehost-automation-off-')) });
  const stack = new AutomationStack(app, { config: off, targetKeys: {} });
  app.synth();
  const tf = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'automation', 'cdk.tf.json'), 'utf8')) as Partial<Tf>;
  expect(tf.resource).toBeUndefined();
  expect(stack.reEncryption).toBeUndefined();
  // and a missing key for an enabled re-encryption names the target account
  const app2 = new App({ outdir: mkdtempSync(join(tmpdir(), 'rehost-automation-nokey-')) });
  expect(() => new AutomationStack(app2, { config, targetKeys: {} })).toThrow('automation.amiReEncryption: no EBS key for target account "prod"');
});

describe('the automation stack', () => {
  let tf: Tf;
  let stackDir: string;
  let keyArn: string;
  let moto: Awaited<ReturnType<typeof startMoto>>;

  beforeAll(async () => {
    // The example's staging account: the provider's allowed_account_ids must hold against moto.
    moto = await startMoto({ accountId: '111111111111' });
    const { KeyMetadata } = await new KMSClient(motoClientConfig(moto.url)).send(new CreateKeyCommand({}));
    keyArn = KeyMetadata!.Arn!;
    // In isolation: literal key references instead of the security stack's remote state.
    const outdir = mkdtempSync(join(tmpdir(), 'rehost-automation-'));
    const app = new App({ outdir });
    new AutomationStack(app, { config: exampleConfig('factory.yaml'), targetKeys: { prod: { keyArn, aliasName: 'alias/x', accountId: '222222222222' } } });
    app.synth();
    stackDir = join(outdir, 'stacks', 'automation');
    tf = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as Tf;
  });
  afterAll(() => moto?.stop());

  const policyOf = (roleId: string) => {
    const p = Object.values(tf.resource.aws_iam_role_policy).find((x) => String(x.role).includes(roleId))!;
    return JSON.parse(p.policy as string) as { Statement: Array<{ Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> }> };
  };

  test('both pipelines: Standard state machines, each started by its rule through a role that may start only it', () => {
    const machines = Object.values(tf.resource.aws_sfn_state_machine);
    expect(machines.map((m) => m.type)).toEqual(['STANDARD', 'STANDARD']);
    expect(machines.map((m) => m.name).sort()).toEqual(['acme-dc1-ami-re-encryption', 'acme-dc1-ami-swap']);
    const patterns = Object.values(tf.resource.aws_cloudwatch_event_rule).map((r) => JSON.parse(r.event_pattern as string));
    expect(patterns.map((p) => p.source[0]).sort()).toEqual(['aws.backup', 'aws.ec2', 'aws.states']);
    // the recovery rule: stopped, timed-out or failed executions of both state machines, to its function
    const stopped = patterns.find((p) => p.source[0] === 'aws.states');
    expect(stopped.detail.status).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
    expect(stopped.detail.stateMachineArn).toEqual([expect.stringContaining('aws_sfn_state_machine.ami-re-encryption'), expect.stringContaining('aws_sfn_state_machine.ami-swap')]);
    const targets = Object.values(tf.resource.aws_cloudwatch_event_target);
    for (const t of targets.filter((x) => String(x.arn).includes('aws_sfn_state_machine'))) expect(t.role_arn).toBeDefined();
    expect(targets.filter((x) => String(x.arn).includes('aws_lambda_function.recover-stopped-run'))).toHaveLength(1);
    // best-effort delivery: every target retries for a day, then dead-letters to the queue, which only the rules may write to and which alarms
    for (const t of targets) {
      expect(t.retry_policy).toEqual({ maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 });
      expect(t.dead_letter_config).toEqual({ arn: expect.stringContaining('aws_sqs_queue.dead-letters_queue') });
    }
    const queuePolicy = JSON.parse(Object.values(tf.resource.aws_sqs_queue_policy)[0].policy as string);
    expect(queuePolicy.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' })]);
    expect(queuePolicy.Statement[0].Condition.ArnEquals['aws:SourceArn']).toHaveLength(3);
    expect(Object.values(tf.resource.aws_cloudwatch_metric_alarm)).toEqual([expect.objectContaining({ alarm_actions: [expect.stringContaining('aws_sns_topic.notifications_topic')] })]);
    expect(Object.values(tf.resource.aws_lambda_permission)).toEqual([expect.objectContaining({ principal: 'events.amazonaws.com', source_arn: expect.stringContaining('aws_cloudwatch_event_rule.stopped-run-recovery') })]);
    const start = policyOf('ami-swap_start-role');
    expect(start.Statement).toEqual([expect.objectContaining({ Action: 'states:StartExecution', Resource: expect.stringContaining('aws_sfn_state_machine.ami-swap_state-machine') })]);
    const fns = Object.values(tf.resource.aws_lambda_function);
    expect(fns.map((f) => f.handler).sort()).toEqual(['apply-retention.handler', 'recover-stopped-run.handler', 'resolve-backup-target.handler', 'resolve-source-image.handler']);
  });

  test('the synthesized definitions are the validated ones, wired to this stack\'s function, table and topic', () => {
    for (const m of Object.values(tf.resource.aws_sfn_state_machine)) {
      const text = m.definition as string;
      const def = JSON.parse(text) as { States: Record<string, { Type: string; Resource?: string }> };
      const resources = Object.values(def.States).filter((st) => st.Type === 'Task').map((st) => st.Resource!);
      for (const res of resources) expect(res).toMatch(/^arn:aws:states:::(aws-sdk:)?[a-z0-9]+:[A-Za-z]+$|^\$\{aws_lambda_function\.[\w-]+\.arn\}$/);
      // Terraform fills in the function ARNs at apply time: validate with a well-formed stand-in.
      const concrete = JSON.parse(text.replace(/\$\{aws_lambda_function\.([\w-]+)\.arn\}/g, 'arn:aws:lambda:eu-west-1:111111111111:function:$1'));
      const r = aslValidator(concrete);
      if (!r.isValid) throw new Error(`${String(m.name)}: ${r.errorsText('\n')}`);
      expect(JSON.stringify(def)).toContain('${aws_dynamodb_table.claims_table');
      expect(JSON.stringify(def)).toContain('${aws_sns_topic.notifications_topic');
    }
  });

  test('least privilege: the re-encryption role encrypts with the target key only, and changes only what it tagged', () => {
    const p = policyOf('ami-re-encryption_role');
    const encrypt = p.Statement.find((s) => s.Sid === 'EncryptWithTargetKeys')!;
    expect(encrypt.Resource).toEqual([keyArn]);
    const viaEc2 = p.Statement.find((s) => s.Sid === 'DecryptSourcesThroughEc2')!;
    expect(viaEc2.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } });
    expect(viaEc2.Action).not.toContain('kms:Encrypt');
    const change = p.Statement.find((s) => s.Sid === 'ShareAndRemoveOwnCopies')!;
    expect(change.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/rehost-factory:pipeline': 'ami-re-encryption' } });
    // the copy is tagged in CopyImage itself, and no existing resource can be tagged into the pipeline's
    expect(p.Statement.find((s) => s.Sid === 'CopyIntoTaggedCopies')!.Condition).toEqual({ StringEquals: { 'aws:RequestTag/rehost-factory:pipeline': 'ami-re-encryption' } });
    const tagging = [...p.Statement, ...policyOf('ami-swap_role').Statement].filter((s) => [s.Action].flat().includes('ec2:CreateTags'));
    expect(tagging.map((s) => s.Condition?.StringEquals?.['ec2:CreateAction'])).toEqual([['CopyImage'], ['RunInstances', 'CreateImage']]);
    // no statement grants * actions
    for (const s of [...p.Statement, ...policyOf('ami-swap_role').Statement]) expect([s.Action].flat().some((a) => a.endsWith(':*') || a === '*')).toBe(false);
    const swap = policyOf('ami-swap_role');
    expect(swap.Statement.find((s) => s.Sid === 'OwnTemporaryInstances')!.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/rehost-factory:pipeline': 'ami-swap' } });
  });

  test('terraform plan, apply and an empty re-plan against moto', async () => {
    const { dir } = prepareStack(stackDir, { motoUrl: moto.url, accountId: '111111111111' });
    await init(dir);
    // validate: test/infra/synth/examples.integ.test.ts (every stack of both examples); plan refuses an invalid configuration too.
    const plan = (await planJson(dir)) as { resource_changes: Array<{ type: string; change: { actions: string[] } }> };
    const creates = plan.resource_changes.filter((r) => r.change.actions.includes('create'));
    expect(creates.length).toBe(Object.values(tf.resource).reduce((n, byName) => n + Object.keys(byName).length, 0));
    // apply the reviewed plan itself (as the apply workflow does)
    await terraform(dir, ['apply', '-no-color', '-input=false', '-lock=false', 'tfplan']);
    const again = await replan(dir);
    if (again.code !== 0) throw new Error(`re-plan not empty (exit ${again.code}):\n${again.stdout.slice(-4000)}\n${again.stderr}`);
  }, 300_000);
});
