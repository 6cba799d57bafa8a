import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { mgnTemplatesStackName, postLaunchParameterName } from '../../config/resource-names';
import { stagingAreaTags } from '../../config/resource-tags';
import { MgnTemplates, PostLaunchDocument } from '../constructs/mgn-templates';
import { FactoryStack, FactoryStackProps } from './factory-stack';
import { NetworkStack } from './network-stack';
import { SecurityStack } from './security-stack';

export interface MgnStackProps extends FactoryStackProps {
  /** Staging subnets and the replication security group (cross-stack references). */
  readonly network: NetworkStack;
  /** EBS keys and bootstrap documents (cross-stack references). */
  readonly security: SecurityStack;
}

/**
 * MGN replication and launch configuration templates, and the Parameter Store values the post-launch
 * documents read (MGN passes document parameters only from Parameter Store).
 */
export class MgnStack extends FactoryStack {
  public readonly templates: MgnTemplates;

  constructor(scope: Construct, props: MgnStackProps) {
    super(scope, 'mgn', props);
    const c = this.config;
    const rep = c.mgn.replication;
    const keyAccount = rep.encryptionKeyAccount ?? c.accounts.targets[0].name;
    const key = props.security.ebsKeys[keyAccount];
    if (!key) throw new Error(`mgn.replication.encryptionKeyAccount: "${keyAccount}" is not in accounts.targets (${Object.keys(props.security.ebsKeys).join(', ')})`);
    const subnetName = rep.stagingSubnet ?? props.network.stagingSubnets[0].name;
    const subnet = props.network.stagingSubnets.find((s) => s.name === subnetName);
    if (!subnet) throw new Error(`mgn.replication.stagingSubnet: "${subnetName}" is not in network.stagingSubnets (${props.network.stagingSubnets.map((s) => s.name).join(', ')})`);

    const postLaunch: PostLaunchDocument[] = c.bootstrap.postLaunch.map((p) => {
      const documentName = props.security.bootstrap.documentNames[p.document];
      if (!documentName) throw new Error(`bootstrap.postLaunch: document "${p.document}" is not deployed by the security stack`);
      const parameters = Object.fromEntries(
        Object.entries(p.parameters).map(([param, values]) => {
          const ssm = new SsmParameter(this, `param-${p.document}-${param}`, {
            name: postLaunchParameterName(c.name, p.document, param),
            type: 'String',
            // The documents take comma-separated lists in String parameters.
            value: values.join(','),
            description: `${p.document} parameter ${param} (MGN post-launch action)`,
          });
          return [param, ssm.name];
        }),
      );
      return { actionName: p.document, documentName, deployment: p.deployment, mustSucceedForCutover: p.mustSucceedForCutover, parameters, timeoutSeconds: c.mgn.launch.postLaunchTimeoutSeconds };
    });

    this.templates = new MgnTemplates(this, 'templates', {
      stackName: mgnTemplatesStackName(c.name),
      region: c.region,
      replicationInCloudFormation: rep.inCloudFormation,
      replication: {
        stagingSubnetId: subnet.subnetId,
        securityGroupIds: [props.network.replicationSecurityGroupId],
        ebsKeyArn: key.keyArn,
        instanceType: rep.replicationServerInstanceType,
        dedicatedReplicationServer: rep.useDedicatedReplicationServer,
        defaultLargeStagingDiskType: rep.defaultLargeStagingDiskType,
        bandwidthThrottlingMbps: rep.bandwidthThrottlingMbps,
        stagingAreaTags: stagingAreaTags(c),
      },
      launch: {
        launchDisposition: c.mgn.launch.launchDisposition,
        rightSizing: c.mgn.launch.targetInstanceTypeRightSizingMethod,
        copyPrivateIp: c.mgn.launch.copyPrivateIp,
        copyTags: c.mgn.launch.copyTags,
        osByol: c.mgn.launch.osByol,
        bootMode: c.mgn.launch.bootMode,
        enableMapAutoTagging: c.mgn.launch.enableMapAutoTagging,
        mapAutoTaggingMpeId: c.mgn.launch.mapAutoTaggingMpeId,
        postLaunch,
        logGroupName: c.bootstrap.logGroupName,
      },
    });
    if (!rep.inCloudFormation) {
      new TerraformOutput(this, 'replication_template_command', {
        value: this.templates.replicationCliCommand,
        description: 'Run once (update-replication-configuration-template afterwards): this Region\'s CloudFormation lacks AWS::MGN::ReplicationConfigurationTemplate',
      });
    }
    new TerraformOutput(this, 'mgn_templates_stack_id', { value: this.templates.stack.id, description: 'CloudFormation stack holding the MGN templates' });
  }
}
