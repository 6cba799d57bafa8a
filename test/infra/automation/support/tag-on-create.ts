import { CreateTagsCommand, DescribeImagesCommand, EC2Client, Tag } from '@aws-sdk/client-ec2';
import { LocalRunOptions } from './local-run';
import { snapshotIdsOf } from '../../../../src/infra/lambdas/images';

type Spec = { ResourceType: string; Tags: Tag[] };

/**
 * EC2 tags an image and its snapshots at creation from TagSpecifications. moto 5.2.1 ignores
 * CopyImage's and refuses CreateImage's `snapshot` one (NotImplementedError). These injections send
 * the request without what moto cannot take, then apply the tags as EC2 would; the request the
 * workflow sent stays in the call log, and the tests assert it.
 */
export function tagOnCreateModel(ec2: EC2Client): NonNullable<LocalRunOptions['inject']> {
  const create = async (input: { TagSpecifications?: Spec[] }, real: (payload?: object) => Promise<{ ImageId?: string }>) => {
    const specs = input.TagSpecifications ?? [];
    const out = await real({ ...input, TagSpecifications: specs.filter((s) => s.ResourceType === 'image') });
    const imageId = out.ImageId as string;
    const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    const snapshots = Images[0] ? snapshotIdsOf(Images[0]) : [];
    for (const s of specs) {
      const resources = s.ResourceType === 'image' ? [imageId] : s.ResourceType === 'snapshot' ? snapshots : [];
      if (resources.length) await ec2.send(new CreateTagsCommand({ Resources: resources, Tags: s.Tags }));
    }
    return out;
  };
  return { CopyImage: create, CreateImage: create };
}
