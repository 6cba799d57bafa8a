import type { AmiSwapSettings } from '../../config/sections/automation';
import { ChoiceRule, integrationErrorNames, lambdaTask, raise, Retrier, sdkTask, States } from './asl';
import { COMMIT_POINT, committedStates, outcomeStates, warningStates } from './commit';
import { CLAIM_PATH, claimTask, cleanupFailed, cleanupFailure, completeClaimTask, deregisterImageStates, failureNoticeStates, IGNORED_ERROR_PATH, releaseClaimTask, tagList } from './common';
import { GROUP_LOCK_PATH, recordMaxSizeTask, releaseGroupLockTask, takeGroupLockTask } from './group-lock';
import { pollLoop } from './polling';
import { AMI_SWAP_PIPELINE, BACKUP_JOB_TAG, CLAIM_STATUS, GROUP_LOCK_PREFIX, GROUP_TAG, PIPELINE_TAG } from './identifiers';
import { PipelineDefinition } from './re-encryption';

export { AMI_SWAP_PIPELINE, GROUP_TAG } from './identifiers';

export interface AmiSwapDefinitionProps {
  readonly resolveFunctionArn: string;
  readonly retentionFunctionArn: string;
  readonly claimsTable: string;
  readonly topicArn: string;
  readonly settings: AmiSwapSettings;
  /** @default true */
  readonly notifyOnSuccess?: boolean;
}

const ROLLBACK = 'Rollback';
/** A roll-back step's catcher: records what it left (`left`) and goes on. */
const swallow = (left: string, next: string) => [{ ErrorEquals: ['States.ALL'], ResultPath: cleanupFailure(left), Next: next }];
/** A field is set once its step has happened: the roll-back undoes exactly what was done. */
const present = (path: string) => ({ Variable: path, IsPresent: true });
const absent = (path: string) => ({ Not: { Variable: path, IsPresent: true } });
/** Marks a step as done in the state (the roll-back reads these marks). */
const stamp = { done: true };

/** Time the steps other than the polls may take (every retry spent included), in the execution timeout. */
const RUN_SLACK_SECONDS = 3 * 3600;

/**
 * The swap's execution timeout: the bounds of its polls plus slack. No execution outlives it, so the
 * per-group lock taken for this long can safely be taken over after it (a lost clean-up never blocks
 * a group for good).
 */
export function amiSwapTimeoutSeconds(s: AmiSwapSettings): number {
  return (s.instancePolling.timeoutMinutes + s.sysprepPolling.timeoutMinutes + s.imagePolling.timeoutMinutes) * 60 + RUN_SLACK_SECONDS;
}

/** GetCommandInvocation answers InvocationDoesNotExist for a moment after SendCommand. */
const invocationNotYetVisible: Retrier = {
  ErrorEquals: integrationErrorNames('ssm', 'InvocationDoesNotExist'),
  IntervalSeconds: 5,
  MaxAttempts: 6,
  BackoffRate: 1.5,
};

/**
 * SendCommand answers InvalidInstanceId until the new instance's SSM agent has registered, which can
 * take minutes after the status checks pass. Bounded: about 9 minutes of backing-off retries.
 */
export const agentNotYetRegistered: Retrier = {
  ErrorEquals: integrationErrorNames('ssm', 'InvalidInstanceId'),
  IntervalSeconds: 15,
  MaxAttempts: 8,
  BackoffRate: 1.5,
  MaxDelaySeconds: 120,
};

/** Our image of this backup job, by its fixed name, at `$.existing.images`. */
function findImageByName(comment: string, next: string) {
  return sdkTask('ec2', 'describeImages', {
    comment,
    parameters: { Owners: ['self'], Filters: [{ Name: 'name', 'Values.$': 'States.Array($.target.imageName)' }] },
    resultSelector: { 'images.$': '$.Images' },
    resultPath: '$.existing',
    next,
    onError: ROLLBACK,
  });
}

/**
 * AMI swap after an AWS Backup job of an instance in an Auto Scaling group: a temporary instance
 * from the backup image (Sysprep on Windows) is imaged; the new image becomes a new default
 * version of the group's launch template (made from the default version by number); the group is
 * pointed at it and refreshed. MaxSize is clamped meanwhile and always restored. The group's switch
 * to the new version is the commit point: a failure before it rolls back what was done (default
 * version, MaxSize, temporary instance, unused image) and fails the run; a failure after it (claim,
 * refresh, temporary instance, retention, lock) is a warning on a done swap, which succeeds.
 * Input: the EventBridge event ("Backup Job State Change", COMPLETED, EC2).
 */
export function amiSwapDefinition(p: AmiSwapDefinitionProps): PipelineDefinition {
  const s = p.settings;
  const claim = { table: p.claimsTable, pipeline: AMI_SWAP_PIPELINE, idPath: '$.run.backupJobId' };
  const lock = { table: p.claimsTable, groupPath: '$.run.asg', clockPath: '$.located.clock' };
  const afterImageReady = 'CreateLaunchTemplateVersion';

  const instancePoll = pollLoop({
    name: 'Instance',
    path: '$.instancePoll',
    bounds: s.instancePolling,
    check: (next) =>
      sdkTask('ec2', 'describeInstanceStatus', {
        comment: 'IncludeAllInstances: a pending or stopped instance is reported too, not silently left out',
        parameters: { 'InstanceIds.$': 'States.Array($.temp.instanceId)', IncludeAllInstances: true },
        resultSelector: { 'statuses.$': '$.InstanceStatuses' },
        resultPath: '$.instanceStatus',
        next,
        onError: ROLLBACK,
      }),
    outcomes: [
      { ...absent('$.instanceStatus.statuses[0].InstanceState.Name'), Next: 'InstancePollBounded' },
      {
        And: [
          { Variable: '$.instanceStatus.statuses[0].InstanceState.Name', StringEquals: 'running' },
          { Variable: '$.instanceStatus.statuses[0].InstanceStatus.Status', StringEquals: 'ok' },
          { Variable: '$.instanceStatus.statuses[0].SystemStatus.Status', StringEquals: 'ok' },
        ],
        Next: 'Windows?',
      },
      ...['shutting-down', 'terminated', 'stopping', 'stopped'].map((state): ChoiceRule => ({ Variable: '$.instanceStatus.statuses[0].InstanceState.Name', StringEquals: state, Next: 'InstanceLost' })),
    ],
    onTimeout: 'InstanceNotReady',
  });

  const sysprepPoll = pollLoop({
    name: 'Sysprep',
    path: '$.sysprepPoll',
    bounds: s.sysprepPolling,
    check: (next) =>
      sdkTask('ssm', 'getCommandInvocation', {
        comment: 'The command\'s real outcome, not a fixed wait',
        parameters: { 'CommandId.$': '$.sysprep.commandId', 'InstanceId.$': '$.temp.instanceId' },
        resultSelector: { 'status.$': '$.Status', 'details.$': '$.StatusDetails' },
        resultPath: '$.sysprepStatus',
        retry: [invocationNotYetVisible],
        next,
        onError: ROLLBACK,
      }),
    outcomes: [
      { Variable: '$.sysprepStatus.status', StringEquals: 'Success', Next: 'FindImage' },
      ...['Failed', 'Cancelled', 'TimedOut', 'Cancelling'].map((st): ChoiceRule => ({ Variable: '$.sysprepStatus.status', StringEquals: st, Next: 'SysprepFailed' })),
    ],
    onTimeout: 'SysprepTimedOut',
  });

  const imagePoll = pollLoop({
    name: 'Image',
    path: '$.imagePoll',
    bounds: s.imagePolling,
    check: (next) =>
      sdkTask('ec2', 'describeImages', {
        parameters: { 'ImageIds.$': 'States.Array($.newImage.imageId)' },
        resultSelector: { 'images.$': '$.Images' },
        resultPath: '$.imageStatus',
        next,
        onError: ROLLBACK,
      }),
    outcomes: [
      { ...absent('$.imageStatus.images[0].State'), Next: 'ImagePollBounded' },
      { Variable: '$.imageStatus.images[0].State', StringEquals: 'available', Next: afterImageReady },
      { And: [{ Variable: '$.imageStatus.images[0].State', StringEquals: 'failed' }, present('$.imageStatus.images[0].StateReason.Message')], Next: 'ImageFailed' },
      { Variable: '$.imageStatus.images[0].State', StringEquals: 'pending', Next: 'ImagePollBounded' },
      { ...present('$.imageStatus.images[0].State'), Next: 'ImageEndedBadly' },
    ],
    onTimeout: 'ImageTimedOut',
  });

  const rollbackImage = deregisterImageStates({ prefix: 'RollbackImage', imageIdPath: '$.newImage.imageId', workPath: '$.rollbackImage', next: 'Locked?', left: 'UnusedImageLeft' });
  const imageTags = tagList({ [PIPELINE_TAG]: AMI_SWAP_PIPELINE, [GROUP_TAG]: '$.target.asgName', [BACKUP_JOB_TAG]: '$.run.backupJobId', 'rehost-factory:backup-image': '$.target.imageId' });
  const group = { 'AutoScalingGroupName.$': '$.target.asgName' };
  const refresh = s.instanceRefresh;
  const afterDone = refresh.enabled ? 'StartInstanceRefresh' : 'TerminateTemporaryInstance';
  const swapped = 'Auto Scaling group {} now launches image {} (launch template {} version {}), made from backup job {}';
  const swappedArgs = '$.target.asgName, $.newImage.imageId, $.target.launchTemplateId, $.newVersion.versionNumber, $.run.backupJobId';

  // After the commit point: what each step leaves when it fails, and what the operator does about it.
  const claimNotMarkedDone = warningStates({
    key: 'ClaimNotMarkedDone',
    left: `States.Format('claim ${AMI_SWAP_PIPELINE}#{} stays ${CLAIM_STATUS.inProgress}, held by this execution, which succeeds: a repeated event still does nothing, and the recovery handler leaves it', $.run.backupJobId)`,
    todo: `set the claim's status to ${CLAIM_STATUS.done} in the claims table`,
    next: afterDone,
  });
  const refreshNotStarted = warningStates({
    key: 'InstanceRefreshNotStarted',
    left: "States.Format('the running instances of {} keep the image they were launched from until they are replaced', $.target.asgName)",
    todo: "States.Format('start an instance refresh of the group once any refresh in progress has ended (aws autoscaling start-instance-refresh --auto-scaling-group-name {})', $.target.asgName)",
    next: 'TerminateTemporaryInstance',
  });
  const temporaryInstanceLeft = warningStates({
    key: 'TemporaryInstanceLeft',
    left: "States.Format('temporary instance {} was not terminated', $.temp.instanceId)",
    todo: "States.Format('terminate it (aws ec2 terminate-instances --instance-ids {})', $.temp.instanceId)",
    next: 'ApplyRetention',
  });
  const retentionNotApplied = warningStates({
    key: 'RetentionNotApplied',
    left: `States.Format('images of {} beyond the newest ${s.keepImages} may be left, and snapshots of the images retention deregistered', $.target.asgName)`,
    todo: `States.Format('nothing for the images: the next swap of the group applies retention again; delete the snapshots tagged ${GROUP_TAG}={} that no image uses (aws ec2 describe-snapshots --owner-ids self --filters Name=tag:${GROUP_TAG},Values={})', $.target.asgName, $.target.asgName)`,
    next: 'ReleaseGroupLock',
  });
  const groupLockNotReleased = warningStates({
    key: 'GroupLockNotReleased',
    left: `States.Format('the lock of the group (item ${GROUP_LOCK_PREFIX}{} of the claims table) stays until it expires at epoch second {}; until then its backup jobs end Superseded', $.target.asgName, $.located.clock.expiresAt)`,
    todo: 'delete the lock item to release it now, or let it expire',
    next: 'Outcome',
  });
  const imageDuplicate = integrationErrorNames('ec2', 'InvalidAMIName.Duplicate');
  const backupEvent = { 'resources.$': '$.resources', 'detail.$': '$.detail' };

  const states: States = {
    Start: { Type: 'Pass', Parameters: { 'backupJobId.$': '$.detail.backupJobId', asg: 'unresolved' }, ResultPath: '$.run', Next: 'LocateGroup' },
    LocateGroup: lambdaTask(p.resolveFunctionArn, { parameters: { step: 'locate', event: backupEvent }, resultPath: '$.located', next: 'InAutoScalingGroup?', onError: 'ReportFailure' }),
    'InAutoScalingGroup?': { Type: 'Choice', Choices: [{ Variable: '$.located.inAsg', BooleanEquals: false, Next: 'NothingToDo' }], Default: 'RecordRun' },
    NothingToDo: { Type: 'Succeed', Comment: 'The instance is not in an Auto Scaling group: nothing to swap' },
    RecordRun: { Type: 'Pass', Parameters: { 'backupJobId.$': '$.located.backupJobId', 'asg.$': '$.located.asgName' }, ResultPath: '$.run', Next: 'ClaimBackupJob' },
    ClaimBackupJob: claimTask({ ...claim, next: 'LockGroup', duplicate: 'AlreadyHandled', onError: 'ReportFailure' }),
    AlreadyHandled: { Type: 'Succeed', Comment: 'Another run has this backup job (repeated event)' },
    LockGroup: takeGroupLockTask({ ...lock, next: 'ResolveBackup', held: 'MarkSuperseded', onError: ROLLBACK }),
    MarkSuperseded: completeClaimTask({ ...claim, result: 'superseded: another backup job of the group was being swapped', next: 'Superseded', onError: ROLLBACK }),
    Superseded: {
      Type: 'Succeed',
      Comment: 'A backup job of the same group (backed up together by one plan) is being swapped: its image serves the group; a second swap would only repeat it',
    },
    ResolveBackup: lambdaTask(p.resolveFunctionArn, {
      comment: 'Under the claim: the ClientTokens include its attempt number',
      parameters: { step: 'resolve', event: backupEvent, 'attempt.$': `States.StringToJson(${CLAIM_PATH}.attempt)` },
      resultPath: '$.target',
      next: 'StillInGroup?',
      onError: ROLLBACK,
    }),
    'StillInGroup?': { Type: 'Choice', Choices: [{ Variable: '$.target.inAsg', BooleanEquals: false, Next: 'GroupGone' }], Default: 'RecordMaxSize' },
    GroupGone: raise('GroupGone', "States.Format('Auto Scaling group {} went away while the swap started: {}', $.run.asg, $.target.reason)", ROLLBACK),
    RecordMaxSize: recordMaxSizeTask({ ...lock, maxSizePath: '$.target.maxSize', next: 'ClampMaxSize', onError: ROLLBACK }),
    ClampMaxSize: sdkTask('autoscaling', 'updateAutoScalingGroup', {
      comment: 'No scale-out on the old image while the swap runs; restored on every path',
      parameters: { ...group, 'MaxSize.$': '$.target.clampedMaxSize' },
      resultSelector: stamp,
      resultPath: '$.clamped',
      next: 'LaunchTemporaryInstance',
      onError: ROLLBACK,
    }),
    LaunchTemporaryInstance: sdkTask('ec2', 'runInstances', {
      comment: 'Request shaped by ResolveBackup: ClientToken, no public IP, placement from the launch template',
      inputPath: '$.target.runInstances',
      resultSelector: { 'instanceId.$': '$.Instances[0].InstanceId' },
      resultPath: '$.temp',
      next: instancePoll.entry,
      onError: ROLLBACK,
    }),
    ...instancePoll.states,
    InstanceLost: raise('TemporaryInstanceLost', "States.Format('temporary instance {} went {} before passing its status checks', $.temp.instanceId, $.instanceStatus.statuses[0].InstanceState.Name)", ROLLBACK),
    InstanceNotReady: raise('TemporaryInstanceNotReady', `States.Format('temporary instance {} did not pass its status checks within ${s.instancePolling.timeoutMinutes} minutes', $.temp.instanceId)`, ROLLBACK),
    'Windows?': { Type: 'Choice', Choices: [{ Variable: '$.target.windows', BooleanEquals: true, Next: 'RunSysprep' }], Default: 'FindImage' },
    RunSysprep: sdkTask('ssm', 'sendCommand', {
      comment: 'Retried while the instance\'s SSM agent is not registered yet',
      parameters: { DocumentName: s.sysprepDocument, 'InstanceIds.$': 'States.Array($.temp.instanceId)', 'Comment.$': "States.Format('rehost-factory AMI swap, backup job {}', $.run.backupJobId)" },
      resultSelector: { 'commandId.$': '$.Command.CommandId' },
      resultPath: '$.sysprep',
      retry: [agentNotYetRegistered],
      next: sysprepPoll.entry,
      onError: ROLLBACK,
    }),
    ...sysprepPoll.states,
    SysprepFailed: raise('SysprepFailed', `States.Format('${s.sysprepDocument} on {} ended {}: {}', $.temp.instanceId, $.sysprepStatus.status, $.sysprepStatus.details)`, ROLLBACK),
    SysprepTimedOut: raise('SysprepTimedOut', `States.Format('${s.sysprepDocument} on {} did not finish within ${s.sysprepPolling.timeoutMinutes} minutes', $.temp.instanceId)`, ROLLBACK),
    FindImage: findImageByName('CreateImage takes no ClientToken: the image name is fixed per backup job, and an earlier attempt\'s image is reused', 'ImageExists?'),
    'ImageExists?': { Type: 'Choice', Choices: [{ ...present('$.existing.images[0].ImageId'), Next: 'UseExistingImage' }], Default: 'CreateImage' },
    UseExistingImage: { Type: 'Pass', Parameters: { 'imageId.$': '$.existing.images[0].ImageId' }, ResultPath: '$.newImage', Next: imagePoll.entry },
    CreateImage: sdkTask('ec2', 'createImage', {
      parameters: {
        'InstanceId.$': '$.temp.instanceId',
        'Name.$': '$.target.imageName',
        'Description.$': "States.Format('{} from backup job {} by rehost-factory', $.target.asgName, $.run.backupJobId)",
        // Tagged on creation, snapshots too: retention and the role's conditions rely on the tags.
        TagSpecifications: [
          { ResourceType: 'image', Tags: imageTags },
          { ResourceType: 'snapshot', Tags: imageTags },
        ],
      },
      resultSelector: { 'imageId.$': '$.ImageId' },
      resultPath: '$.newImage',
      next: imagePoll.entry,
      catch: [{ ErrorEquals: imageDuplicate, ResultPath: IGNORED_ERROR_PATH, Next: 'FindImageAfterDuplicate' }],
      onError: ROLLBACK,
    }),
    FindImageAfterDuplicate: findImageByName('A retried CreateImage whose first attempt had succeeded', 'DuplicateFound?'),
    'DuplicateFound?': { Type: 'Choice', Choices: [{ ...present('$.existing.images[0].ImageId'), Next: 'UseExistingImage' }], Default: 'ImageNameTaken' },
    ImageNameTaken: raise('ImageNameTaken', "States.Format('an image named {} exists but is not visible as ours', $.target.imageName)", ROLLBACK),
    ...imagePoll.states,
    ImageFailed: raise('ImageFailed', "States.Format('image {} failed: {}', $.newImage.imageId, $.imageStatus.images[0].StateReason.Message)", ROLLBACK),
    ImageEndedBadly: raise('ImageFailed', "States.Format('image {} ended in state {}', $.newImage.imageId, $.imageStatus.images[0].State)", ROLLBACK),
    ImageTimedOut: raise('ImageTimedOut', `States.Format('image {} was still pending after ${s.imagePolling.timeoutMinutes} minutes', $.newImage.imageId)`, ROLLBACK),
    CreateLaunchTemplateVersion: sdkTask('ec2', 'createLaunchTemplateVersion', {
      comment: 'From the default version by number (never list order), only the image changes',
      parameters: {
        'LaunchTemplateId.$': '$.target.launchTemplateId',
        'SourceVersion.$': "States.Format('{}', $.target.defaultVersion)",
        'VersionDescription.$': "States.Format('image {} from backup job {}', $.newImage.imageId, $.run.backupJobId)",
        LaunchTemplateData: { 'ImageId.$': '$.newImage.imageId' },
        'ClientToken.$': '$.target.clientToken',
      },
      resultSelector: { 'versionNumber.$': '$.LaunchTemplateVersion.VersionNumber' },
      resultPath: '$.newVersion',
      next: 'MakeVersionDefault',
      onError: ROLLBACK,
    }),
    MakeVersionDefault: sdkTask('ec2', 'modifyLaunchTemplate', {
      comment: 'A version that is not the default is ignored by $Default users (and by MGN); the roll-back makes the old one default again',
      parameters: { 'LaunchTemplateId.$': '$.target.launchTemplateId', 'DefaultVersion.$': "States.Format('{}', $.newVersion.versionNumber)" },
      resultSelector: stamp,
      resultPath: '$.defaulted',
      next: 'MixedInstancesPolicy?',
      onError: ROLLBACK,
    }),
    'MixedInstancesPolicy?': { Type: 'Choice', Choices: [{ Variable: '$.target.usesMixedInstancesPolicy', BooleanEquals: true, Next: 'UpdateGroupMixedInstancesPolicy' }], Default: 'UpdateGroupLaunchTemplate' },
    UpdateGroupLaunchTemplate: sdkTask('autoscaling', 'updateAutoScalingGroup', {
      comment: 'Points the group at $Default and restores MaxSize (the lock\'s) in one call. Its success is the commit point',
      parameters: { ...group, 'MaxSize.$': `${GROUP_LOCK_PATH}.maxSize`, LaunchTemplate: { 'LaunchTemplateId.$': '$.target.launchTemplateId', Version: '$Default' } },
      resultSelector: stamp,
      resultPath: '$.restored',
      next: COMMIT_POINT,
      onError: ROLLBACK,
    }),
    UpdateGroupMixedInstancesPolicy: sdkTask('autoscaling', 'updateAutoScalingGroup', {
      comment: 'The whole policy as it was, with its launch template at $Default: overrides and distribution stay. Its success is the commit point',
      parameters: { ...group, 'MaxSize.$': `${GROUP_LOCK_PATH}.maxSize`, 'MixedInstancesPolicy.$': '$.target.mixedInstancesPolicy' },
      resultSelector: stamp,
      resultPath: '$.restored',
      next: COMMIT_POINT,
      onError: ROLLBACK,
    }),

    // The group launches the new version: the swap is done. What follows never rolls back; a failure is a warning.
    ...committedStates({ comment: 'the group launches the new launch template version', next: 'MarkDone' }),
    MarkDone: completeClaimTask({ ...claim, result: '$.newImage.imageId', next: afterDone, catch: claimNotMarkedDone.catch }),
    ...claimNotMarkedDone.states,
    ...(refresh.enabled
      ? {
          StartInstanceRefresh: sdkTask('autoscaling', 'startInstanceRefresh', {
            parameters: {
              ...group,
              Strategy: 'Rolling',
              Preferences: { MinHealthyPercentage: refresh.minHealthyPercentage, SkipMatching: refresh.skipMatching, ...(refresh.instanceWarmupSeconds !== undefined ? { InstanceWarmup: refresh.instanceWarmupSeconds } : {}) },
            },
            resultSelector: { 'instanceRefreshId.$': '$.InstanceRefreshId' },
            resultPath: '$.refresh',
            next: 'TerminateTemporaryInstance',
            catch: refreshNotStarted.catch,
          }),
          ...refreshNotStarted.states,
        }
      : {}),
    TerminateTemporaryInstance: sdkTask('ec2', 'terminateInstances', {
      parameters: { 'InstanceIds.$': 'States.Array($.temp.instanceId)' },
      resultSelector: stamp,
      resultPath: '$.terminated',
      next: 'ApplyRetention',
      catch: temporaryInstanceLeft.catch,
    }),
    ...temporaryInstanceLeft.states,
    ApplyRetention: lambdaTask(p.retentionFunctionArn, {
      parameters: {
        'asgName.$': '$.target.asgName',
        keep: s.keepImages,
        'currentImageId.$': '$.newImage.imageId',
        pipelineTag: { key: PIPELINE_TAG, value: AMI_SWAP_PIPELINE },
        groupTagKey: GROUP_TAG,
      },
      resultPath: '$.retention',
      next: 'ReleaseGroupLock',
      catch: retentionNotApplied.catch,
    }),
    ...retentionNotApplied.states,
    ReleaseGroupLock: releaseGroupLockTask({ ...lock, next: 'Outcome', catch: groupLockNotReleased.catch }),
    ...groupLockNotReleased.states,
    ...outcomeStates({
      entry: 'Outcome',
      topicArn: p.topicArn,
      notifyOnSuccess: p.notifyOnSuccess !== false,
      summary: {
        backupJobId: '$.run.backupJobId',
        autoScalingGroup: '$.target.asgName',
        imageId: '$.newImage.imageId',
        launchTemplateId: '$.target.launchTemplateId',
        launchTemplateVersion: '$.newVersion.versionNumber',
      },
      done: {
        subject: 'Auto Scaling group AMI swapped',
        message: `States.Format('${swapped}.', ${swappedArgs})`,
      },
      doneWithWarnings: {
        subject: 'Auto Scaling group AMI swap done with warnings',
        message: (report) => `States.Format('AMI swap done with warnings. ${swapped}; the swap stands and a repeated event for this backup job does nothing. What a later step could not do, and what to do about it:{}', ${swappedArgs}, ${report})`,
      },
    }),

    // Before the commit point: roll back what was done, best effort, in the reverse order; the original error stays in $.error.
    [ROLLBACK]: { Type: 'Choice', Choices: [{ ...present('$.defaulted'), Next: 'RestoreDefaultVersion' }], Default: 'RollbackMaxSize?' },
    RestoreDefaultVersion: sdkTask('ec2', 'modifyLaunchTemplate', {
      comment: 'The group was not switched: the version it had as default is the default again ($Default users keep the old image)',
      parameters: { 'LaunchTemplateId.$': '$.target.launchTemplateId', 'DefaultVersion.$': "States.Format('{}', $.target.defaultVersion)" },
      next: 'RollbackMaxSize?',
      catch: swallow('DefaultVersionNotRestored', 'RollbackMaxSize?'),
    }),
    'RollbackMaxSize?': { Type: 'Choice', Choices: [{ ...present('$.clamped'), Next: 'RestoreMaxSize' }], Default: 'RollbackInstance?' },
    RestoreMaxSize: sdkTask('autoscaling', 'updateAutoScalingGroup', { parameters: { ...group, 'MaxSize.$': `${GROUP_LOCK_PATH}.maxSize` }, next: 'RollbackInstance?', catch: swallow('MaxSizeNotRestored', 'RollbackInstance?') }),
    'RollbackInstance?': { Type: 'Choice', Choices: [{ ...present('$.temp.instanceId'), Next: 'TerminateOnFailure' }], Default: 'RollbackImage?' },
    TerminateOnFailure: sdkTask('ec2', 'terminateInstances', { parameters: { 'InstanceIds.$': 'States.Array($.temp.instanceId)' }, next: 'RollbackImage?', catch: swallow('TemporaryInstanceLeft', 'RollbackImage?') }),
    'RollbackImage?': { Type: 'Choice', Comment: 'An image no launch template uses yet', Choices: [{ And: [present('$.newImage.imageId'), absent('$.newVersion')], Next: rollbackImage.entry }], Default: 'Locked?' },
    ...rollbackImage.states,
    'Locked?': {
      Type: 'Choice',
      Comment: 'A lock whose MaxSize was not restored stays: the recovery handler restores it from the lock',
      Choices: [{ And: [present('$.locked'), absent('$.unlocked'), { Not: cleanupFailed('MaxSizeNotRestored') }], Next: 'ReleaseGroupLockOnFailure' }],
      Default: 'ReleaseClaim?',
    },
    ReleaseGroupLockOnFailure: releaseGroupLockTask({ ...lock, next: 'ReleaseClaim?', failurePath: cleanupFailure('GroupLockNotReleased') }),
    'ReleaseClaim?': {
      Type: 'Choice',
      Comment: 'The claim of a run that left its MaxSize or temporary instance stays taken, for the recovery handler (it terminates and restores, then releases)',
      Choices: [{ Or: [cleanupFailed('MaxSizeNotRestored'), cleanupFailed('TemporaryInstanceLeft')], Next: 'ReportFailure' }],
      Default: 'ReleaseClaim',
    },
    ReleaseClaim: releaseClaimTask({ ...claim, next: 'ReportFailure' }),
    ...failureNoticeStates({
      entry: 'ReportFailure',
      topicArn: p.topicArn,
      subject: 'Auto Scaling group AMI swap failed',
      message: (report) => `States.Format('AMI swap failed. Backup job: {}. Auto Scaling group: {}. Reason: {}: {}. {}', $.run.backupJobId, $.run.asg, $.error.Error, $.error.Cause, ${report})`,
      next: 'Failed',
    }),
    Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  };
  return {
    definition: { Comment: 'rehost-factory: swap Auto Scaling group AMIs after AWS Backup jobs, with roll-back', StartAt: 'Start', TimeoutSeconds: amiSwapTimeoutSeconds(s), States: states },
    loops: [instancePoll.loop, sysprepPoll.loop, imagePoll.loop],
    commitPoint: COMMIT_POINT,
  };
}
