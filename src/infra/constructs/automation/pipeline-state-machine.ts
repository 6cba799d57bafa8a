import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { Construct } from 'constructs';
import { stateMachineNames } from '../../../config/resource-names';
import { StateMachineDefinition } from '../../state-machines/asl';
import { PolicyStatement } from '../policy-document';
import { DeadLetterQueue } from './dead-letter-queue';
import { EventPattern } from './event-pattern';
import { ServiceRole } from './service-role';

/** Step Functions log delivery is configured through these account-level actions (no resource-level permissions). */
export const STATE_MACHINE_LOG_DELIVERY = ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'];

export interface PipelineStateMachineProps {
  /** State machine, role and rule name. */
  readonly name: string;
  readonly description: string;
  readonly definition: StateMachineDefinition;
  /** What the workflow's tasks may do (besides delivering its logs). */
  readonly statements: PolicyStatement[];
  /** Events that start a run. */
  readonly eventPattern: EventPattern;
  readonly accountId: string;
  readonly region: string;
  /** Where events go that EventBridge could not deliver after its retries (events are best effort: do not lose one silently). */
  readonly deadLetters: DeadLetterQueue;
  /** @default 90 */
  readonly logRetentionDays?: number;
  /** Key that encrypts the log group. @default CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
  /** Permissions boundary of the state machine's and the rule's roles. @default none */
  readonly permissionsBoundary?: string;
}

/**
 * A Standard workflow started by an EventBridge rule: the state machine and its role, its log
 * group (errors and the execution history stay in Step Functions for 90 days), the rule (retrying
 * delivery for up to a day, then dead-lettering), and the rule's role that may start this state
 * machine only.
 */
export class PipelineStateMachine extends Construct {
  public readonly stateMachine: SfnStateMachine;
  public readonly rule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: PipelineStateMachineProps) {
    super(scope, id);
    const names = stateMachineNames(props.name);
    const logGroup = new CloudwatchLogGroup(this, 'logs', { name: names.logGroup, retentionInDays: props.logRetentionDays ?? 90, kmsKeyId: props.logKmsKeyArn });
    const role = new ServiceRole(this, 'role', {
      name: names.role,
      service: 'states.amazonaws.com',
      accountId: props.accountId,
      sourceArns: [`arn:aws:states:${props.region}:${props.accountId}:stateMachine:${props.name}`],
      permissionsBoundary: props.permissionsBoundary,
      description: props.description.slice(0, 1000),
      statements: [
        ...props.statements,
        {
          Sid: 'LogDelivery',
          Effect: 'Allow',
          // Step Functions log delivery is configured through these account-level actions (no resource-level permissions).
          Action: [...STATE_MACHINE_LOG_DELIVERY],
          Resource: '*',
        },
      ],
    });
    this.stateMachine = new SfnStateMachine(this, 'state-machine', {
      name: names.stateMachine,
      type: 'STANDARD',
      roleArn: role.arn,
      definition: JSON.stringify(props.definition),
      loggingConfiguration: { level: 'ERROR', includeExecutionData: false, logDestination: `${logGroup.arn}:*` },
    });
    this.rule = new CloudwatchEventRule(this, 'rule', { name: names.rule, description: props.description.slice(0, 512), eventPattern: JSON.stringify(props.eventPattern) });
    const startRole = new ServiceRole(this, 'start-role', {
      name: names.startRole,
      service: 'events.amazonaws.com',
      accountId: props.accountId,
      sourceArns: [`arn:aws:events:${props.region}:${props.accountId}:rule/${props.name.slice(0, 64)}`],
      permissionsBoundary: props.permissionsBoundary,
      description: `EventBridge starts ${props.name}`,
      statements: [{ Sid: 'StartThisStateMachine', Effect: 'Allow', Action: 'states:StartExecution', Resource: this.stateMachine.arn }],
    });
    new CloudwatchEventTarget(this, 'target', { rule: this.rule.name, targetId: 'state-machine', arn: this.stateMachine.arn, roleArn: startRole.arn, ...props.deadLetters.targetDelivery });
  }
}
