import { CloudwatchEventTargetConfig } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Construct } from 'constructs';
import { policyDocument } from '../policy-document';

/** How long EventBridge keeps retrying a target before the event goes to the queue (its maximum: 24 hours, 185 attempts). */
export const TARGET_RETRY = { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 } as const;

export interface DeadLetterQueueProps {
  readonly name: string;
  /** Topic the alarm publishes to when an event lands in the queue. */
  readonly alarmTopicArn: string;
  /** @default 14 days (SQS's maximum) */
  readonly retentionSeconds?: number;
}

/**
 * Events EventBridge could not deliver to a pipeline (a state machine that refused StartExecution,
 * a function that was throttled for a day): kept for 14 days, and any message raises an alarm on the
 * notification topic, so a missed image or backup is seen and can be started by hand.
 */
export class DeadLetterQueue extends Construct {
  public readonly queue: SqsQueue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new SqsQueue(this, 'queue', { name: props.name, messageRetentionSeconds: props.retentionSeconds ?? 14 * 24 * 3600, sqsManagedSseEnabled: true });
    new CloudwatchMetricAlarm(this, 'alarm', {
      alarmName: props.name,
      alarmDescription: 'An automation event could not be delivered: see the dead-letter queue (docs/pipelines.md, Seeing a run)',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: this.queue.name },
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [props.alarmTopicArn],
    });
  }

  /** The retry policy and this queue as the dead-letter target of an EventBridge target. */
  public get targetDelivery(): Pick<CloudwatchEventTargetConfig, 'retryPolicy' | 'deadLetterConfig'> {
    return { retryPolicy: { ...TARGET_RETRY }, deadLetterConfig: { arn: this.queue.arn } };
  }

  /** Lets these rules (only) send their undeliverable events to the queue. */
  public allowRules(ruleArns: string[]): void {
    new SqsQueuePolicy(this, 'policy', {
      queueUrl: this.queue.url,
      policy: policyDocument([
        { Sid: 'PipelineRules', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: this.queue.arn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } } },
      ]),
    });
  }
}
