import { CloudformationStack } from '@cdktf/provider-aws/lib/cloudformation-stack';
import { Construct } from 'constructs';

/**
 * A typed model of the two CloudFormation resource types MGN has for account-level defaults.
 * Property names, types and enums follow the official resource schemas:
 * - AWS::MGN::LaunchConfigurationTemplate: @aws-cdk/aws-service-spec 0.1.216 (CloudFormation registry schema);
 * - AWS::MGN::ReplicationConfigurationTemplate: aws-cdk-lib 2.276.0 CfnReplicationConfigurationTemplateProps
 *   and the MGN API reference (enums), see test/infra/stacks/mgn-schemas.ts.
 */
export interface CfnTag {
  readonly Key: string;
  readonly Value: string;
}

export type DataPlaneRouting = 'PRIVATE_IP' | 'PUBLIC_IP';
export type LargeStagingDiskType = 'GP2' | 'GP3' | 'ST1';
export type EbsEncryption = 'DEFAULT' | 'CUSTOM';
export type InternetProtocol = 'IPV4' | 'IPV6';
export type PostLaunchDeployment = 'TEST_AND_CUTOVER' | 'CUTOVER_ONLY' | 'TEST_ONLY';

export interface ReplicationConfigurationTemplateProperties {
  readonly StagingAreaSubnetId: string;
  readonly AssociateDefaultSecurityGroup: boolean;
  readonly ReplicationServersSecurityGroupsIDs: string[];
  readonly ReplicationServerInstanceType: string;
  readonly UseDedicatedReplicationServer: boolean;
  readonly DefaultLargeStagingDiskType: LargeStagingDiskType;
  readonly EbsEncryption: EbsEncryption;
  readonly EbsEncryptionKeyArn?: string;
  readonly BandwidthThrottling: number;
  readonly DataPlaneRouting: DataPlaneRouting;
  readonly CreatePublicIP: boolean;
  readonly StagingAreaTags: Record<string, string>;
  readonly UseFipsEndpoint?: boolean;
  readonly InternetProtocol?: InternetProtocol;
  readonly StoreSnapshotOnLocalZone?: boolean;
  readonly Tags?: CfnTag[];
}

export interface SsmParameterStoreParameter {
  readonly ParameterType: 'STRING' | 'SECURE_STRING';
  readonly ParameterName: string;
}

export interface SsmDocumentAction {
  readonly ActionName: string;
  readonly SsmDocumentName: string;
  readonly TimeoutSeconds?: number;
  readonly MustSucceedForCutover?: boolean;
  readonly Parameters?: Record<string, SsmParameterStoreParameter[]>;
  readonly ExternalParameters?: Record<string, { readonly DynamicPath: string }>;
}

export interface PostLaunchActions {
  readonly Deployment?: PostLaunchDeployment;
  readonly S3LogBucket?: string;
  readonly S3OutputKeyPrefix?: string;
  readonly CloudWatchLogGroupName?: string;
  readonly SsmDocuments?: SsmDocumentAction[];
}

export interface LaunchTemplateDiskConf {
  readonly VolumeType?: 'io1' | 'io2' | 'gp3' | 'gp2' | 'st1' | 'sc1' | 'standard';
  readonly Iops?: number;
  readonly Throughput?: number;
}

export interface LaunchConfigurationTemplateProperties {
  readonly PostLaunchActions?: PostLaunchActions;
  readonly EnableMapAutoTagging?: boolean;
  readonly MapAutoTaggingMpeID?: string;
  readonly LaunchDisposition?: 'STOPPED' | 'STARTED';
  readonly TargetInstanceTypeRightSizingMethod?: 'NONE' | 'BASIC';
  readonly CopyPrivateIp?: boolean;
  readonly AssociatePublicIpAddress?: boolean;
  readonly CopyTags?: boolean;
  readonly Licensing?: { readonly OsByol?: boolean };
  readonly BootMode?: 'LEGACY_BIOS' | 'UEFI' | 'USE_SOURCE';
  readonly SmallVolumeMaxSize?: number;
  readonly SmallVolumeConf?: LaunchTemplateDiskConf;
  readonly LargeVolumeConf?: LaunchTemplateDiskConf;
  readonly EnableParametersEncryption?: boolean;
  readonly ParametersEncryptionKey?: string;
  readonly Tags?: CfnTag[];
}

export interface MgnCfnTemplate {
  readonly AWSTemplateFormatVersion: '2010-09-09';
  readonly Description: string;
  readonly Resources: {
    readonly ReplicationConfigurationTemplate?: { readonly Type: 'AWS::MGN::ReplicationConfigurationTemplate'; readonly Properties: ReplicationConfigurationTemplateProperties };
    readonly LaunchConfigurationTemplate: { readonly Type: 'AWS::MGN::LaunchConfigurationTemplate'; readonly Properties: LaunchConfigurationTemplateProperties };
  };
  readonly Outputs: Record<string, { readonly Description: string; readonly Value: unknown }>;
}

/** Replication settings; every unset value is what a fully private staging area needs. */
export interface ReplicationSettings {
  /** Subnet of the replication servers. */
  readonly stagingSubnetId: string;
  /** Security groups of the replication servers. */
  readonly securityGroupIds: string[];
  /** Customer managed key that encrypts staging and launched volumes. */
  readonly ebsKeyArn: string;
  /** @default 't3.small' */
  readonly instanceType?: string;
  /** @default false */
  readonly dedicatedReplicationServer?: boolean;
  /** @default 'GP3' */
  readonly defaultLargeStagingDiskType?: LargeStagingDiskType;
  /** Mbps per source server; 0 = no throttling. @default 0 */
  readonly bandwidthThrottlingMbps?: number;
  /** @default none */
  readonly stagingAreaTags?: Record<string, string>;
}

/** One post-launch action: an SSM document, in order. */
export interface PostLaunchDocument {
  /** Shown in the MGN console. */
  readonly actionName: string;
  /** Deployed SSM document name. */
  readonly documentName: string;
  readonly deployment: PostLaunchDeployment;
  /** @default true */
  readonly mustSucceedForCutover?: boolean;
  /** Document parameters, each read from Parameter Store at launch. @default none */
  readonly parameters?: Record<string, string>;
  /** @default 3600 */
  readonly timeoutSeconds?: number;
}

export interface LaunchSettings {
  /** @default 'STARTED' */
  readonly launchDisposition?: 'STOPPED' | 'STARTED';
  /** @default 'NONE' */
  readonly rightSizing?: 'NONE' | 'BASIC';
  /** @default false */
  readonly copyPrivateIp?: boolean;
  /** @default true */
  readonly copyTags?: boolean;
  /** @default false (license included) */
  readonly osByol?: boolean;
  /** @default 'USE_SOURCE' */
  readonly bootMode?: 'LEGACY_BIOS' | 'UEFI' | 'USE_SOURCE';
  /** @default false */
  readonly enableMapAutoTagging?: boolean;
  /** Required when enableMapAutoTagging. */
  readonly mapAutoTaggingMpeId?: string;
  /** Post-launch SSM documents in the order they run. @default none */
  readonly postLaunch?: PostLaunchDocument[];
  /** Log group of the documents' output. Required with postLaunch. */
  readonly logGroupName?: string;
}

/** MGN accepts at most 10 SSM documents as post-launch actions of a template. */
export const MAX_POST_LAUNCH_DOCUMENTS = 10;

/**
 * Builds the CloudFormation template. Replication is fully private: data plane routing PRIVATE_IP
 * (the agent's "use private IP", required with private endpoints), no public IP, no default MGN
 * security group (the staging groups replace it), EBS encryption CUSTOM with the given key.
 */
export function mgnTemplate(replication: ReplicationSettings, launch: LaunchSettings, options: { replicationInTemplate?: boolean } = {}): MgnCfnTemplate {
  validate(replication, launch);
  const post = launch.postLaunch ?? [];
  const withReplication = options.replicationInTemplate ?? true;
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'rehost-factory: MGN replication and launch defaults of the account',
    Resources: {
      ...(withReplication ? { ReplicationConfigurationTemplate: { Type: 'AWS::MGN::ReplicationConfigurationTemplate' as const, Properties: replicationProperties(replication) } } : {}),
      LaunchConfigurationTemplate: {
        Type: 'AWS::MGN::LaunchConfigurationTemplate',
        Properties: {
          LaunchDisposition: launch.launchDisposition ?? 'STARTED',
          TargetInstanceTypeRightSizingMethod: launch.rightSizing ?? 'NONE',
          CopyPrivateIp: launch.copyPrivateIp ?? false,
          CopyTags: launch.copyTags ?? true,
          AssociatePublicIpAddress: false,
          Licensing: { OsByol: launch.osByol ?? false },
          BootMode: launch.bootMode ?? 'USE_SOURCE',
          EnableMapAutoTagging: launch.enableMapAutoTagging ?? false,
          ...(launch.enableMapAutoTagging ? { MapAutoTaggingMpeID: launch.mapAutoTaggingMpeId } : {}),
          ...(post.length
            ? {
                PostLaunchActions: {
                  Deployment: post[0].deployment,
                  CloudWatchLogGroupName: launch.logGroupName,
                  SsmDocuments: post.map((d) => ({
                    ActionName: d.actionName,
                    SsmDocumentName: d.documentName,
                    TimeoutSeconds: d.timeoutSeconds ?? 3600,
                    MustSucceedForCutover: d.mustSucceedForCutover ?? true,
                    ...(d.parameters && Object.keys(d.parameters).length
                      ? { Parameters: Object.fromEntries(Object.entries(d.parameters).map(([k, name]) => [k, [{ ParameterType: 'STRING' as const, ParameterName: name }]])) }
                      : {}),
                  })),
                },
              }
            : {}),
        },
      },
    },
    Outputs: {
      ...(withReplication ? { ReplicationConfigurationTemplateId: { Description: 'ID of the replication configuration template', Value: { Ref: 'ReplicationConfigurationTemplate' } } } : {}),
      LaunchConfigurationTemplateId: { Description: 'ID of the launch configuration template', Value: { Ref: 'LaunchConfigurationTemplate' } },
    },
  };
}

/**
 * The replication settings: fully private (data plane routing PRIVATE_IP, the agent's "use private
 * IP", required with private endpoints), no public IP, no default MGN security group, EBS encryption
 * CUSTOM with the given key.
 */
export function replicationProperties(replication: ReplicationSettings): ReplicationConfigurationTemplateProperties {
  return {
    StagingAreaSubnetId: replication.stagingSubnetId,
    AssociateDefaultSecurityGroup: false,
    ReplicationServersSecurityGroupsIDs: replication.securityGroupIds,
    ReplicationServerInstanceType: replication.instanceType ?? 't3.small',
    UseDedicatedReplicationServer: replication.dedicatedReplicationServer ?? false,
    DefaultLargeStagingDiskType: replication.defaultLargeStagingDiskType ?? 'GP3',
    EbsEncryption: 'CUSTOM',
    EbsEncryptionKeyArn: replication.ebsKeyArn,
    BandwidthThrottling: replication.bandwidthThrottlingMbps ?? 0,
    DataPlaneRouting: 'PRIVATE_IP',
    CreatePublicIP: false,
    StagingAreaTags: replication.stagingAreaTags ?? {},
  };
}

/**
 * The same settings as input of the MGN API (CreateReplicationConfigurationTemplate), for Regions
 * whose CloudFormation does not have AWS::MGN::ReplicationConfigurationTemplate yet.
 */
export function replicationApiInput(replication: ReplicationSettings): Record<string, unknown> {
  const p = replicationProperties(replication);
  return {
    stagingAreaSubnetId: p.StagingAreaSubnetId,
    associateDefaultSecurityGroup: p.AssociateDefaultSecurityGroup,
    replicationServersSecurityGroupsIDs: p.ReplicationServersSecurityGroupsIDs,
    replicationServerInstanceType: p.ReplicationServerInstanceType,
    useDedicatedReplicationServer: p.UseDedicatedReplicationServer,
    defaultLargeStagingDiskType: p.DefaultLargeStagingDiskType,
    ebsEncryption: p.EbsEncryption,
    ebsEncryptionKeyArn: p.EbsEncryptionKeyArn,
    bandwidthThrottling: p.BandwidthThrottling,
    dataPlaneRouting: p.DataPlaneRouting,
    createPublicIP: p.CreatePublicIP,
    stagingAreaTags: p.StagingAreaTags,
  };
}

function validate(r: ReplicationSettings, l: LaunchSettings): void {
  const fail = (m: string) => {
    throw new Error(`MgnTemplates: ${m}`);
  };
  if (!r.securityGroupIds.length) fail('replication.securityGroupIds must name at least one security group (the default MGN group is not used)');
  const bw = r.bandwidthThrottlingMbps ?? 0;
  if (!Number.isInteger(bw) || bw < 0 || bw > 10_000) fail(`replication.bandwidthThrottlingMbps must be an integer from 0 to 10000, got ${bw}`);
  if (l.enableMapAutoTagging && !l.mapAutoTaggingMpeId) fail('launch.mapAutoTaggingMpeId is required when enableMapAutoTagging is true');
  const post = l.postLaunch ?? [];
  if (post.length > MAX_POST_LAUNCH_DOCUMENTS) fail(`launch.postLaunch has ${post.length} documents; MGN allows at most ${MAX_POST_LAUNCH_DOCUMENTS}`);
  if (post.length && !l.logGroupName) fail('launch.logGroupName is required with post-launch documents (their output is the audit trail)');
  const deployments = new Set(post.map((d) => d.deployment));
  if (deployments.size > 1) {
    const list = post.map((d) => `${d.actionName}: ${d.deployment}`).join(', ');
    fail(`MGN applies one deployment to every post-launch document of the launch configuration template; launch.postLaunch mixes them (${list}). Give all the same deployment.`);
  }
}

export interface MgnTemplatesProps {
  /** CloudFormation stack name. */
  readonly stackName: string;
  readonly replication: ReplicationSettings;
  readonly launch: LaunchSettings;
  /**
   * Put the replication template in the CloudFormation stack. Set false in a Region whose
   * CloudFormation lacks AWS::MGN::ReplicationConfigurationTemplate: `replicationCliCommand` then
   * holds the equivalent MGN API call.
   * @default true
   */
  readonly replicationInCloudFormation?: boolean;
  /** Region (for the CLI command). */
  readonly region: string;
  /** How long CloudFormation may take. @default 30 */
  readonly timeoutInMinutes?: number;
}

/**
 * The MGN replication and launch configuration templates. The AWS provider has no MGN resources, so
 * the templates are CloudFormation resources inside an aws_cloudformation_stack, built from the typed
 * model above.
 */
export class MgnTemplates extends Construct {
  public readonly template: MgnCfnTemplate;
  public readonly stack: CloudformationStack;
  /** `aws mgn create-replication-configuration-template` with the same settings. */
  public readonly replicationCliCommand: string;

  constructor(scope: Construct, id: string, props: MgnTemplatesProps) {
    super(scope, id);
    this.template = mgnTemplate(props.replication, props.launch, { replicationInTemplate: props.replicationInCloudFormation ?? true });
    this.replicationCliCommand = `aws mgn create-replication-configuration-template --region ${props.region} --cli-input-json '${JSON.stringify(replicationApiInput(props.replication))}'`;
    this.stack = new CloudformationStack(this, 'stack', {
      name: props.stackName,
      templateBody: JSON.stringify(this.template),
      onFailure: 'ROLLBACK',
      timeoutInMinutes: props.timeoutInMinutes ?? 30,
    });
  }
}
