import * as z from 'zod';
import { characterCount } from '../aws-tags';
import { ec2Tags, instanceType, ipv4, name, securityGroupId, sourceServerId } from '../primitives';

export const placement = z
  .object({
    subnet: name.describe('Name of a target subnet declared in network.targetSubnets'),
    securityGroups: z.array(securityGroupId).min(1).max(5).describe('Security group IDs (1-5)'),
    instanceType: instanceType.describe('EC2 instance type'),
    instanceProfile: z.string().regex(/^[\w+=,.@-]{1,128}$/, 'expected an IAM instance profile name').optional().describe('IAM instance profile name'),
    privateIp: ipv4.optional().describe('Fixed private IP in the subnet'),
    tags: ec2Tags.default({}).describe('Tags on the launched instance'),
  })
  .strict();

export const server = z
  .object({
    name: name.describe('Server name, unique in the estate'),
    hostname: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/, 'expected a host name (letters, digits, hyphens)').optional().describe('Host name as the source reports it'),
    fqdn: z.string().regex(/^([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$/, 'expected a fully qualified domain name, e.g. "web01.corp.example.com"').optional().describe('Fully qualified domain name'),
    ipAddress: ipv4.optional().describe('Source IP address, used to match servers without identification hints'),
    sourceServerId: sourceServerId.optional().describe('MGN source server ID, when known'),
    os: z.enum(['linux', 'windows']).describe('Operating system family'),
    targetAccount: name.optional().describe('Name of the target account. @default the first target account'),
    test: placement.describe('Placement of the test instance'),
    cutover: placement.describe('Placement of the cutover instance'),
    tags: ec2Tags.default({}).describe('Tags for this server'),
  })
  .strict();

/** MGN keeps a wave's and an application's description: at most 600 characters, no NUL. */
const mgnDescription = z
  .string()
  .refine((d) => characterCount(d) <= 600, { error: (issue) => `MGN keeps at most 600 characters of a description; this one has ${characterCount(String(issue.input))}` })
  .describe('Description, also in MGN (at most 600 characters)');

export const application = z
  .object({
    name: name.describe('Application name, unique in the estate'),
    description: mgnDescription.optional(),
    servers: z.array(server).min(1).describe('Servers of this application'),
  })
  .strict();

export const wave = z
  .object({
    name: name.describe('Wave name, unique in the estate'),
    description: mgnDescription.optional(),
    applications: z.array(application).min(1).describe('Applications migrated in this wave'),
  })
  .strict();

export const wavesSection = z.array(wave).min(1).describe('Waves → applications → servers');
