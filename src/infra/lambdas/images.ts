import { DeleteSnapshotCommand, DeregisterImageCommand, EC2Client, Image } from '@aws-sdk/client-ec2';

/** EC2's answer for an image or snapshot that is already gone. */
export const alreadyGone = (e: unknown) => /NotFound|InvalidAMIID\.Unavailable/.test((e as Error).name);

/** The snapshot IDs of an image's block devices. */
export function snapshotIdsOf(image: Image): string[] {
  return (image.BlockDeviceMappings ?? []).map((b) => b.Ebs?.SnapshotId).filter((id): id is string => !!id);
}

/**
 * Deregisters an image and deletes its snapshots (deregistering alone leaves them, and their cost,
 * behind). Safe to repeat: what is already gone is skipped. Returns the snapshots it handled.
 */
export async function removeImage(ec2: EC2Client, image: Image): Promise<string[]> {
  const snapshotIds = snapshotIdsOf(image);
  try {
    await ec2.send(new DeregisterImageCommand({ ImageId: image.ImageId! }));
  } catch (e) {
    if (!alreadyGone(e)) throw e;
  }
  for (const SnapshotId of snapshotIds) {
    try {
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId }));
    } catch (e) {
      if (!alreadyGone(e)) throw e;
    }
  }
  return snapshotIds;
}
