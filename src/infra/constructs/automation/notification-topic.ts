import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';

export interface NotificationTopicProps {
  readonly name: string;
  /** E-mail subscriptions (each address confirms by mail). @default none */
  readonly emails?: string[];
  /** Customer managed key that encrypts the topic (publishers need it through SNS). @default unencrypted */
  readonly kmsKeyArn?: string;
}

/** The SNS topic both pipelines publish their outcomes to. */
export class NotificationTopic extends Construct {
  public readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'topic', { name: props.name, displayName: 'rehost-factory automation', kmsMasterKeyId: props.kmsKeyArn });
    (props.emails ?? []).forEach((email, i) => new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: 'email', endpoint: email }));
  }

  public get arn(): string {
    return this.topic.arn;
  }
}
