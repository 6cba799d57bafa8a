/**
 * Names shared by the workflows and the handlers (which must not bundle the workflow builders):
 * pipeline names, the tags they put on what they make, and the items of the claims table (one claim
 * per image or backup job, one lock per Auto Scaling group being swapped).
 */

export const RE_ENCRYPTION_PIPELINE = 'ami-re-encryption';
export const AMI_SWAP_PIPELINE = 'ami-swap';

/** Tag on everything a pipeline makes, valued with the pipeline's name; the roles may only change resources carrying it. */
export const PIPELINE_TAG = 'rehost-factory:pipeline';
/** Tag on the images the swap makes, naming their Auto Scaling group (retention works per group). */
export const GROUP_TAG = 'rehost-factory:asg';
/** Tag on the swap's temporary instance and images: the backup job they come from. */
export const BACKUP_JOB_TAG = 'rehost-factory:backup-job';
/** Tag on the re-encryption's copies and their snapshots: the source image. */
export const SOURCE_IMAGE_TAG = 'rehost-factory:source-image';

/** Status of a claim item. A released claim keeps its attempt count, so the next run's tokens differ. */
export const CLAIM_STATUS = { inProgress: 'IN_PROGRESS', done: 'DONE', released: 'RELEASED' } as const;

/** Key prefix of the per-group lock of the AMI swap: `ami-swap-asg#<group>`. */
export const GROUP_LOCK_PREFIX = 'ami-swap-asg#';

/** Index of the claims table by the execution holding an item (`execution` = execution ARN). */
export const BY_EXECUTION_INDEX = 'by-execution';

/** Execution statuses after which a workflow's own roll-back did not run, or may not have finished. */
export const STOPPED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'];
