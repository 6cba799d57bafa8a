import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsPrefixList } from '@cdktf/provider-aws/lib/data-aws-prefix-list';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { DataAwsSubnet } from '@cdktf/provider-aws/lib/data-aws-subnet';
import { Fn, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { interfaceEndpointPolicy, s3EndpointPolicy, stagingS3Buckets } from '../constructs/endpoint-policies';
import { ResolverInboundEndpoint } from '../constructs/resolver-inbound-endpoint';
import { StagingSecurityGroups } from '../constructs/staging-security-groups';
import { InterfaceEndpointKey, InterfaceEndpointService, VpcEndpoints } from '../constructs/vpc-endpoints';
import { ServiceRole } from '../constructs/automation/service-role';
import { estateNames } from './estate-names';
import { stagingNetworkNames } from '../../config/resource-names';
import { stagingSubnetTags } from '../../config/resource-tags';
import { FactoryStack, FactoryStackProps } from './factory-stack';

/** What VPC Flow Logs does as its delivery role: write into the flow log group. */
export const FLOW_LOG_ROLE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'] as const;

export interface NetworkStackProps extends FactoryStackProps {
  /** Key that encrypts the flow log group (SecurityStack.estateKeyArn). @default CloudWatch Logs' own encryption */
  readonly estateKeyArn?: string;
  /** Days the flow logs are kept. @default 365 */
  readonly flowLogRetentionDays?: number;
}

/** A staging subnet as other stacks see it: created or existing, always with an ID and a route table. */
export interface StagingSubnetRef {
  readonly name: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  /** Route table of the subnet (created, or given for an existing subnet: validate requires it). */
  readonly routeTableId: string;
  /** CIDR of the subnet: created or given, else read from the existing subnet (a token then). */
  readonly cidr: string;
}

/** The interface endpoints every staging network has: what the agents and replication servers need. */
export const REQUIRED_ENDPOINTS: readonly InterfaceEndpointKey[] = ['mgn', 'ec2', 's3'];

/**
 * The private staging network MGN replicates into: the VPC (created, or existing by ID), the staging
 * subnets in at least two Availability Zones with their route tables, the security groups, the
 * interface endpoints and the S3 gateway endpoint, and the Route 53 Resolver inbound endpoint
 * through which on-premises DNS resolves the endpoints' private names.
 */
export class NetworkStack extends FactoryStack {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly stagingSubnets: StagingSubnetRef[];
  public readonly securityGroups: StagingSecurityGroups;
  public readonly endpoints: VpcEndpoints;
  public readonly resolver: ResolverInboundEndpoint;
  /** Security group of the replication servers (for the MGN replication template). */
  public readonly replicationSecurityGroupId: string;

  constructor(scope: Construct, props: NetworkStackProps) {
    super(scope, 'network', props);
    const net = this.config.network;
    const names = stagingNetworkNames(this.config.name);

    if ('create' in net.vpc) {
      const vpc = new Vpc(this, 'staging-vpc', {
        cidrBlock: net.vpc.create.cidr,
        // Interface endpoints with private DNS need both.
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: { Name: names.vpc },
      });
      this.vpcId = vpc.id;
      this.vpcCidr = net.vpc.create.cidr;
      // The default group of a created VPC: no rule at all (Terraform takes it over and removes AWS's
      // allow-all-within-the-group and all-egress rules); nothing of the estate uses it.
      new DefaultSecurityGroup(this, 'default-security-group', { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${names.vpc}-default (unused, no rules)` } });
      this.stagingSubnets = net.stagingSubnets.map((s) => {
        const subnet = new Subnet(this, `subnet-${s.name}`, {
          vpcId: vpc.id,
          cidrBlock: s.cidr!,
          availabilityZone: s.availabilityZone,
          mapPublicIpOnLaunch: false,
          tags: stagingSubnetTags(names.subnet(s.name), s.name),
        });
        // A private route table per subnet: only the VPC-local route and the S3 gateway endpoint.
        const rt = new RouteTable(this, `rt-${s.name}`, { vpcId: vpc.id, tags: { Name: names.subnet(s.name) } });
        new RouteTableAssociation(this, `rta-${s.name}`, { subnetId: subnet.id, routeTableId: rt.id });
        return { name: s.name, availabilityZone: s.availabilityZone, subnetId: subnet.id, routeTableId: rt.id, cidr: s.cidr! };
      });
    } else {
      this.vpcId = net.vpc.existing.vpcId;
      this.vpcCidr = net.vpc.existing.cidr;
      this.stagingSubnets = net.stagingSubnets.map((s) => {
        // validate refuses this for an estate file; the stack guards a config built without it.
        if (!s.routeTableId) throw new Error(`network.stagingSubnets: ${s.name} has no routeTableId; the S3 gateway endpoint goes on every staging route table`);
        return {
          name: s.name,
          availabilityZone: s.availabilityZone,
          subnetId: s.subnetId!,
          routeTableId: s.routeTableId,
          // Endpoint ingress is from the staging subnets only, not the whole VPC: without a configured
          // CIDR, the subnet's own is read.
          cidr: s.cidr ?? new DataAwsSubnet(this, `subnet-${s.name}`, { id: s.subnetId! }).cidrBlock,
        };
      });
    }

    const region = this.config.region;
    const accounts = [...new Set([this.config.accounts.staging, ...this.config.accounts.targets.map((t) => t.accountId)])];
    const buckets = stagingS3Buckets(region, { al2023RepositoryBucket: net.endpoints.al2023RepositoryBucket, extra: net.endpoints.extraS3Buckets });
    const routeTableIds = [...new Set(this.stagingSubnets.map((s) => s.routeTableId))];
    const stagingCidrs = [...new Set(this.stagingSubnets.map((s) => s.cidr))];
    // The AWS-managed prefix list of S3 in this Region: the destination of the replication servers'
    // HTTPS to S3 through the gateway endpoint.
    const s3PrefixList = new DataAwsPrefixList(this, 's3-prefix-list', { name: `com.amazonaws.${region}.s3` });
    this.securityGroups = new StagingSecurityGroups(this, 'security-groups', {
      vpcId: this.vpcId,
      namePrefix: names.securityGroupPrefix,
      sourceCidrs: net.onPremises.sourceCidrs,
      stagingCidrs,
      onPremDnsServers: net.onPremises.dnsServers,
      customDnsServers: net.customDnsServers,
      s3PrefixListId: s3PrefixList.id,
    });
    this.replicationSecurityGroupId = this.securityGroups.replication.id;

    const keys: InterfaceEndpointKey[] = [...new Set([...REQUIRED_ENDPOINTS, ...net.endpoints.optional])];
    this.endpoints = new VpcEndpoints(this, 'endpoints', {
      vpcId: this.vpcId,
      region,
      defaults: {
        subnetIds: this.stagingSubnets.map((s) => s.subnetId),
        securityGroupIds: [this.securityGroups.endpoints.id],
        privateDns: net.endpoints.privateDns,
      },
      interfaceEndpoints: Object.fromEntries(
        keys.map((k) => [k, { policy: net.endpoints.scopedPolicies ? interfaceEndpointPolicy(InterfaceEndpointService.of(k), region, accounts, buckets) : undefined }]),
      ),
      s3Gateway: { routeTableIds, policy: net.endpoints.scopedPolicies ? s3EndpointPolicy(buckets, accounts) : undefined },
    });

    const byName = new Map(this.stagingSubnets.map((s) => [s.name, s]));
    const resolverSubnets = (net.resolverSubnets ?? this.stagingSubnets.map((s) => s.name)).map((n) => {
      const s = byName.get(n);
      if (!s) throw new Error(`network.resolverSubnets: "${n}" is not a staging subnet (${[...byName.keys()].join(', ')})`);
      return s;
    });
    this.resolver = new ResolverInboundEndpoint(this, 'resolver', {
      name: names.resolverEndpoint,
      subnets: resolverSubnets.map((s) => ({ subnetId: s.subnetId, availabilityZone: s.availabilityZone })),
      securityGroupIds: [this.securityGroups.resolver.id],
    });

    this.flowLogs(props);
    new TerraformOutput(this, 'staging_vpc_id', { value: this.vpcId, description: 'ID of the MGN staging VPC' });
    new TerraformOutput(this, 'staging_subnet_ids', {
      value: Object.fromEntries(this.stagingSubnets.map((s) => [s.name, s.subnetId])),
      description: 'Staging subnet IDs by name',
    });
    this.addOutputs(keys);
  }

  /**
   * Flow logs of the staging VPC (accepted and rejected traffic of the replication servers, the
   * endpoints and the Resolver) into a log group under the estate's key, through a delivery role only
   * VPC Flow Logs of this account may assume.
   */
  private flowLogs(props: NetworkStackProps): void {
    const c = this.config;
    const names = estateNames(c);
    const group = new CloudwatchLogGroup(this, 'flow-log-group', { name: names.flowLogGroup, retentionInDays: props.flowLogRetentionDays ?? 365, kmsKeyId: props.estateKeyArn });
    const role = new ServiceRole(this, 'flow-log-role', {
      name: names.flowLogRole,
      service: 'vpc-flow-logs.amazonaws.com',
      accountId: c.accounts.staging,
      sourceArns: [`arn:aws:ec2:${c.region}:${c.accounts.staging}:vpc-flow-log/*`],
      permissionsBoundary: `arn:aws:iam::${c.accounts.staging}:policy/${names.boundaryPolicy}`,
      description: `rehost-factory: VPC Flow Logs of ${c.name}'s staging VPC`,
      statements: [
        { Sid: 'DeliverFlowLogs', Effect: 'Allow', Action: FLOW_LOG_ROLE_ACTIONS.filter((a) => a !== 'logs:DescribeLogGroups'), Resource: [group.arn, `${group.arn}:*`] },
        // DescribeLogGroups has no resource type: it is granted on * or not at all.
        { Sid: 'FindLogGroup', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
      ],
    });
    new FlowLog(this, 'flow-log', { vpcId: this.vpcId, trafficType: 'ALL', logDestinationType: 'cloud-watch-logs', logDestination: group.arn, iamRoleArn: role.arn, maxAggregationInterval: 600 });
    new TerraformOutput(this, 'flow_log_group', { value: group.name, description: 'CloudWatch Logs group of the staging VPC\'s flow logs' });
  }

  /** Outputs a network team can act on. */
  private addOutputs(keys: InterfaceEndpointKey[]): void {
    const region = this.config.region;
    new TerraformOutput(this, 'security_group_ids', {
      value: { replication: this.securityGroups.replication.id, endpoints: this.securityGroups.endpoints.id, resolver_inbound: this.securityGroups.resolver.id },
      description: 'Security groups of the staging network',
    });
    new TerraformOutput(this, 'interface_endpoint_dns_names', {
      value: Object.fromEntries(keys.map((k) => [k, this.endpoints.dnsName(k)])),
      description: 'Endpoint-specific Regional DNS name of each interface endpoint (resolvable from anywhere)',
    });
    new TerraformOutput(this, 's3_gateway_endpoint_id', { value: this.endpoints.s3Gateway!.id, description: 'S3 gateway endpoint on the staging route tables' });
    new TerraformOutput(this, 'resolver_inbound_ips', { value: this.resolver.ipAddresses, description: 'IPs of the Route 53 Resolver inbound endpoint: the forwarders of on-premises DNS' });
    // Without private DNS the Regional names do not resolve to the endpoints, not even through the
    // inbound endpoint: forwarding them would only return the public answers. On-premises clients
    // then use the endpoint-specific names of interface_endpoint_dns_names.
    if (this.config.network.endpoints.privateDns) {
      const forwarded = keys.map((k) => InterfaceEndpointService.of(k)).filter((s) => s.usedFromOnPremises);
      new TerraformOutput(this, 'dns_forwarding_table', {
        value: forwarded.map((s) => ({ domain: s.privateDnsName(region), forward_to: this.resolver.ipAddresses, port: 53, protocols: 'TCP and UDP' })),
        description: 'Conditional forwarders to configure on the on-premises DNS servers',
      });
    }
    const mgn = `https://${this.endpoints.dnsName('mgn')}`;
    // The S3 interface endpoint's DNS entry is a wildcard (*.vpce-...); clients address it as bucket.vpce-...
    const s3 = `https://${Fn.replace(this.endpoints.dnsName('s3'), '*', 'bucket')}`;
    const installer = `${s3}/aws-application-migration-service-${region}/latest`;
    new TerraformOutput(this, 'agent_install_commands', {
      value: {
        linux: `wget -O ./aws-replication-installer-init ${installer}/linux/aws-replication-installer-init && chmod +x ./aws-replication-installer-init && sudo ./aws-replication-installer-init --region ${region} --endpoint ${mgn} --s3-endpoint ${s3}`,
        windows: `Invoke-WebRequest -Uri ${installer}/windows/AwsReplicationWindowsInstaller.exe -OutFile .\\AwsReplicationWindowsInstaller.exe; .\\AwsReplicationWindowsInstaller.exe --region ${region} --endpoint ${mgn} --s3-endpoint ${s3}`,
      },
      description: 'Replication agent install command lines that use the private endpoints (replication settings must use private IP)',
    });
  }
}
