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
