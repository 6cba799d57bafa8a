import { Catcher, optimizedTask, TaskState } from './asl';
import { GROUP_LOCK_PREFIX } from './identifiers';

/**
 * One AMI swap per Auto Scaling group at a time. A tag-selected backup plan backs up every instance
 * of a group together: without a lock, each job's run would read the MaxSize another run had
 * already clamped (and "restore" that value for good) and race temporary instances, launch template
 * defaults and instance refreshes. The lock is an item of the claims table, taken by a conditional
 * write; it holds the group's original MaxSize, and expires after the longest possible execution
 * (the state machine's timeout), so a lock whose clean-up was lost never blocks the group for good.
 */
export interface GroupLockOptions {
  readonly table: string;
  /** JSONPath of the group's name. */
  readonly groupPath: string;
  /** JSONPath of `{ now, expiresAt }` in epoch seconds (the lock's clock, from the resolution step). */
  readonly clockPath: string;
}

/** Where the lock's item says what MaxSize to restore: `{ maxSize }` (a number). */
export const GROUP_LOCK_PATH = '$.lock';

const key = (o: GroupLockOptions) => ({ pk: { 'S.$': `States.Format('${GROUP_LOCK_PREFIX}{}', ${o.groupPath})` } });
const thisExecution = { ':execution': { 'S.$': '$$.Execution.Id' } };

/** Takes the group's lock (free, or expired); a held lock goes to `held`. Marks `$.locked`. */
export function takeGroupLockTask(o: GroupLockOptions & { next: string; held: string; onError: string }): TaskState {
  return optimizedTask('dynamodb', 'updateItem', {
    comment: 'An expired lock is taken over with its original MaxSize kept (if_not_exists below)',
    parameters: {
      TableName: o.table,
      Key: key(o),
      UpdateExpression: 'SET #execution = :execution, expiresAt = :expiresAt',
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeNames: { '#execution': 'execution' },
      ExpressionAttributeValues: {
        ...thisExecution,
        ':expiresAt': { 'N.$': `States.Format('{}', ${o.clockPath}.expiresAt)` },
        ':now': { 'N.$': `States.Format('{}', ${o.clockPath}.now)` },
      },
    },
    resultSelector: { taken: true },
    resultPath: '$.locked',
    next: o.next,
    catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: '$.lockHeld', Next: o.held }],
    onError: o.onError,
  });
}

/**
 * Records the group's MaxSize in the lock, unless the lock already holds one (taken over from a run
 * that died with MaxSize clamped), and reads back the one to restore into `$.lock.maxSize`.
 */
export function recordMaxSizeTask(o: GroupLockOptions & { maxSizePath: string; next: string; onError: string }): TaskState {
  return optimizedTask('dynamodb', 'updateItem', {
    parameters: {
      TableName: o.table,
      Key: key(o),
      UpdateExpression: 'SET maxSize = if_not_exists(maxSize, :maxSize)',
      ConditionExpression: '#execution = :execution',
      ExpressionAttributeNames: { '#execution': 'execution' },
      ExpressionAttributeValues: { ...thisExecution, ':maxSize': { 'N.$': `States.Format('{}', ${o.maxSizePath})` } },
      ReturnValues: 'ALL_NEW',
    },
    resultSelector: { 'maxSize.$': 'States.StringToJson($.Attributes.maxSize.N)' },
    resultPath: GROUP_LOCK_PATH,
    next: o.next,
    onError: o.onError,
  });
}

/**
 * Deletes the lock if this execution holds it, marking `$.unlocked`; a failure is recorded at
 * `failurePath` and the run goes on to `next`, or goes to `catch` (the lock then expires, or the
 * recovery handler releases it).
 */
export function releaseGroupLockTask(o: GroupLockOptions & { next: string } & ({ failurePath: string } | { catch: Catcher[] })): TaskState {
  return optimizedTask('dynamodb', 'deleteItem', {
    parameters: {
      TableName: o.table,
      Key: key(o),
      ConditionExpression: '#execution = :execution',
      ExpressionAttributeNames: { '#execution': 'execution' },
      ExpressionAttributeValues: thisExecution,
    },
    resultSelector: { released: true },
    resultPath: '$.unlocked',
    next: o.next,
    catch: 'catch' in o ? o.catch : [{ ErrorEquals: ['States.ALL'], ResultPath: o.failurePath, Next: o.next }],
  });
}
