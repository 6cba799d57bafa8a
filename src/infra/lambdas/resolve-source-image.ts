import { createHash } from 'node:crypto';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PipelineError, settingsFromEnv, tagValue } from './errors';
import { snapshotIdsOf } from './images';

/** A target account and the KMS key its images are re-encrypted with. */
export interface ImageTarget {
  readonly name: string;
  readonly accountId: string;
  readonly keyArn: string;
}

export interface ResolveSourceImageSettings {
  readonly stagingAccountId: string;
  /** Images without this tag are not MGN's; its value is the source server ID. */
  readonly sourceImageTagKey: string;
  readonly waveTagKey: string;
  readonly targetAccountTagKey: string;
  /** The tag the pipeline puts on its own copies (they raise the same event and must be ignored). */
  readonly pipelineTagKey: string;
  /** In factory.yaml order: the first is the default. */
  readonly targets: ImageTarget[];
  /** factory.yaml servers with a sourceServerId: their targetAccount. */
  readonly serverTargets: Record<string, string>;
}

/** The part of an "EC2 AMI State Change" event the resolution reads. */
export interface AmiStateChangeEvent {
  readonly detail?: { readonly ImageId?: string; readonly State?: string };
}

export type ResolvedSourceImage =
  | { readonly selected: false; readonly imageId: string; readonly reason: string }
  | {
      readonly selected: true;
      readonly imageId: string;
      readonly name: string;
      readonly sourceServerId: string;
      readonly wave: string;
      readonly snapshotIds: string[];
      /** Name of the encrypted copy (unique per source image and target). */
      readonly copyName: string;
      /** Base of the CopyImage ClientToken (51 characters): the same source image and key always give the same base; the workflow adds the claim's attempt number. */
      readonly clientToken: string;
      readonly target: ImageTarget & { readonly share: boolean };
    };

/**
 * Decides whether an image is one to re-encrypt (an available MGN image, not a copy of ours) and
 * for which target account, reading the image itself since the event carries no tags.
 */
export async function resolveSourceImage(ec2: EC2Client, event: AmiStateChangeEvent, s: ResolveSourceImageSettings): Promise<ResolvedSourceImage> {
  const imageId = event.detail?.ImageId;
  if (!imageId) throw new PipelineError('InvalidEvent', 'the event has no detail.ImageId: not an "EC2 AMI State Change" event');
  if (event.detail?.State !== 'available') return { selected: false, imageId, reason: `event state is ${event.detail?.State}, not available` };
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  const image = Images[0];
  if (!image) throw new PipelineError('SourceImageNotFound', `image ${imageId} is not visible to this account`);
  if (image.State !== 'available') return { selected: false, imageId, reason: `image is ${image.State}` };
  if (tagValue(image.Tags, s.pipelineTagKey) !== undefined) return { selected: false, imageId, reason: 'image is a copy made by rehost-factory' };
  const sourceServerId = tagValue(image.Tags, s.sourceImageTagKey);
  if (sourceServerId === undefined) return { selected: false, imageId, reason: `image has no ${s.sourceImageTagKey} tag` };

  const target = chooseTarget(image.Tags, sourceServerId, s);
  const name = image.Name ?? imageId;
  return {
    selected: true,
    imageId,
    name,
    sourceServerId: sourceServerId || 'unknown',
    wave: tagValue(image.Tags, s.waveTagKey) || 'unknown',
    snapshotIds: snapshotIdsOf(image),
    copyName: copyName(name, target.name, imageId),
    clientToken: `re-encrypt-${createHash('sha256').update(`${imageId}|${target.keyArn}`).digest('hex').slice(0, 40)}`,
    target: { ...target, share: target.accountId !== s.stagingAccountId },
  };
}

function chooseTarget(tags: Array<{ Key?: string; Value?: string }> | undefined, sourceServerId: string, s: ResolveSourceImageSettings): ImageTarget {
  if (s.targets.length === 0) throw new PipelineError('MisconfiguredFunction', 'no target accounts are configured');
  const byName = (name: string, from: string) => {
    const t = s.targets.find((x) => x.name === name);
    if (!t) throw new PipelineError('UnknownTargetAccount', `${from} names target account "${name}", expected one of: ${s.targets.map((x) => x.name).join(', ')}`);
    return t;
  };
  const tagged = tagValue(tags, s.targetAccountTagKey);
  if (tagged) return byName(tagged, `tag ${s.targetAccountTagKey}`);
  const configured = s.serverTargets[sourceServerId];
  if (configured) return byName(configured, `factory.yaml (server ${sourceServerId})`);
  return s.targets[0];
}

/** AMI names allow letters, digits, ( ) [ ] space . / - ' @ _ and at most 128 characters. */
export function copyName(sourceName: string, target: string, imageId: string): string {
  const suffix = `-${target}-${imageId}`;
  return `${sourceName.replace(/[^A-Za-z0-9()[\] ./'@_-]/g, '_').slice(0, 128 - suffix.length)}${suffix}`;
}

let client: EC2Client | undefined;
export const handler = (event: AmiStateChangeEvent) =>
  resolveSourceImage((client ??= new EC2Client({})), event, settingsFromEnv<ResolveSourceImageSettings>('RESOLVE_SETTINGS'));
