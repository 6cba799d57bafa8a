import * as z from 'zod';
import { availabilityZone, cidr, ipv4, name, routeTableId, subnetId, vpcId } from '../primitives';

/** A subnet of the staging VPC: created from a CIDR, or an existing one by ID. */
const stagingSubnet = z
  .object({
    name: name.describe('Name used to refer to this subnet elsewhere in factory.yaml'),
    availabilityZone: availabilityZone.describe('Availability Zone of the subnet'),
    cidr: cidr.optional().describe('CIDR of a subnet to create (created VPC only); for an existing subnet, read from AWS when not given'),
    subnetId: subnetId.optional().describe('ID of an existing subnet (existing VPC only)'),
    routeTableId: routeTableId
      .optional()
      .describe('Route table of an existing subnet (required in an existing VPC): the S3 gateway endpoint that replication servers reach S3 through is attached to every staging route table'),
  })
  .strict();

/** A VPC of a target account, declared so that its subnets' CIDRs can be checked against it. */
const targetVpc = z
  .object({
    name: name.describe('Name used by target subnets (vpc)'),
    vpcId: vpcId.describe('ID of the existing target VPC'),
    cidrs: z.array(cidr).min(1).describe('CIDR blocks of the VPC (primary and secondary)'),
  })
  .strict();

/** A subnet in the target VPC where test and cutover instances launch. */
const targetSubnet = z
  .object({
    name: name.describe('Name used by server placements'),
    subnetId: subnetId.describe('ID of the existing target subnet'),
    vpc: name.optional().describe('Name of its VPC in network.targetVpcs: its CIDR must lie inside the VPC, and subnets of different VPCs may overlap. @default unknown'),
    availabilityZone: availabilityZone.optional().describe('Availability Zone, used by preflight checks'),
    cidr: cidr.optional().describe('CIDR of the subnet, used to check fixed private IPs'),
  })
  .strict();

const interfaceEndpointService = z.enum(['mgn', 'ec2', 's3', 'ssm', 'ssmmessages', 'ec2messages', 'logs', 'kms', 'sts']);

export const networkSection = z
  .object({
    vpc: z
      .union([
        z.object({ create: z.object({ cidr: cidr.describe('CIDR of the staging VPC to create') }).strict() }).strict(),
        z.object({ existing: z.object({ vpcId: vpcId.describe('ID of the existing staging VPC'), cidr: cidr.describe('Primary CIDR of that VPC') }).strict() }).strict(),
      ], { error: 'expected either "create: { cidr }" or "existing: { vpcId, cidr }"' })
      .describe('The staging VPC: create one, or use an existing one by ID'),
    stagingSubnets: z.array(stagingSubnet).min(1).describe('Subnets for MGN replication servers and the private endpoints, in ≥ 2 AZs'),
    resolverSubnets: z
      .array(name)
      .min(2, 'expected at least 2 subnet names: a resolver inbound endpoint needs 2 IPs in 2 AZs')
      .optional()
      .describe('Names of staging subnets for the Route 53 Resolver inbound endpoint (≥ 2, in ≥ 2 AZs). @default all staging subnets'),
    targetVpcs: z.array(targetVpc).default([]).describe('VPCs of the target subnets, when known. @default none'),
    targetSubnets: z.array(targetSubnet).default([]).describe('Subnets where test and cutover instances launch; their CIDRs must not overlap unless they are in different declared VPCs'),
    onPremises: z
      .object({
        sourceCidrs: z.array(cidr).min(1).describe('CIDRs of the source servers that replicate (TCP 1500 and 443 in)'),
        dnsServers: z.array(ipv4).min(1).describe('On-premises DNS servers that forward to the resolver inbound endpoint'),
      })
      .strict()
      .describe('The on-premises side of the migration'),
    customDnsServers: z
      .array(ipv4)
      .default([])
      .describe('DNS servers other than the VPC resolver that replication and conversion servers use; their security group then allows TCP and UDP 53 out to them. @default none (the VPC resolver)'),
    endpoints: z
      .object({
        optional: z
          .array(interfaceEndpointService)
          .default(['ssm', 'ssmmessages', 'ec2messages', 'logs', 'kms', 'sts'])
          .describe('Interface endpoints of the staging VPC beyond mgn, ec2 and s3 (always created); they do not serve the target VPCs, which need their own for post-launch actions. @default ssm, ssmmessages, ec2messages, logs, kms, sts'),
        scopedPolicies: z.boolean().default(true).describe('Attach least-privilege endpoint policies. @default true'),
        privateDns: z
          .boolean()
          .default(true)
          .describe('Private DNS on the interface endpoints, so the Regional service names resolve to them in the VPC and, through the Resolver inbound endpoint, on-premises (S3: for inbound-resolver queries only, the VPC keeps the gateway endpoint). @default true'),
        al2023RepositoryBucket: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name')
          .optional()
          .describe('The Amazon Linux 2023 repository bucket replication servers update from (allowed by the S3 gateway endpoint policy). @default al2023-repos-<region>-de612dc2'),
        extraS3Buckets: z
          .array(z.string().regex(/^[a-z0-9][a-z0-9.*-]{1,61}[a-z0-9*]$/, 'expected an S3 bucket name (wildcards allowed)'))
          .default([])
          .describe('More buckets the S3 endpoint policies allow, beyond the MGN, SSM and AL2023 buckets'),
      })
      .strict()
      .prefault({})
      .describe('Private endpoints of the staging VPC'),
  })
  .strict();

export type NetworkConfig = z.infer<typeof networkSection>;
