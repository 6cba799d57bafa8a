import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { BY_EXECUTION_INDEX, GROUP_LOCK_PREFIX } from '../../../../src/infra/state-machines/identifiers';
import { motoClientConfig } from '../../../support/moto';

export const REGION = 'eu-west-1';

/** The pipelines' own resources, created in moto as the automation stack would: claims table (with its index by execution), topic, target key. */
export async function createPipelineResources(url: string): Promise<{ table: string; topicArn: string; keyArn: string; ec2: EC2Client }> {
  const cfg = motoClientConfig(url, REGION);
  const table = `claims-${Math.random().toString(36).slice(2, 8)}`;
  await new DynamoDBClient(cfg).send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'execution', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{ IndexName: BY_EXECUTION_INDEX, KeySchema: [{ AttributeName: 'execution', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const { TopicArn } = await new SNSClient(cfg).send(new CreateTopicCommand({ Name: 'rehost-automation' }));
  const { KeyMetadata } = await new KMSClient(cfg).send(new CreateKeyCommand({ Description: 'target EBS key' }));
  return { table, topicArn: TopicArn!, keyArn: KeyMetadata!.Arn!, ec2: new EC2Client(cfg) };
}

/** Items of the claims table: pk → status for claims, `LOCKED` for group locks. */
export async function claims(url: string, table: string): Promise<Record<string, string>> {
  const { Items = [] } = await new DynamoDBClient(motoClientConfig(url, REGION)).send(new ScanCommand({ TableName: table }));
  return Object.fromEntries(Items.map((i) => [i.pk.S!, i.status?.S ?? (i.pk.S!.startsWith(GROUP_LOCK_PREFIX) ? 'LOCKED' : 'no status')]));
}

const publicImages = new Map<string, Promise<string>>();

/**
 * One of moto's public images (Amazon Linux 2, or Windows Server). Narrow filters on purpose: all of
 * moto's 1,100+ public images take seconds to list.
 */
export function publicImage(ec2: EC2Client, os: 'linux' | 'windows'): Promise<string> {
  const key = `${String(ec2.config.endpoint)}|${os}`;
  let image = publicImages.get(key);
  if (!image) {
    const filters = os === 'linux' ? [{ Name: 'name', Values: ['amzn2-ami-hvm-*'] }] : [{ Name: 'platform', Values: ['windows'] }];
    image = ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: filters })).then(({ Images = [] }) => {
      const found = Images.find((i) => (String(i.Platform).toLowerCase() === 'windows') === (os === 'windows') && i.RootDeviceType === 'ebs');
      if (!found) throw new Error(`moto has no public ${os} EBS image`);
      return found.ImageId!;
    });
    publicImages.set(key, image);
  }
  return image;
}

/** A subnet and an instance launched from one of moto's public images. */
export async function launchInstance(ec2: EC2Client, tags: Record<string, string> = {}): Promise<{ instanceId: string; subnetId: string; baseImageId: string }> {
  const baseImageId = await publicImage(ec2, 'linux');
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: '10.0.1.0/24', AvailabilityZone: `${REGION}a` }));
  const { Instances = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: baseImageId,
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 't3.micro',
      SubnetId: Subnet!.SubnetId!,
      TagSpecifications: Object.keys(tags).length ? [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] : undefined,
    }),
  );
  return { instanceId: Instances[0].InstanceId!, subnetId: Subnet!.SubnetId!, baseImageId };
}
