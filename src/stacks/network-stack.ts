import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { FactoryStack, FactoryStackProps } from './factory-stack';

/** A staging subnet as other stacks see it: created or existing, always with an ID and a route table. */
export interface StagingSubnetRef {
  readonly name: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  /** Route table of the subnet; undefined for an existing subnet whose route table was not given. */
  readonly routeTableId?: string;
}

/**
 * The private staging network MGN replicates into: the VPC (created, or existing by ID) and the
 * staging subnets in at least two Availability Zones with their route tables.
 */
export class NetworkStack extends FactoryStack {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly stagingSubnets: StagingSubnetRef[];

  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'network', props);
    const net = this.config.network;
    const prefix = this.config.name;

    if ('create' in net.vpc) {
      const vpc = new Vpc(this, 'staging-vpc', {
        cidrBlock: net.vpc.create.cidr,
        // Interface endpoints with private DNS need both.
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: { Name: `${prefix}-mgn-staging` },
      });
      this.vpcId = vpc.id;
      this.vpcCidr = net.vpc.create.cidr;
      this.stagingSubnets = net.stagingSubnets.map((s) => {
        const subnet = new Subnet(this, `subnet-${s.name}`, {
          vpcId: vpc.id,
          cidrBlock: s.cidr!,
          availabilityZone: s.availabilityZone,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${prefix}-${s.name}`, 'rehost-factory:subnet': s.name },
        });
        // A private route table per subnet: only the VPC-local route and the S3 gateway endpoint.
        const rt = new RouteTable(this, `rt-${s.name}`, { vpcId: vpc.id, tags: { Name: `${prefix}-${s.name}` } });
        new RouteTableAssociation(this, `rta-${s.name}`, { subnetId: subnet.id, routeTableId: rt.id });
        return { name: s.name, availabilityZone: s.availabilityZone, subnetId: subnet.id, routeTableId: rt.id };
      });
    } else {
      this.vpcId = net.vpc.existing.vpcId;
      this.vpcCidr = net.vpc.existing.cidr;
      this.stagingSubnets = net.stagingSubnets.map((s) => ({
        name: s.name,
        availabilityZone: s.availabilityZone,
        subnetId: s.subnetId!,
        routeTableId: s.routeTableId,
      }));
    }

    new TerraformOutput(this, 'staging_vpc_id', { value: this.vpcId, description: 'ID of the MGN staging VPC' });
    new TerraformOutput(this, 'staging_subnet_ids', {
      value: Object.fromEntries(this.stagingSubnets.map((s) => [s.name, s.subnetId])),
      description: 'Staging subnet IDs by name',
    });
  }
}
