import { EventPattern, matchesPattern } from '../../../src/infra/constructs/automation/event-pattern';
import { AMI_AVAILABLE_PATTERN, EC2_BACKUP_COMPLETED_PATTERN, executionStoppedPattern } from '../../../src/infra/constructs/automation/patterns';
import { allSampleEvents, sampleEvent } from './support/fixtures';

describe('the pipelines\' rules against the documented sample events', () => {
  const samples = allSampleEvents();
  test('every fixture names its AWS documentation page', () => {
    expect(samples.length).toBeGreaterThanOrEqual(9);
    for (const s of samples) expect(s.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/.+\.html$/);
  });
  // the state machine of the Step Functions samples
  const sampleMachine = 'arn:aws:states:us-east-1:012345678912:stateMachine:state-machine';
  test.each([
    ['AMI re-encryption', AMI_AVAILABLE_PATTERN, ['ec2-ami-state-change-available']],
    ['AMI swap', EC2_BACKUP_COMPLETED_PATTERN, ['backup-job-state-change-completed-ec2']],
    ['stopped-run recovery', executionStoppedPattern([sampleMachine]), ['sfn-execution-status-change-aborted', 'sfn-execution-status-change-failed', 'sfn-execution-status-change-timed-out']],
  ] as const)('%s matches exactly its events, not the near misses', (_name, pattern, expected) => {
    const matched = samples.filter((s) => matchesPattern(pattern, s.event)).map((s) => s.file);
    expect(matched).toEqual([...expected]);
  });
  test('near misses named: failed/deregistered images, the placeholder and EBS backups, failed and copy jobs, instance events', () => {
    const miss = (name: string, p: EventPattern) => expect({ name, matched: matchesPattern(p, sampleEvent(name).event) }).toEqual({ name, matched: false });
    for (const n of ['ec2-ami-state-change-failed', 'ec2-ami-state-change-deregistered', 'ec2-instance-state-change-pending', 'backup-job-state-change-completed-ec2']) miss(n, AMI_AVAILABLE_PATTERN);
    for (const n of ['backup-job-state-change-completed', 'backup-job-state-change-running-ebs', 'backup-job-state-change-failed', 'backup-copy-job-state-change-failed-ec2', 'ec2-ami-state-change-available']) miss(n, EC2_BACKUP_COMPLETED_PATTERN);
  });
  test('stopped-run recovery: only the pipelines\' state machines, never a running or succeeded execution', () => {
    const aborted = sampleEvent('sfn-execution-status-change-aborted').event;
    expect(matchesPattern(executionStoppedPattern(['arn:aws:states:us-east-1:012345678912:stateMachine:other']), aborted)).toBe(false);
    for (const n of ['sfn-execution-status-change-running', 'sfn-execution-status-change-succeeded']) expect({ n, matched: matchesPattern(executionStoppedPattern([sampleMachine]), sampleEvent(n).event) }).toEqual({ n, matched: false });
  });
  test('an EC2 backup whose recovery point is not an AMI does not start a swap', () => {
    const e = sampleEvent('backup-job-state-change-completed-ec2').event;
    e.resources = ['arn:aws:backup:us-west-2:1112233445566:recovery-point:f1d966fe-a3bd-410b-b292-99f442d13b56'];
    expect(matchesPattern(EC2_BACKUP_COMPLETED_PATTERN, e)).toBe(false);
  });
});

describe('matchesPattern (EventBridge semantics)', () => {
  const ev = { source: 'aws.ec2', detail: { state: 'running', count: 5, tags: ['a', 'b'], arn: 'arn:aws:ec2:eu-west-1:1:instance/i-1', empty: '', nested: { x: 1 } } };
  test.each<[string, EventPattern, boolean]>([
    ['exact value', { source: ['aws.ec2'] }, true],
    ['one of several values (OR)', { source: ['aws.s3', 'aws.ec2'] }, true],
    ['all fields (AND)', { source: ['aws.ec2'], detail: { state: ['stopped'] } }, false],
    ['missing field', { detail: { missing: ['x'] } }, false],
    ['array field: any element', { detail: { tags: ['b'] } }, true],
    ['prefix', { detail: { arn: [{ prefix: 'arn:aws:ec2:' }] } }, true],
    ['prefix miss', { detail: { arn: [{ prefix: 'arn:aws:s3:' }] } }, false],
    ['suffix', { detail: { arn: [{ suffix: '/i-1' }] } }, true],
    ['wildcard', { detail: { arn: [{ wildcard: 'arn:*:ec2:*:instance/i-*' }] } }, true],
    ['wildcard miss', { detail: { arn: [{ wildcard: 'arn:*:ec2:*:image/*' }] } }, false],
    ['wildcard escapes regexp characters', { detail: { arn: [{ wildcard: 'arn.aws*' }] } }, false],
    ['equals-ignore-case', { detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } }, true],
    ['exists true', { detail: { state: [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { state: [{ exists: false }] } }, false],
    ['exists on an object is false (leaves only)', { detail: { nested: [{ exists: true }] } }, false],
    ['anything-but value', { detail: { state: [{ 'anything-but': 'stopped' }] } }, true],
    ['anything-but list', { detail: { state: [{ 'anything-but': ['running', 'stopped'] }] } }, false],
    ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, false],
    ['anything-but needs the field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['anything-but on an array: no element may match', { detail: { tags: [{ 'anything-but': 'a' }] } }, false],
    ['numeric range', { detail: { count: [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    ['numeric range miss', { detail: { count: [{ numeric: ['>', 5] }] } }, false],
    ['numeric on a string', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
    ['empty string is a value', { detail: { empty: [''] } }, true],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, ev)).toBe(expected);
  });
  test('malformed numeric filters are refused', () => {
    expect(() => matchesPattern({ detail: { count: [{ numeric: ['>'] }] } }, ev)).toThrow(/pairs/);
    expect(() => matchesPattern({ detail: { count: [{ numeric: ['~', 1] }] } }, ev)).toThrow(/unknown numeric operator/);
  });
});
