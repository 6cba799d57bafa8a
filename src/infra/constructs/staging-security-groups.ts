import { SecurityGroup, SecurityGroupEgress, SecurityGroupIngress } from '@cdktf/provider-aws/lib/security-group';
import { Construct } from 'constructs';
import { stagingSecurityGroupNames } from '../../config/resource-names';

export interface StagingSecurityGroupsProps {
  /** The staging VPC. */
  readonly vpcId: string;
  /** Prefix of the group names. */
  readonly namePrefix: string;
  /** CIDRs of the on-premises source servers (TCP 1500 and 443 in). */
  readonly sourceCidrs: string[];
  /** CIDRs of the staging subnets (443 in to the endpoints from replication and conversion servers). */
  readonly stagingCidrs: string[];
  /** On-premises DNS servers that query the Resolver inbound endpoint (TCP and UDP 53 in). */
  readonly onPremDnsServers: string[];
  /**
   * DNS servers, other than the VPC resolver, that replication servers use (TCP and UDP 53 out).
   * @default none: the VPC resolver at VPC+2 is reachable without a rule
   */
  readonly customDnsServers?: string[];
  /**
   * Prefix list of the S3 gateway endpoint (443 out to S3 through the gateway).
   * @default no S3 rule
   */
  readonly s3PrefixListId?: string;
}

const ANYWHERE = ['0.0.0.0/0', '::/0'];

/**
 * The three security groups of the private staging network:
 * - replication servers: TCP 1500 in from the source servers; 443 out to the interface endpoints and
 *   to S3 through the gateway endpoint; TCP and UDP 53 out to custom DNS servers when used;
 * - interface endpoints: 443 in from the source servers and from the staging subnets;
 * - Resolver inbound endpoint: TCP and UDP 53 in from the on-premises DNS servers.
 * No rule admits 0.0.0.0/0: the constructor refuses such a CIDR.
 */
export class StagingSecurityGroups extends Construct {
  public readonly replication: SecurityGroup;
  public readonly endpoints: SecurityGroup;
  public readonly resolver: SecurityGroup;

  constructor(scope: Construct, id: string, props: StagingSecurityGroupsProps) {
    super(scope, id);
    for (const [field, cidrs] of [['sourceCidrs', props.sourceCidrs], ['stagingCidrs', props.stagingCidrs]] as const) {
      if (!cidrs.length) throw new Error(`StagingSecurityGroups: ${field} must name at least one CIDR`);
      const open = cidrs.find((c) => ANYWHERE.includes(c));
      if (open) throw new Error(`StagingSecurityGroups: ${field} must not contain ${open}: no security group of the staging network admits the whole internet`);
    }
    if (!props.onPremDnsServers.length) throw new Error('StagingSecurityGroups: onPremDnsServers must name at least one DNS server');
    const hosts = (ips: string[]) => ips.map((ip) => `${ip}/32`);
    const names = stagingSecurityGroupNames(props.namePrefix);

    this.endpoints = new SecurityGroup(this, 'endpoints', {
      vpcId: props.vpcId,
      name: names.endpoints,
      description: 'MGN staging: interface endpoints, HTTPS from source servers and staging subnets',
      ingress: [
        rule('HTTPS from on-premises source servers', 'tcp', 443, props.sourceCidrs),
        rule('HTTPS from staging subnets', 'tcp', 443, props.stagingCidrs),
      ],
      egress: [],
      tags: { Name: names.endpoints },
    });

    const egress: SecurityGroupEgress[] = [
      { ...rule('HTTPS to the interface endpoints', 'tcp', 443, []), securityGroups: [this.endpoints.id] },
    ];
    if (props.s3PrefixListId) egress.push({ ...rule('HTTPS to S3 through the gateway endpoint', 'tcp', 443, []), prefixListIds: [props.s3PrefixListId] });
    if (props.customDnsServers?.length) {
      egress.push(rule('DNS (TCP) to custom DNS servers', 'tcp', 53, hosts(props.customDnsServers)), rule('DNS (UDP) to custom DNS servers', 'udp', 53, hosts(props.customDnsServers)));
    }
    this.replication = new SecurityGroup(this, 'replication', {
      vpcId: props.vpcId,
      name: names.replication,
      description: 'MGN staging: replication and conversion servers',
      ingress: [rule('Replication data from on-premises source servers', 'tcp', 1500, props.sourceCidrs)],
      egress,
      tags: { Name: names.replication },
    });

    this.resolver = new SecurityGroup(this, 'resolver', {
      vpcId: props.vpcId,
      name: names.resolver,
      description: 'MGN staging: Route 53 Resolver inbound endpoint, DNS from on-premises DNS servers',
      ingress: [
        rule('DNS (TCP) from on-premises DNS servers', 'tcp', 53, hosts(props.onPremDnsServers)),
        rule('DNS (UDP) from on-premises DNS servers', 'udp', 53, hosts(props.onPremDnsServers)),
      ],
      egress: [],
      tags: { Name: names.resolver },
    });
  }
}

/**
 * One inline rule with every attribute set: inline rules are compared as whole objects, and an
 * attribute left unset reads back as [] or false, which would show as a change on every plan.
 */
function rule(description: string, protocol: 'tcp' | 'udp', port: number, cidrBlocks: string[]): SecurityGroupIngress & SecurityGroupEgress {
  return { description, protocol, fromPort: port, toPort: port, cidrBlocks, ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [], selfAttribute: false };
}
