import * as z from 'zod';
import { ec2Tags, instanceType, name } from '../primitives';

export const replicationSection = z
  .object({
    replicationServerInstanceType: instanceType.default('t3.small').describe('Instance type of replication servers. @default t3.small'),
    useDedicatedReplicationServer: z.boolean().default(false).describe('One replication server per source server. @default false'),
    defaultLargeStagingDiskType: z.enum(['GP2', 'GP3', 'ST1']).default('GP3').describe('Staging disk type for large disks. @default GP3'),
    bandwidthThrottlingMbps: z.number().int().min(0).max(10_000).default(0).describe('Replication bandwidth cap per server in Mbps, 0 = none. @default 0'),
    stagingAreaTags: ec2Tags.default({}).describe('Tags on staging resources'),
    inCloudFormation: z
      .boolean()
      .default(true)
      .describe('Manage the replication template as AWS::MGN::ReplicationConfigurationTemplate in the mgn stack; false where CloudFormation lacks that type (the mgn stack then outputs the equivalent aws mgn command). @default true'),
    stagingSubnet: name.optional().describe('Staging subnet (by name) of the replication servers. @default the first staging subnet'),
    encryptionKeyAccount: name
      .optional()
      .describe('Target account (by name) whose EBS key encrypts staging and launched volumes; changing it after replication started forces a full resync. @default the first target account'),
  })
  .strict()
  .describe('MGN replication defaults (the replication configuration template)');

export const launchSection = z
  .object({
    launchDisposition: z.enum(['STOPPED', 'STARTED']).default('STARTED').describe('State of launched instances. @default STARTED'),
    targetInstanceTypeRightSizingMethod: z.enum(['NONE', 'BASIC']).default('NONE').describe('Let MGN choose the instance type. @default NONE (use the placement)'),
    copyPrivateIp: z.boolean().default(false).describe('Give the launched instance the source IP. @default false'),
    copyTags: z.boolean().default(true).describe('Copy source server tags to the instance. @default true'),
    osByol: z.boolean().default(false).describe('Bring your own OS licence. @default false (license included)'),
    bootMode: z.enum(['LEGACY_BIOS', 'UEFI', 'USE_SOURCE']).default('USE_SOURCE').describe('Boot mode. @default USE_SOURCE'),
    enableMapAutoTagging: z.boolean().default(false).describe('Tag with a MAP migration ID. @default false'),
    mapAutoTaggingMpeId: z.string().optional().describe('MAP migration ID when enableMapAutoTagging is true'),
    postLaunchTimeoutSeconds: z.number().int().min(120).max(10_800).default(3600).describe('Timeout of each post-launch SSM document. @default 3600'),
  })
  .strict()
  .describe('MGN launch defaults (the launch configuration template)');

export const mgnSection = z
  .object({
    replication: replicationSection.prefault({}),
    launch: launchSection.prefault({}),
  })
  .strict();
