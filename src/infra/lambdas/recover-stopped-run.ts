import { AutoScalingClient, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { AttributeValue, DeleteItemCommand, DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  AMI_SWAP_PIPELINE,
  BACKUP_JOB_TAG,
  BY_EXECUTION_INDEX,
  CLAIM_STATUS,
  GROUP_LOCK_PREFIX,
  PIPELINE_TAG,
  RE_ENCRYPTION_PIPELINE,
  SOURCE_IMAGE_TAG,
  STOPPED_STATUSES,
} from '../state-machines/identifiers';
import { PipelineError, settingsFromEnv } from './errors';
import { removeImage } from './images';

export interface RecoverSettings {
  readonly tableName: string;
  readonly topicArn: string;
}

/** The part of a "Step Functions Execution Status Change" event the handler reads. */
export interface ExecutionStatusChangeEvent {
  readonly detail?: { readonly executionArn?: string; readonly stateMachineArn?: string; readonly status?: string };
}

export interface RecoveryReport {
  readonly executionArn: string;
  readonly status: string;
  /** What was undone, one line each; empty when the execution left nothing behind. */
  readonly actions: string[];
}

export interface RecoverClients {
  readonly dynamodb: DynamoDBClient;
  readonly autoscaling: AutoScalingClient;
  readonly ec2: EC2Client;
  readonly sns: SNSClient;
}

/**
 * After an execution of a pipeline was stopped, timed out or failed, undoes what its own roll-back
 * could not: a stopped execution runs no Catch, so the group's MaxSize stays clamped, the lock and
 * the claim stay taken, the temporary instance keeps running, a copy stays half made. Works from the
 * claims table items the execution holds (by execution ARN), so it only ever touches that
 * execution's work, and a second call finds nothing left to do. A claim already marked done belongs
 * to a run stopped after its commit point: it is kept (the work is in use), and only a swap's
 * temporary instance is removed. Reports by SNS what it did.
 */
export async function recoverStoppedRun(c: RecoverClients, event: ExecutionStatusChangeEvent, s: RecoverSettings): Promise<RecoveryReport> {
  const executionArn = event.detail?.executionArn;
  const status = event.detail?.status ?? '';
  if (!executionArn) throw new PipelineError('InvalidEvent', 'the event has no detail.executionArn: not a "Step Functions Execution Status Change" event');
  const report: RecoveryReport = { executionArn, status, actions: [] };
  if (!STOPPED_STATUSES.includes(status)) return report;

  const items = await itemsHeldBy(c.dynamodb, s.tableName, executionArn);
  const held = { ':execution': { S: executionArn } };
  for (const item of items.filter((i) => i.pk.S!.startsWith(GROUP_LOCK_PREFIX))) {
    const group = item.pk.S!.slice(GROUP_LOCK_PREFIX.length);
    if (item.maxSize?.N) {
      await c.autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group, MaxSize: Number(item.maxSize.N) }));
      report.actions.push(`MaxSize of Auto Scaling group ${group} restored to ${item.maxSize.N}`);
    }
    await conditional(() =>
      c.dynamodb.send(new DeleteItemCommand({ TableName: s.tableName, Key: { pk: item.pk }, ConditionExpression: '#execution = :execution', ExpressionAttributeNames: { '#execution': 'execution' }, ExpressionAttributeValues: held })),
    );
    report.actions.push(`lock of Auto Scaling group ${group} released`);
  }
  for (const item of items.filter((i) => i.status?.S === CLAIM_STATUS.inProgress)) {
    const [pipeline, id] = splitClaimKey(item.pk.S!);
    if (pipeline === AMI_SWAP_PIPELINE) report.actions.push(...(await terminateTemporaryInstances(c.ec2, id)));
    if (pipeline === RE_ENCRYPTION_PIPELINE) report.actions.push(...(await removeUnfinishedCopies(c.ec2, id)));
    const released = await conditional(() =>
      c.dynamodb.send(
        new UpdateItemCommand({
          TableName: s.tableName,
          Key: { pk: item.pk },
          UpdateExpression: 'SET #status = :released',
          ConditionExpression: '#execution = :execution AND #status = :inProgress',
          ExpressionAttributeNames: { '#execution': 'execution', '#status': 'status' },
          ExpressionAttributeValues: { ...held, ':released': { S: CLAIM_STATUS.released }, ':inProgress': { S: CLAIM_STATUS.inProgress } },
        }),
      ),
    );
    if (released) report.actions.push(`claim ${item.pk.S} released (the event may be sent again)`);
  }
  // A claim marked done was committed (the group launches the new image): it stays done, and only
  // what the steps after the commit point would have removed is removed.
  const committed = items.filter((i) => i.status?.S === CLAIM_STATUS.done && splitClaimKey(i.pk.S!)[0] === AMI_SWAP_PIPELINE);
  for (const item of committed) report.actions.push(...(await terminateTemporaryInstances(c.ec2, splitClaimKey(item.pk.S!)[1])));
  if (report.actions.length) {
    for (const item of committed) {
      report.actions.push(
        `claim ${item.pk.S} stays ${CLAIM_STATUS.done} (${item.result?.S ?? 'no result'}): the swap was committed before the execution ended, so a repeated event does nothing; an instance refresh and retention may not have run`,
      );
    }
  }
  if (report.actions.length) {
    await c.sns.send(
      new PublishCommand({
        TopicArn: s.topicArn,
        Subject: `rehost-factory: clean-up after a ${status} execution`,
        Message: [`Execution ${executionArn} ended ${status} without finishing its own clean-up. Done since:`, ...report.actions.map((a) => `- ${a}`)].join('\n'),
      }),
    );
  }
  return report;
}

async function itemsHeldBy(dynamodb: DynamoDBClient, table: string, executionArn: string): Promise<Array<Record<string, AttributeValue>>> {
  const items: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table,
        IndexName: BY_EXECUTION_INDEX,
        KeyConditionExpression: '#execution = :execution',
        ExpressionAttributeNames: { '#execution': 'execution' },
        ExpressionAttributeValues: { ':execution': { S: executionArn } },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Runs a conditional write; false when the condition did not hold (another execution's item, or already done). */
async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

function splitClaimKey(pk: string): [string, string] {
  const i = pk.indexOf('#');
  return [pk.slice(0, i), pk.slice(i + 1)];
}

/** The swap's temporary instances of a backup job that still exist. */
async function terminateTemporaryInstances(ec2: EC2Client, backupJobId: string): Promise<string[]> {
  const { Reservations = [] } = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: `tag:${PIPELINE_TAG}`, Values: [AMI_SWAP_PIPELINE] },
        { Name: `tag:${BACKUP_JOB_TAG}`, Values: [backupJobId] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    }),
  );
  const ids = Reservations.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!);
  if (!ids.length) return [];
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  return ids.map((id) => `temporary instance ${id} of backup job ${backupJobId} terminated`);
}

/**
 * The re-encryption's copies of a source image whose run did not finish: deregistered with their
 * snapshots (a pending copy is cancelled), so that a re-run can copy again under the same name. A
 * copy that became available (even shared) counts as unfinished while its claim is not done: no
 * notice announced it.
 */
async function removeUnfinishedCopies(ec2: EC2Client, sourceImageId: string): Promise<string[]> {
  const { Images = [] } = await ec2.send(
    new DescribeImagesCommand({
      Owners: ['self'],
      Filters: [
        { Name: `tag:${PIPELINE_TAG}`, Values: [RE_ENCRYPTION_PIPELINE] },
        { Name: `tag:${SOURCE_IMAGE_TAG}`, Values: [sourceImageId] },
      ],
    }),
  );
  const done: string[] = [];
  for (const image of Images) {
    const snapshots = await removeImage(ec2, image);
    done.push(`unfinished copy ${image.ImageId} (${image.State}) of ${sourceImageId} deregistered, ${snapshots.length} snapshot(s) deleted`);
  }
  return done;
}

let clients: RecoverClients | undefined;
export const handler = (event: ExecutionStatusChangeEvent) =>
  recoverStoppedRun(
    (clients ??= { dynamodb: new DynamoDBClient({}), autoscaling: new AutoScalingClient({}), ec2: new EC2Client({}), sns: new SNSClient({}) }),
    event,
    settingsFromEnv<RecoverSettings>('RECOVER_SETTINGS'),
  );
