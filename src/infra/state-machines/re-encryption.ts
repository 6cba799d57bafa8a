import type { AmiReEncryptionSettings } from '../../config/sections/automation';
import { lambdaTask, MapState, raise, sdkTask, StateMachineDefinition, States } from './asl';
import { COMMIT_POINT, committedStates, outcomeStates, warningStates } from './commit';
import { attemptToken, claimTask, cleanupFailed, completeClaimTask, deregisterImageStates, failureNoticeStates, releaseClaimTask, tagList } from './common';
import { CLAIM_STATUS, PIPELINE_TAG, RE_ENCRYPTION_PIPELINE, SOURCE_IMAGE_TAG } from './identifiers';
import { PollLoop, pollLoop } from './polling';

export { PIPELINE_TAG, RE_ENCRYPTION_PIPELINE } from './identifiers';

export interface ReEncryptionDefinitionProps {
  /** Region the images live in (CopyImage copies within it, changing the key). */
  readonly region: string;
  /** The resolve-source-image function. */
  readonly resolveFunctionArn: string;
  /** DynamoDB table holding one claim per image. */
  readonly claimsTable: string;
  readonly topicArn: string;
  readonly settings: AmiReEncryptionSettings;
  /** Publish a notification on success too. @default true */
  readonly notifyOnSuccess?: boolean;
}

export interface PipelineDefinition {
  readonly definition: StateMachineDefinition;
  /** The poll loops, for the history-size model. */
  readonly loops: PollLoop[];
  /** The state entered once the work is in use: nothing reachable from it rolls back (see `commit.ts`). */
  readonly commitPoint: string;
}

/**
 * AMI re-encryption: the event's image, if MGN made it, is copied with `Encrypted` + the target
 * account's key + a ClientToken derived from the image; the copy is polled with backoff until
 * available (bounded), tagged and shared with its snapshots; the source is optionally removed. A
 * failed or timed-out copy is deregistered with its snapshots and reported. Sharing is the commit
 * point: after it the copy is kept whatever happens, and a failure (claim, source removal) is a
 * warning on a done re-encryption, which succeeds.
 * Input: the EventBridge event ("EC2 AMI State Change").
 */
export function reEncryptionDefinition(p: ReEncryptionDefinitionProps): PipelineDefinition {
  const fail = 'CleanUpCopy';
  const claim = { table: p.claimsTable, pipeline: RE_ENCRYPTION_PIPELINE, idPath: '$.run.imageId' };
  const poll = pollLoop({
    name: 'Copy',
    path: '$.copyPoll',
    bounds: p.settings.copyPolling,
    check: (next) =>
      sdkTask('ec2', 'describeImages', {
        comment: 'Events are best effort: the copy state is read, not awaited',
        parameters: { 'ImageIds.$': 'States.Array($.copy.imageId)' },
        resultSelector: { 'images.$': '$.Images' },
        resultPath: '$.copyStatus',
        next,
        onError: fail,
      }),
    outcomes: [
      { Not: { Variable: '$.copyStatus.images[0].State', IsPresent: true }, Next: 'CopyPollBounded' },
      { Variable: '$.copyStatus.images[0].State', StringEquals: 'available', Next: 'CollectCopySnapshots' },
      {
        And: [
          { Variable: '$.copyStatus.images[0].State', StringEquals: 'failed' },
          { Variable: '$.copyStatus.images[0].StateReason.Message', IsPresent: true },
        ],
        Next: 'CopyFailed',
      },
      { Variable: '$.copyStatus.images[0].State', StringMatches: '*', Next: 'CopyState?' },
    ],
    onTimeout: 'CopyTimedOut',
  });

  const shareSnapshots: MapState = {
    Type: 'Map',
    Comment: 'ModifySnapshotAttribute takes one snapshot per call',
    ItemsPath: '$.copySnapshots.ids',
    ItemSelector: { 'snapshotId.$': '$$.Map.Item.Value', 'accountId.$': '$.source.target.accountId' },
    MaxConcurrency: 5,
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: 'ShareSnapshot',
      States: {
        ShareSnapshot: sdkTask('ec2', 'modifySnapshotAttribute', {
          parameters: { 'SnapshotId.$': '$.snapshotId', Attribute: 'createVolumePermission', OperationType: 'add', 'UserIds.$': 'States.Array($.accountId)' },
        }),
      },
    },
    ResultPath: null,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: fail }],
    Next: 'ShareImage',
  };

  const reEncrypted = 'Image {} of source server {} (wave {}) was re-encrypted as {} with the key of target account {}, {}';
  const reEncryptedArgs = '$.run.imageId, $.run.server, $.run.wave, $.copy.imageId, $.source.target.name, $.shared.note';
  const cleanUpCopy = deregisterImageStates({ prefix: 'CleanUpCopy', imageIdPath: '$.copy.imageId', workPath: '$.cleanup', next: 'ReleaseClaim?', left: 'PartialCopyLeft' });
  // After the commit point: what each step leaves when it fails, and what the operator does about it.
  const sourceNotRemoved = warningStates({
    key: 'SourceNotRemoved',
    left: "States.Format('source image {} or some of its snapshots are left (deregisterSource is set)', $.run.imageId)",
    todo: "States.Format('deregister image {} if it is still registered, and delete the snapshots it used (aws ec2 describe-images --image-ids {} lists them while it is registered)', $.run.imageId, $.run.imageId)",
    next: 'Outcome',
  });
  const removeSource = deregisterImageStates({ prefix: 'RemoveSource', imageIdPath: '$.run.imageId', workPath: '$.sourceRemoval', next: 'Outcome', catch: sourceNotRemoved.catch });
  const afterDone = p.settings.deregisterSource ? removeSource.entry : 'Outcome';
  const claimNotMarkedDone = warningStates({
    key: 'ClaimNotMarkedDone',
    left: `States.Format('claim ${RE_ENCRYPTION_PIPELINE}#{} stays ${CLAIM_STATUS.inProgress}, held by this execution, which succeeds: a repeated event still does nothing, and the recovery handler leaves it', $.run.imageId)`,
    todo: `set the claim's status to ${CLAIM_STATUS.done} in the claims table`,
    next: afterDone,
  });

  const states: States = {
    Start: {
      Type: 'Pass',
      Comment: 'What the notifications name, before anything is resolved',
      Parameters: { 'imageId.$': '$.detail.ImageId', server: 'unresolved', wave: 'unresolved' },
      ResultPath: '$.run',
      Next: 'ResolveSourceImage',
    },
    ResolveSourceImage: lambdaTask(p.resolveFunctionArn, { resultPath: '$.source', next: 'IsMgnImage?', onError: 'ReportFailure' }),
    'IsMgnImage?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.source.selected', BooleanEquals: false, Next: 'NotSelected' }],
      Default: 'RecordRun',
    },
    NotSelected: { Type: 'Succeed', Comment: 'Not an MGN image, not available, or a copy made by this pipeline' },
    RecordRun: {
      Type: 'Pass',
      Parameters: { 'imageId.$': '$.source.imageId', 'server.$': '$.source.sourceServerId', 'wave.$': '$.source.wave' },
      ResultPath: '$.run',
      Next: 'ClaimImage',
    },
    ClaimImage: claimTask({ ...claim, next: 'CopyImage', duplicate: 'AlreadyHandled', onError: 'ReportFailure' }),
    AlreadyHandled: { Type: 'Succeed', Comment: 'Another run has this image (repeated event)' },
    CopyImage: sdkTask('ec2', 'copyImage', {
      comment: 'Encrypted + KmsKeyId re-encrypts every snapshot; the ClientToken makes a retried copy the same copy, and a re-run (next claim attempt) a new one. Tagged on creation: never an untagged copy the role could not clean up',
      parameters: {
        'SourceImageId.$': '$.source.imageId',
        SourceRegion: p.region,
        'Name.$': '$.source.copyName',
        'Description.$': "States.Format('{} re-encrypted for {} by rehost-factory', $.source.imageId, $.source.target.name)",
        Encrypted: true,
        'KmsKeyId.$': '$.source.target.keyArn',
        'ClientToken.$': attemptToken('$.source.clientToken'),
        TagSpecifications: [
          {
            ResourceType: 'image',
            Tags: tagList({
              [PIPELINE_TAG]: RE_ENCRYPTION_PIPELINE,
              [SOURCE_IMAGE_TAG]: '$.run.imageId',
              'rehost-factory:source-server': '$.run.server',
              'rehost-factory:wave': '$.run.wave',
              'rehost-factory:target-account': '$.source.target.name',
              Name: '$.source.copyName',
            }),
          },
          { ResourceType: 'snapshot', Tags: tagList({ [PIPELINE_TAG]: RE_ENCRYPTION_PIPELINE, [SOURCE_IMAGE_TAG]: '$.run.imageId' }) },
        ],
      },
      resultSelector: { 'imageId.$': '$.ImageId' },
      resultPath: '$.copy',
      next: poll.entry,
      onError: fail,
    }),
    ...poll.states,
    CopyFailed: raise('CopyFailed', "States.Format('the encrypted copy {} failed: {}', $.copy.imageId, $.copyStatus.images[0].StateReason.Message)", fail),
    'CopyState?': {
      Type: 'Choice',
      Comment: 'failed without a reason, or a state a copy should never reach (deregistered, disabled)',
      Choices: [{ Variable: '$.copyStatus.images[0].State', StringEquals: 'pending', Next: 'CopyPollBounded' }],
      Default: 'CopyEndedBadly',
    },
    CopyEndedBadly: raise('CopyFailed', "States.Format('the encrypted copy {} ended in state {}', $.copy.imageId, $.copyStatus.images[0].State)", fail),
    CopyTimedOut: raise('CopyTimedOut', `States.Format('the encrypted copy {} was still pending after ${p.settings.copyPolling.timeoutMinutes} minutes', $.copy.imageId)`, fail),
    CollectCopySnapshots: {
      Type: 'Pass',
      Parameters: { 'ids.$': '$.copyStatus.images[0].BlockDeviceMappings[*].Ebs.SnapshotId' },
      ResultPath: '$.copySnapshots',
      Next: 'Share?',
    },
    'Share?': {
      Type: 'Choice',
      Comment: 'Nothing to share when the target is the staging account itself',
      Choices: [{ Variable: '$.source.target.share', BooleanEquals: true, Next: 'ShareSnapshots' }],
      Default: 'NotShared',
    },
    NotShared: { Type: 'Pass', Result: { note: 'kept in the staging account, which is the target (nothing shared)' }, ResultPath: '$.shared', Next: COMMIT_POINT },
    ShareSnapshots: shareSnapshots,
    ShareImage: sdkTask('ec2', 'modifyImageAttribute', {
      comment: 'Its success is the commit point: the target account may launch the copy',
      parameters: { 'ImageId.$': '$.copy.imageId', LaunchPermission: { Add: [{ 'UserId.$': '$.source.target.accountId' }] } },
      resultSelector: { note: 'shared with it, snapshots included' },
      resultPath: '$.shared',
      next: COMMIT_POINT,
      onError: fail,
    }),

    // The copy is complete and in the target account's hands: the re-encryption is done. What follows never removes the copy; a failure is a warning.
    ...committedStates({ comment: 'the copy is complete and shared with its target account (or kept in the staging account, which is the target)', next: 'MarkDone' }),
    MarkDone: completeClaimTask({ ...claim, result: '$.copy.imageId', next: afterDone, catch: claimNotMarkedDone.catch }),
    ...claimNotMarkedDone.states,
    ...(p.settings.deregisterSource ? { ...removeSource.states, ...sourceNotRemoved.states } : {}),
    ...outcomeStates({
      entry: 'Outcome',
      topicArn: p.topicArn,
      notifyOnSuccess: p.notifyOnSuccess !== false,
      summary: { sourceImageId: '$.run.imageId', sourceServerId: '$.run.server', wave: '$.run.wave', imageId: '$.copy.imageId', targetAccount: '$.source.target.name', shared: '$.shared.note' },
      done: { subject: 'AMI re-encrypted', message: `States.Format('${reEncrypted}.', ${reEncryptedArgs})` },
      doneWithWarnings: {
        subject: 'AMI re-encryption done with warnings',
        message: (report) => `States.Format('AMI re-encryption done with warnings. ${reEncrypted}; the copy stands and a repeated event for this image does nothing. What a later step could not do, and what to do about it:{}', ${reEncryptedArgs}, ${report})`,
      },
    }),
    ...cleanUpCopy.states,
    [fail]: { Type: 'Choice', Comment: 'Remove the partial copy, if one was started', Choices: [{ Variable: '$.copy.imageId', IsPresent: true, Next: cleanUpCopy.entry }], Default: 'ReleaseClaim?' },
    'ReleaseClaim?': {
      Type: 'Choice',
      Comment: 'The claim of a run that left a partial copy stays taken: the recovery handler removes the copy, then releases it',
      Choices: [{ ...cleanupFailed('PartialCopyLeft'), Next: 'ReportFailure' }],
      Default: 'ReleaseClaim',
    },
    ReleaseClaim: releaseClaimTask({ ...claim, next: 'ReportFailure' }),
    ...failureNoticeStates({
      entry: 'ReportFailure',
      topicArn: p.topicArn,
      subject: 'AMI re-encryption failed',
      message: (report) => `States.Format('AMI re-encryption failed. Image: {}. Source server: {}. Wave: {}. Reason: {}: {}. {}', $.run.imageId, $.run.server, $.run.wave, $.error.Error, $.error.Cause, ${report})`,
      next: 'Failed',
    }),
    Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  };
  return {
    definition: {
      Comment: 'rehost-factory: re-encrypt MGN images with the target account key, share them, report failures',
      StartAt: 'Start',
      States: states,
    },
    loops: [poll.loop],
    commitPoint: COMMIT_POINT,
  };
}
