import { Catcher, Json, MapState, optimizedTask, sdkTask, States, TaskState } from './asl';
import { CLAIM_STATUS } from './identifiers';

/**
 * Where a clean-up step that failed records its error, under a key naming what it left behind
 * (`MaxSizeNotRestored`, `PartialCopyLeft`, ...): the original `$.error` is never masked, and the
 * failure notice lists them.
 */
export const CLEANUP_FAILURES_PATH = '$.cleanupFailures';
export const cleanupFailure = (left: string) => `${CLEANUP_FAILURES_PATH}.${left}`;
/** Errors a run deliberately goes on after: a notice that could not be published, an expected duplicate. */
export const IGNORED_ERROR_PATH = '$.ignoredError';
/** A rule matching when a clean-up step recorded this failure. */
export const cleanupFailed = (left: string) => ({ Variable: cleanupFailure(left), IsPresent: true });

/** The claims table key of a run: `<pipeline>#<id>`. */
function claimKey(pipeline: string, idPath: string): { [key: string]: Json } {
  return { pk: { 'S.$': `States.Format('${pipeline}#{}', ${idPath})` } };
}

/** Where a claim task puts `{ attempt }` (a string: DynamoDB numbers come back as strings). */
export const CLAIM_PATH = '$.claim';

/**
 * Conditional write of a claim item: the first run for an id wins, a repeated event for the same id
 * ends at `duplicate` without doing anything (DynamoDB's conditional write is the lock). A claim
 * released after a failure may be taken again; each take counts an attempt, which the ClientTokens
 * include: a re-run must not get back what the failed run made (a deregistered copy, a terminated
 * instance).
 */
export function claimTask(o: { table: string; pipeline: string; idPath: string; next: string; duplicate: string; onError: string }): TaskState {
  return optimizedTask('dynamodb', 'updateItem', {
    parameters: {
      TableName: o.table,
      Key: claimKey(o.pipeline, o.idPath),
      UpdateExpression: 'SET #status = :inProgress, #execution = :execution, startedAt = :startedAt ADD attempt :one',
      ConditionExpression: 'attribute_not_exists(pk) OR #status = :released',
      ExpressionAttributeNames: { '#status': 'status', '#execution': 'execution' },
      ExpressionAttributeValues: {
        ':inProgress': { S: CLAIM_STATUS.inProgress },
        ':released': { S: CLAIM_STATUS.released },
        ':execution': { 'S.$': '$$.Execution.Id' },
        ':startedAt': { 'S.$': '$$.Execution.StartTime' },
        ':one': { N: '1' },
      },
      ReturnValues: 'UPDATED_NEW',
    },
    resultSelector: { 'attempt.$': '$.Attributes.attempt.N' },
    resultPath: CLAIM_PATH,
    next: o.next,
    catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: '$.duplicate', Next: o.duplicate }],
    onError: o.onError,
  });
}

/** A ClientToken for this attempt: `<base>-<attempt>` (the base at most 51 characters, the token at most 64). */
export function attemptToken(basePath: string): string {
  return `States.Format('{}-{}', ${basePath}, ${CLAIM_PATH}.attempt)`;
}

/** Marks a claim done (kept: a later event for the same id stays a no-op). `result` is a JSONPath or a literal. */
export function completeClaimTask(o: { table: string; pipeline: string; idPath: string; result: string; next: string; onError?: string; catch?: Catcher[] }): TaskState {
  return optimizedTask('dynamodb', 'updateItem', {
    parameters: {
      TableName: o.table,
      Key: claimKey(o.pipeline, o.idPath),
      UpdateExpression: 'SET #status = :done, #result = :result',
      ExpressionAttributeNames: { '#status': 'status', '#result': 'result' },
      ExpressionAttributeValues: { ':done': { S: CLAIM_STATUS.done }, ':result': o.result.startsWith('$') ? { 'S.$': o.result } : { S: o.result } },
    },
    next: o.next,
    onError: o.onError,
    catch: o.catch,
  });
}

/**
 * Releases this run's claim after a failure, so that the event can be sent again once the cause is
 * fixed; only a claim this execution holds (never a later run's).
 */
export function releaseClaimTask(o: { table: string; pipeline: string; idPath: string; next: string }): TaskState {
  return optimizedTask('dynamodb', 'updateItem', {
    parameters: {
      TableName: o.table,
      Key: claimKey(o.pipeline, o.idPath),
      UpdateExpression: 'SET #status = :released',
      ConditionExpression: '#execution = :execution',
      ExpressionAttributeNames: { '#status': 'status', '#execution': 'execution' },
      ExpressionAttributeValues: { ':released': { S: CLAIM_STATUS.released }, ':execution': { 'S.$': '$$.Execution.Id' } },
    },
    next: o.next,
    catch: [{ ErrorEquals: ['States.ALL'], ResultPath: cleanupFailure('ClaimNotReleased'), Next: o.next }],
  });
}

/** Publishes to the notification topic; `message` is a States.Format expression. */
export function notifyTask(o: { topicArn: string; subject: string; message: string; next?: string; onError?: string }): TaskState {
  return optimizedTask('sns', 'publish', {
    parameters: { TopicArn: o.topicArn, Subject: o.subject, 'Message.$': o.message },
    next: o.next,
    ...(o.onError ? { catch: [{ ErrorEquals: ['States.ALL'], ResultPath: IGNORED_ERROR_PATH, Next: o.onError }] } : {}),
  });
}

/**
 * Deregisters an image and deletes its snapshots, best effort: a step's error is recorded as the
 * clean-up failure `left` and the run goes on to `next` (a clean-up never hides the original
 * failure), or goes to `catch`. Reads the snapshot IDs first, since a deregistered image no longer
 * lists them.
 */
export function deregisterImageStates(o: { prefix: string; imageIdPath: string; workPath: string; next: string } & ({ left: string } | { catch: Catcher[] })): { entry: string; states: States } {
  const n = (s: string) => `${o.prefix}${s}`;
  const swallow = 'catch' in o ? o.catch : [{ ErrorEquals: ['States.ALL'], ResultPath: cleanupFailure(o.left), Next: o.next }];
  const deleteSnapshots: MapState = {
    Type: 'Map',
    ItemsPath: `${o.workPath}.snapshotIds`,
    ItemSelector: { 'snapshotId.$': '$$.Map.Item.Value' },
    MaxConcurrency: 5,
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: n('DeleteSnapshot'),
      States: { [n('DeleteSnapshot')]: sdkTask('ec2', 'deleteSnapshot', { parameters: { 'SnapshotId.$': '$.snapshotId' } }) },
    },
    ResultPath: null,
    Catch: swallow,
    Next: o.next,
  };
  return {
    entry: n('Describe'),
    states: {
      [n('Describe')]: sdkTask('ec2', 'describeImages', {
        parameters: { 'ImageIds.$': `States.Array(${o.imageIdPath})` },
        resultSelector: { 'images.$': '$.Images' },
        resultPath: o.workPath,
        next: n('Exists'),
        catch: swallow,
      }),
      [n('Exists')]: { Type: 'Choice', Choices: [{ Variable: `${o.workPath}.images[0].ImageId`, IsPresent: true, Next: n('ListSnapshots') }], Default: o.next },
      [n('ListSnapshots')]: {
        Type: 'Pass',
        Parameters: { 'imageId.$': `${o.workPath}.images[0].ImageId`, 'snapshotIds.$': `${o.workPath}.images[0].BlockDeviceMappings[*].Ebs.SnapshotId` },
        ResultPath: o.workPath,
        Next: n('Deregister'),
      },
      [n('Deregister')]: sdkTask('ec2', 'deregisterImage', { parameters: { 'ImageId.$': `${o.workPath}.imageId` }, next: n('DeleteSnapshots'), catch: swallow }),
      [n('DeleteSnapshots')]: deleteSnapshots,
    },
  };
}

/** A tag list for CreateTags whose values are JSONPaths (`$...`) or literals. */
export function tagList(tags: Record<string, string>): Json[] {
  return Object.entries(tags).map(([Key, value]): Json => (value.startsWith('$') ? { Key, 'Value.$': value } : { Key, Value: value }));
}

/**
 * The failure notice: what the run reports, then what its clean-up left behind (if anything), then
 * `next`. `message` is a States.Format expression whose last `{}` takes the clean-up report.
 */
export function failureNoticeStates(o: { entry: string; topicArn: string; subject: string; message: (reportPath: string) => string; next: string }): States {
  const report = '$.cleanupReport';
  return {
    [o.entry]: {
      Type: 'Choice',
      Choices: [{ Variable: CLEANUP_FAILURES_PATH, IsPresent: true, Next: 'DescribeCleanUpFailures' }],
      Default: 'CleanUpComplete',
    },
    DescribeCleanUpFailures: {
      Type: 'Pass',
      Parameters: {
        'text.$': `States.Format('Clean-up incomplete (what is held stays for the recovery handler, which runs when this execution ends): {}', States.JsonToString(${CLEANUP_FAILURES_PATH}))`,
      },
      ResultPath: report,
      Next: 'NotifyFailure',
    },
    CleanUpComplete: { Type: 'Pass', Parameters: { text: 'Clean-up complete.' }, ResultPath: report, Next: 'NotifyFailure' },
    NotifyFailure: notifyTask({ topicArn: o.topicArn, subject: o.subject, message: o.message(`${report}.text`), next: o.next, onError: o.next }),
  };
}
