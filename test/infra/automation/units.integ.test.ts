import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateImageCommand, CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { boundedName, KEPT_ESTATE_CHARS } from '../../../src/config/bounded-name';
import { bundleArgs, LAMBDA_BUNDLE_DIR, LAMBDA_HANDLERS } from '../../../src/infra/lambdas/index';
import { copyName, resolveSourceImage, ResolveSourceImageSettings } from '../../../src/infra/lambdas/resolve-source-image';
import { imageName } from '../../../src/infra/lambdas/resolve-backup-target';
import { integrationErrorName, throttlingErrors } from '../../../src/infra/state-machines/asl';
import { worstCaseHistoryEvents } from '../../../src/infra/state-machines/history';
import { backoffSchedule } from '../../../src/infra/state-machines/polling';
import { motoClientConfig, sharedMotoUrl } from '../../support/moto';
import { ROOT } from '../../support/tools';
import { launchInstance, REGION } from './support/estate';

test('the committed lambda bundles are what bundle:lambdas builds from the sources', () => {
  const out = mkdtempSync(join(tmpdir(), 'rehost-lambdas-'));
  execFileSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), bundleArgs(out), { cwd: ROOT });
  for (const h of LAMBDA_HANDLERS) {
    const fresh = readFileSync(join(out, `${h}.js`), 'utf8');
    const committed = readFileSync(join(LAMBDA_BUNDLE_DIR, `${h}.js`), 'utf8');
    if (fresh !== committed) throw new Error(`src/infra/lambdas/dist/${h}.js is stale: run "npx projen bundle:lambdas"`);
    expect(fresh).toMatch(/exports|module\.exports/);
    expect(fresh).not.toMatch(/node_modules\/@aws-sdk/); // the runtime provides the SDK
  }
});

describe('backoffSchedule', () => {
  test('doubles up to the cap and sums exactly to the timeout', () => {
    expect(backoffSchedule({ initialSeconds: 60, maxSeconds: 600, timeoutMinutes: 30 })).toEqual([60, 120, 240, 480, 600, 300]);
    const long = backoffSchedule({ initialSeconds: 60, maxSeconds: 900, timeoutMinutes: 12 * 60 });
    expect(long.reduce((a, b) => a + b, 0)).toBe(43_200);
    expect(long.length).toBeLessThan(60);
  });
  test('refuses bounds that would not terminate', () => {
    expect(() => backoffSchedule({ initialSeconds: 0, maxSeconds: 10, timeoutMinutes: 1 })).toThrow(/invalid polling bounds/);
    expect(() => backoffSchedule({ initialSeconds: 20, maxSeconds: 10, timeoutMinutes: 1 })).toThrow(/initialSeconds <= maxSeconds/);
  });
});

test('the history model refuses an unbounded loop', () => {
  const def = {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Task' as const, Resource: 'arn:aws:states:::aws-sdk:ec2:describeImages', Next: 'Again?' },
      'Again?': { Type: 'Choice' as const, Choices: [{ Variable: '$.x', BooleanEquals: true, Next: 'Wait' }], Default: 'Done' },
      Wait: { Type: 'Wait' as const, Seconds: 5, Next: 'Check' },
      Done: { Type: 'Succeed' as const },
    },
  };
  expect(() => worstCaseHistoryEvents(def, [], 1)).toThrow(/unbounded cycle in the state machine: Check -> Again\? -> Wait -> Check/);
  expect(worstCaseHistoryEvents(def, [{ states: ['Check', 'Again?', 'Wait'], backEdge: { from: 'Wait', to: 'Check' }, iterations: 10 }], 1).total).toBe(2 + 5 + 2 + 2 + 9 * (5 + 2 + 2));
});

test('Step Functions error names of SDK errors', () => {
  expect(integrationErrorName('ec2', 'RequestLimitExceeded')).toBe('Ec2.RequestLimitExceededException');
  expect(integrationErrorName('dynamodb', 'ConditionalCheckFailedException')).toBe('DynamoDB.ConditionalCheckFailedException');
  expect(throttlingErrors('ec2')).toEqual(['Ec2.RequestLimitExceeded', 'Ec2.RequestLimitExceededException']);
});

test('names stay within AWS limits and unique', () => {
  const estate = 'a'.repeat(63);
  const a = boundedName(estate, 'resolve-backup-target', 64);
  const b = boundedName(`${estate.slice(0, 62)}b`, 'resolve-backup-target', 64);
  expect(a.length).toBeLessThanOrEqual(64);
  expect(a).toMatch(/-resolve-backup-target$/);
  expect(a).not.toBe(b);
  expect(boundedName('acme', 'ami-swap', 58)).toBe('acme-ami-swap');
  // every cut name keeps the same estate prefix, the one the apply role's patterns name
  expect(a.startsWith(`${estate.slice(0, KEPT_ESTATE_CHARS)}-`)).toBe(true);
  expect(boundedName(estate, 'ami-re-encryption', 58).startsWith(`${estate.slice(0, KEPT_ESTATE_CHARS)}-`)).toBe(true);
  expect(() => boundedName(estate, 'a-suffix-far-too-long-for-the-limit', 64)).toThrow(/leaves fewer than 33 characters/);
  expect(copyName('x'.repeat(200), 'prod', 'ami-0123456789abcdef0')).toHaveLength(128);
  expect(copyName('Windows 2019 {base}', 'prod', 'ami-1')).toBe('Windows 2019 _base_-prod-ami-1');
  expect(imageName('web:asg', 'a827233a-d405-4a86-a440-759fa94f34dd')).toBe('web_asg-a827233a-d405-4a86-a440-759fa94f34dd');
});

describe('resolve-source-image chooses the target account', () => {
  const ec2 = new EC2Client(motoClientConfig(sharedMotoUrl(), REGION));
  const s: ResolveSourceImageSettings = {
    stagingAccountId: '111111111111',
    sourceImageTagKey: 'AWSApplicationMigrationServiceSourceServerID',
    waveTagKey: 'rehost-factory:wave',
    targetAccountTagKey: 'rehost-factory:target-account',
    pipelineTagKey: 'rehost-factory:pipeline',
    targets: [
      { name: 'prod', accountId: '222222222222', keyArn: 'arn:aws:kms:eu-west-1:222222222222:key/p' },
      { name: 'dev', accountId: '333333333333', keyArn: 'arn:aws:kms:eu-west-1:333333333333:key/d' },
      { name: 'same', accountId: '111111111111', keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/s' },
    ],
    serverTargets: { 's-00000000000000dev': 'dev' },
  };
  const image = async (tags: Record<string, string>) => {
    const { instanceId } = await launchInstance(ec2);
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: `img-${instanceId}` }));
    await ec2.send(new CreateTagsCommand({ Resources: [ImageId!], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
    return { detail: { ImageId: ImageId!, State: 'available' } };
  };
  test('tag first, then the server in factory.yaml, then the first target; no sharing within the staging account', async () => {
    const byTag = await resolveSourceImage(ec2, await image({ AWSApplicationMigrationServiceSourceServerID: 's-00000000000000dev', 'rehost-factory:target-account': 'same' }), s);
    expect(byTag).toMatchObject({ selected: true, target: { name: 'same', share: false } });
    const byServer = await resolveSourceImage(ec2, await image({ AWSApplicationMigrationServiceSourceServerID: 's-00000000000000dev' }), s);
    expect(byServer).toMatchObject({ selected: true, sourceServerId: 's-00000000000000dev', wave: 'unknown', target: { name: 'dev', share: true, keyArn: 'arn:aws:kms:eu-west-1:333333333333:key/d' } });
    const byDefault = await resolveSourceImage(ec2, await image({ AWSApplicationMigrationServiceSourceServerID: 's-0000000000000other' }), s);
    expect(byDefault).toMatchObject({ target: { name: 'prod' } });
    if (byDefault.selected && byServer.selected) expect(byDefault.clientToken).not.toBe(byServer.clientToken);
  });
  test('an unknown target account is an error naming the choices; a non-available event is skipped', async () => {
    await expect(resolveSourceImage(ec2, await image({ AWSApplicationMigrationServiceSourceServerID: 's-1', 'rehost-factory:target-account': 'qa' }), s)).rejects.toThrow(
      'tag rehost-factory:target-account names target account "qa", expected one of: prod, dev, same',
    );
    await expect(resolveSourceImage(ec2, { detail: { ImageId: 'ami-1', State: 'failed' } }, s)).resolves.toMatchObject({ selected: false });
    await expect(resolveSourceImage(ec2, {}, s)).rejects.toThrow(/no detail.ImageId/);
  });
});
