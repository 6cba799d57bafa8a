import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PipelineError } from './errors';
import { removeImage } from './images';

export interface RetentionRequest {
  readonly asgName: string;
  /** Images of this group to keep, newest first (the current one always counts as kept). */
  readonly keep: number;
  /** The image the launch template now uses. */
  readonly currentImageId: string;
  /** Tag key and value marking the pipeline's images. */
  readonly pipelineTag: { readonly key: string; readonly value: string };
  /** Tag key naming the group an image was made for. */
  readonly groupTagKey: string;
}

export interface RetentionResult {
  readonly kept: string[];
  readonly removed: Array<{ readonly imageId: string; readonly snapshotIds: string[] }>;
}

/**
 * Deregisters the pipeline's images of a group beyond the newest `keep`, and deletes their
 * snapshots (deregistering alone leaves them, and their cost, behind). Safe to repeat: what is
 * already gone is skipped.
 */
export async function applyRetention(ec2: EC2Client, r: RetentionRequest): Promise<RetentionResult> {
  if (!Number.isInteger(r.keep) || r.keep < 1) throw new PipelineError('InvalidRetention', `keep must be an integer >= 1, got ${r.keep}`);
  const { Images = [] } = await ec2.send(
    new DescribeImagesCommand({
      Owners: ['self'],
      Filters: [
        { Name: `tag:${r.pipelineTag.key}`, Values: [r.pipelineTag.value] },
        { Name: `tag:${r.groupTagKey}`, Values: [r.asgName] },
      ],
    }),
  );
  const newestFirst = [...Images].sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? '') || (b.ImageId ?? '').localeCompare(a.ImageId ?? ''));
  const others = newestFirst.filter((i) => i.ImageId !== r.currentImageId);
  const kept = [r.currentImageId, ...others.slice(0, r.keep - 1).map((i) => i.ImageId!)];
  const removed: RetentionResult['removed'] = [];
  for (const image of others.slice(r.keep - 1)) removed.push({ imageId: image.ImageId!, snapshotIds: await removeImage(ec2, image) });
  return { kept, removed };
}

let client: EC2Client | undefined;
export const handler = (request: RetentionRequest) => applyRetention((client ??= new EC2Client({})), request);
