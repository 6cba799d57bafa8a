import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Construct } from 'constructs';
import { stoppedRunRuleName } from '../../../config/resource-names';
import { DeadLetterQueue } from './dead-letter-queue';
import { executionStoppedPattern } from './patterns';
import { PipelineFunction } from './pipeline-function';

export interface StoppedRunRecoveryProps {
  /** Rule name. */
  readonly name: string;
  /** The recover-stopped-run function. */
  readonly handler: PipelineFunction;
  /** The pipelines' state machines whose stopped executions it cleans up after. */
  readonly stateMachineArns: string[];
  /** Where events go that EventBridge could not deliver after its retries. */
  readonly deadLetters: DeadLetterQueue;
}

/**
 * A stopped, timed-out or failed execution of a pipeline invokes the recovery handler, which undoes
 * what the execution's own roll-back could not (a stopped execution runs no Catch).
 */
export class StoppedRunRecovery extends Construct {
  public readonly rule: CloudwatchEventRule;
  public readonly target: CloudwatchEventTarget;

  constructor(scope: Construct, id: string, props: StoppedRunRecoveryProps) {
    super(scope, id);
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: stoppedRunRuleName(props.name),
      description: 'Clean-up after pipeline executions that were stopped, timed out or failed',
      eventPattern: JSON.stringify(executionStoppedPattern(props.stateMachineArns)),
    });
    new LambdaPermission(this, 'invoke', {
      statementId: 'stopped-run-rule',
      action: 'lambda:InvokeFunction',
      functionName: props.handler.fn.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: this.rule.arn,
    });
    this.target = new CloudwatchEventTarget(this, 'target', { rule: this.rule.name, targetId: 'recover-stopped-run', arn: props.handler.arn, ...props.deadLetters.targetDelivery });
  }
}
