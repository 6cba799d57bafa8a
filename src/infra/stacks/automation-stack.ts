import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { AssetType, TerraformAsset, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { automationNames } from '../../config/resource-names';
import { ClaimsTable } from '../constructs/automation/claims-table';
import { DeadLetterQueue } from '../constructs/automation/dead-letter-queue';
import { NotificationTopic } from '../constructs/automation/notification-topic';
import { AMI_AVAILABLE_PATTERN, EC2_BACKUP_COMPLETED_PATTERN } from '../constructs/automation/patterns';
import { PipelineFunction } from '../constructs/automation/pipeline-function';
import { PipelineStateMachine } from '../constructs/automation/pipeline-state-machine';
import {
  amiSwapStatements,
  PipelineResources,
  recoverStatements,
  reEncryptionStatements,
  resolveBackupTargetStatements,
  resolveSourceImageStatements,
  retentionStatements,
} from '../constructs/automation/policies';
import { StoppedRunRecovery } from '../constructs/automation/stopped-run-recovery';
import { LAMBDA_BUNDLE_DIR } from '../lambdas/index';
import { RecoverSettings } from '../lambdas/recover-stopped-run';
import { ResolveBackupTargetSettings } from '../lambdas/resolve-backup-target';
import { ResolveSourceImageSettings } from '../lambdas/resolve-source-image';
import { AMI_SWAP_PIPELINE, amiSwapDefinition, amiSwapTimeoutSeconds } from '../state-machines/ami-swap';
import { PIPELINE_TAG, reEncryptionDefinition } from '../state-machines/re-encryption';
import { estateNames } from './estate-names';
import { FactoryStack, FactoryStackProps } from './factory-stack';
import type { EbsKeyRef } from './security-stack';

export interface AutomationStackProps extends FactoryStackProps {
  /**
   * EBS key of each target account by name (SecurityStack.ebsKeys; cdktf makes the cross-stack
   * references). Every target account needs one when the re-encryption pipeline is enabled.
   */
  readonly targetKeys: Record<string, EbsKeyRef>;
  /** Directory of the bundled handlers. @default src/infra/lambdas/dist (npx projen bundle:lambdas) */
  readonly lambdaBundleDir?: string;
  /** Staging-account key that encrypts the topic and the log groups (SecurityStack.estateKeyArn). @default AWS-owned encryption */
  readonly estateKeyArn?: string;
}

/**
 * Instance profiles the estate's placements name: the swap may pass their roles (named like the
 * profile, as the console and most templates create them) to the temporary instance.
 */
export function instanceProfiles(c: FactoryStackProps['config']): string[] {
  const servers = c.waves.flatMap((w) => w.applications.flatMap((a) => a.servers));
  return [...new Set(servers.flatMap((s) => [s.test.instanceProfile, s.cutover.instanceProfile]).filter((p): p is string => !!p))].sort();
}

/** AMI re-encryption and AMI swap pipelines (EventBridge + Step Functions), each switched on in factory.yaml. */
export class AutomationStack extends FactoryStack {
  /** Set when the pipeline is enabled. */
  public readonly reEncryption?: PipelineStateMachine;
  public readonly amiSwap?: PipelineStateMachine;
  public readonly recovery?: StoppedRunRecovery;

  constructor(scope: Construct, props: AutomationStackProps) {
    super(scope, 'automation', props);
    const c = this.config;
    const a = c.automation;
    if (!a.amiReEncryption.enabled && !a.amiSwap.enabled) return;

    const partition = new DataAwsPartition(this, 'partition').partition;
    const n = automationNames(c.name);
    const names = estateNames(c);
    const boundary = `arn:aws:iam::${c.accounts.staging}:policy/${names.boundaryPolicy}`;
    const keyArn = props.estateKeyArn;
    const topic = new NotificationTopic(this, 'notifications', { name: n.topic, emails: a.notifications.emails, kmsKeyArn: keyArn });
    const claims = new ClaimsTable(this, 'claims', { name: n.claimsTable });
    const deadLetters = new DeadLetterQueue(this, 'dead-letters', { name: n.deadLetters, alarmTopicArn: topic.arn });
    const code = new TerraformAsset(this, 'lambda-bundle', { path: props.lambdaBundleDir ?? LAMBDA_BUNDLE_DIR, type: AssetType.ARCHIVE });
    const base = { accountId: c.accounts.staging, region: c.region, partition, code, logKmsKeyArn: keyArn, permissionsBoundary: boundary };
    const machine = { accountId: c.accounts.staging, region: c.region, deadLetters, logKmsKeyArn: keyArn, permissionsBoundary: boundary };
    const resources = (functionArns: string[]): PipelineResources => ({
      partition,
      region: c.region,
      accountId: c.accounts.staging,
      claimsTableArn: claims.arn,
      topicArn: topic.arn,
      topicKeyArn: keyArn,
      functionArns,
      estate: c.name,
    });
    new TerraformOutput(this, 'notification-topic-arn', { value: topic.arn, description: 'SNS topic of the pipelines\' outcomes' });

    if (a.amiReEncryption.enabled) {
      const s = a.amiReEncryption;
      const name = n.reEncryption;
      const resolve = new PipelineFunction(this, 'resolve-source-image', {
        ...base,
        functionName: n.functions.resolveSourceImage,
        handlerFile: 'resolve-source-image',
        statements: resolveSourceImageStatements(),
        environment: { RESOLVE_SETTINGS: JSON.stringify(this.resolveSourceImageSettings(props.targetKeys)) },
      });
      const definition = reEncryptionDefinition({
        region: c.region,
        resolveFunctionArn: resolve.arn,
        claimsTable: claims.table.name,
        topicArn: topic.arn,
        settings: s,
        notifyOnSuccess: a.notifications.onSuccess,
      }).definition;
      this.reEncryption = new PipelineStateMachine(this, 'ami-re-encryption', {
        name,
        description: 'Re-encrypts MGN images with the target account key as soon as they are available, and shares them',
        definition,
        eventPattern: AMI_AVAILABLE_PATTERN,
        ...machine,
        statements: reEncryptionStatements({
          ...resources([resolve.arn]),
          targetKeyArns: c.accounts.targets.map((t) => props.targetKeys[t.name].keyArn),
          sourceImageTagKey: s.sourceImageTagKey,
          deregisterSource: s.deregisterSource,
        }),
      });
      new TerraformOutput(this, 'ami-re-encryption-state-machine-arn', { value: this.reEncryption.stateMachine.arn });
    }

    if (a.amiSwap.enabled) {
      const s = a.amiSwap;
      const resolveSettings: ResolveBackupTargetSettings = { tags: { [PIPELINE_TAG]: AMI_SWAP_PIPELINE }, lockSeconds: amiSwapTimeoutSeconds(s) };
      const resolve = new PipelineFunction(this, 'resolve-backup-target', {
        ...base,
        functionName: n.functions.resolveBackupTarget,
        handlerFile: 'resolve-backup-target',
        statements: resolveBackupTargetStatements(),
        environment: { RESOLVE_SETTINGS: JSON.stringify(resolveSettings) },
      });
      const retention = new PipelineFunction(this, 'apply-retention', {
        ...base,
        functionName: n.functions.applyRetention,
        handlerFile: 'apply-retention',
        statements: retentionStatements({ partition, region: c.region }),
        timeoutSeconds: 300,
      });
      const definition = amiSwapDefinition({
        resolveFunctionArn: resolve.arn,
        retentionFunctionArn: retention.arn,
        claimsTable: claims.table.name,
        topicArn: topic.arn,
        settings: s,
        notifyOnSuccess: a.notifications.onSuccess,
      }).definition;
      this.amiSwap = new PipelineStateMachine(this, 'ami-swap', {
        name: n.amiSwap,
        description: 'Swaps the AMI of an Auto Scaling group after an AWS Backup job of one of its instances',
        definition,
        eventPattern: EC2_BACKUP_COMPLETED_PATTERN,
        ...machine,
        statements: amiSwapStatements({
          ...resources([resolve.arn, retention.arn]),
          sysprepDocument: s.sysprepDocument,
          targetKeyArns: c.accounts.targets.map((t) => props.targetKeys[t.name]?.keyArn).filter((k): k is string => !!k),
          instanceRoleNames: instanceProfiles(c),
        }),
      });
      new TerraformOutput(this, 'ami-swap-state-machine-arn', { value: this.amiSwap.stateMachine.arn });
    }

    // A stopped or timed-out execution runs no Catch: this handler undoes what it left (MaxSize, locks, claims, instances, copies).
    const recoverSettings: RecoverSettings = { tableName: claims.table.name, topicArn: topic.arn };
    const recover = new PipelineFunction(this, 'recover-stopped-run', {
      ...base,
      functionName: n.functions.recoverStoppedRun,
      handlerFile: 'recover-stopped-run',
      statements: recoverStatements({ ...resources([]), amiSwap: a.amiSwap.enabled, reEncryption: a.amiReEncryption.enabled }),
      environment: { RECOVER_SETTINGS: JSON.stringify(recoverSettings) },
      timeoutSeconds: 120,
    });
    this.recovery = new StoppedRunRecovery(this, 'stopped-run-recovery', {
      name: n.stoppedRuns,
      handler: recover,
      stateMachineArns: [this.reEncryption, this.amiSwap].filter((m): m is PipelineStateMachine => !!m).map((m) => m.stateMachine.arn),
      deadLetters,
    });
    deadLetters.allowRules([this.reEncryption, this.amiSwap, this.recovery].filter((x): x is PipelineStateMachine | StoppedRunRecovery => !!x).map((x) => x.rule.arn));
    new TerraformOutput(this, 'dead-letter-queue-url', { value: deadLetters.queue.url, description: 'Events EventBridge could not deliver to the pipelines' });
  }

  /** What resolve-source-image needs: targets with their keys, and the servers' configured target accounts. */
  private resolveSourceImageSettings(targetKeys: Record<string, EbsKeyRef>): ResolveSourceImageSettings {
    const c = this.config;
    const s = c.automation.amiReEncryption;
    const targets = c.accounts.targets.map((t) => {
      const key = targetKeys[t.name];
      if (!key) throw new Error(`automation.amiReEncryption: no EBS key for target account "${t.name}" (expected SecurityStack.ebsKeys["${t.name}"])`);
      return { name: t.name, accountId: t.accountId, keyArn: key.keyArn };
    });
    const serverTargets: Record<string, string> = {};
    for (const w of c.waves) for (const app of w.applications) for (const server of app.servers) {
      if (server.sourceServerId) serverTargets[server.sourceServerId] = server.targetAccount ?? targets[0].name;
    }
    return {
      stagingAccountId: c.accounts.staging,
      sourceImageTagKey: s.sourceImageTagKey,
      waveTagKey: s.waveTagKey,
      targetAccountTagKey: s.targetAccountTagKey,
      pipelineTagKey: PIPELINE_TAG,
      targets,
      serverTargets,
    };
  }
}
