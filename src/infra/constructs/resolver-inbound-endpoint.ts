import { Route53ResolverEndpoint } from '@cdktf/provider-aws/lib/route53-resolver-endpoint';
import { Construct } from 'constructs';

export interface ResolverSubnet {
  readonly subnetId: string;
  readonly availabilityZone: string;
  /** Fixed IP in the subnet. @default assigned by AWS */
  readonly ip?: string;
}

export interface ResolverInboundEndpointProps {
  readonly name: string;
  /** Subnets of the endpoint's IPs: at least 2, spread over at least 2 Availability Zones. */
  readonly subnets: ResolverSubnet[];
  /** Security groups; they must admit TCP and UDP 53 from the on-premises DNS servers. */
  readonly securityGroupIds: string[];
}

/**
 * A Route 53 Resolver inbound endpoint: on-premises DNS forwards the private names of the
 * interface endpoints here, and gets the endpoints' private IPs back.
 */
export class ResolverInboundEndpoint extends Construct {
  public readonly endpoint: Route53ResolverEndpoint;
  /** The endpoint's IP addresses (known after apply), as a Terraform list expression. */
  public readonly ipAddresses: string;

  constructor(scope: Construct, id: string, props: ResolverInboundEndpointProps) {
    super(scope, id);
    if (props.subnets.length < 2) throw new Error(`ResolverInboundEndpoint: subnets must have at least 2 entries (a Resolver endpoint needs 2 IPs), got ${props.subnets.length}`);
    const azs = new Set(props.subnets.map((s) => s.availabilityZone));
    if (azs.size < 2) throw new Error(`ResolverInboundEndpoint: subnets must span at least 2 Availability Zones, all are in ${[...azs][0]}`);
    if (!props.securityGroupIds.length) throw new Error('ResolverInboundEndpoint: securityGroupIds must name at least one security group');
    this.endpoint = new Route53ResolverEndpoint(this, 'endpoint', {
      name: props.name,
      direction: 'INBOUND',
      securityGroupIds: props.securityGroupIds,
      ipAddress: props.subnets.map((s) => ({ subnetId: s.subnetId, ip: s.ip })),
      tags: { Name: props.name },
    });
    this.ipAddresses = `\${[for a in ${this.endpoint.fqn}.ip_address : a.ip]}`;
  }
}
