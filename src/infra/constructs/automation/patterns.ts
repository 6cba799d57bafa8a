import { STOPPED_STATUSES } from '../../state-machines/identifiers';
import { EventPattern } from './event-pattern';

/**
 * New images: EC2's "AMI State Change" to available. The event carries no tags, so "made by MGN"
 * is decided by the workflow's first step, which reads the image's tags.
 */
export const AMI_AVAILABLE_PATTERN: EventPattern = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 AMI State Change'],
  detail: { State: ['available'], ImageId: [{ prefix: 'ami-' }] },
};

/**
 * Completed AWS Backup jobs of EC2 instances whose recovery point is an AMI: the swap's trigger.
 */
export const EC2_BACKUP_COMPLETED_PATTERN: EventPattern = {
  source: ['aws.backup'],
  'detail-type': ['Backup Job State Change'],
  detail: { state: ['COMPLETED'], resourceType: ['EC2'], resourceArn: [{ wildcard: 'arn:*:ec2:*:instance/i-*' }] },
  resources: [{ wildcard: 'arn:*:ec2:*::image/ami-*' }],
};

/**
 * Executions of the pipelines' state machines that ended FAILED, TIMED_OUT or ABORTED: the trigger of
 * the recovery handler (a stopped or timed-out execution runs no Catch).
 */
export function executionStoppedPattern(stateMachineArns: string[]): EventPattern {
  return { source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'], detail: { status: [...STOPPED_STATUSES], stateMachineArn: stateMachineArns } };
}
