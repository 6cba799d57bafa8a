/**
 * The items of the claims table, shared by the workflows and the handler that cleans up after a
 * stopped execution: one claim per image or backup job, one lock per Auto Scaling group being swapped.
 */

/** Status of a claim item. A released claim keeps its attempt count, so the next run's tokens differ. */
export const CLAIM_STATUS = { inProgress: 'IN_PROGRESS', done: 'DONE', released: 'RELEASED' } as const;

/** Key prefix of the per-group lock of the AMI swap: `ami-swap-asg#<group>`. */
export const GROUP_LOCK_PREFIX = 'ami-swap-asg#';

/** Index of the claims table by the execution holding an item (`execution` = execution ARN). */
export const BY_EXECUTION_INDEX = 'by-execution';
