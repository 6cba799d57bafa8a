import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT } from '../../support/tools';
import { JsonSchema } from './json-schema';

/**
 * The official schemas of the two MGN resource types, which cfn-lint 1.51 does not know (E3006).
 *
 * AWS::MGN::LaunchConfigurationTemplate: read from @aws-cdk/aws-service-spec 0.1.216 (db.json.gz),
 * AWS's CloudFormation resource specification as the CDK team imports it, and converted to JSON
 * Schema here.
 *
 * AWS::MGN::ReplicationConfigurationTemplate: new in November 2026 and not in that package. Written
 * from these sources:
 * - property names, required set and types: aws-cdk-lib 2.276.0 CfnReplicationConfigurationTemplateProps
 *   (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_mgn.CfnReplicationConfigurationTemplateProps.html),
 *   required: associateDefaultSecurityGroup, bandwidthThrottling, createPublicIp, dataPlaneRouting,
 *   defaultLargeStagingDiskType, ebsEncryption, replicationServerInstanceType,
 *   replicationServersSecurityGroupsIDs, stagingAreaSubnetId, stagingAreaTags,
 *   useDedicatedReplicationServer; optional: ebsEncryptionKeyArn, internetProtocol,
 *   storeSnapshotOnLocalZone, tags, useFipsEndpoint;
 * - CloudFormation spelling of the names (CreatePublicIP, ReplicationServersSecurityGroupsIDs): the
 *   same properties of AWS::DRS::ReplicationConfigurationTemplate in the service spec above;
 * - enums and the bandwidth range: MGN API reference, ReplicationConfigurationTemplate and
 *   CreateReplicationConfigurationTemplate (https://docs.aws.amazon.com/mgn/latest/APIReference/API_ReplicationConfigurationTemplate.html):
 *   dataPlaneRouting PRIVATE_IP|PUBLIC_IP, defaultLargeStagingDiskType GP2|ST1|GP3,
 *   ebsEncryption DEFAULT|CUSTOM, internetProtocol IPV4|IPV6, bandwidthThrottling 0-10000.
 */
const TAG: JsonSchema = { type: 'object', properties: { Key: { type: 'string' }, Value: { type: 'string' } }, required: ['Key', 'Value'], additionalProperties: false };

export const REPLICATION_CONFIGURATION_TEMPLATE_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'AssociateDefaultSecurityGroup', 'BandwidthThrottling', 'CreatePublicIP', 'DataPlaneRouting', 'DefaultLargeStagingDiskType', 'EbsEncryption',
    'ReplicationServerInstanceType', 'ReplicationServersSecurityGroupsIDs', 'StagingAreaSubnetId', 'StagingAreaTags', 'UseDedicatedReplicationServer',
  ],
  properties: {
    AssociateDefaultSecurityGroup: { type: 'boolean' },
    BandwidthThrottling: { type: 'integer', minimum: 0, maximum: 10000 },
    CreatePublicIP: { type: 'boolean' },
    DataPlaneRouting: { type: 'string', enum: ['PRIVATE_IP', 'PUBLIC_IP'] },
    DefaultLargeStagingDiskType: { type: 'string', enum: ['GP2', 'ST1', 'GP3'] },
    EbsEncryption: { type: 'string', enum: ['DEFAULT', 'CUSTOM'] },
    EbsEncryptionKeyArn: { type: 'string' },
    InternetProtocol: { type: 'string', enum: ['IPV4', 'IPV6'] },
    ReplicationServerInstanceType: { type: 'string' },
    ReplicationServersSecurityGroupsIDs: { type: 'array', items: { type: 'string' } },
    StagingAreaSubnetId: { type: 'string' },
    StagingAreaTags: { type: 'object', additionalProperties: { type: 'string' } },
    StoreSnapshotOnLocalZone: { type: 'boolean' },
    Tags: { type: 'array', items: TAG },
    UseDedicatedReplicationServer: { type: 'boolean' },
    UseFipsEndpoint: { type: 'boolean' },
  },
};

interface SpecType { type: string; element?: SpecType; reference?: { $ref: string }; allowedValues?: string[] }
interface SpecProperty { type: SpecType; required?: boolean }
interface SpecEntity { $id: string; name?: string; cloudFormationType?: string; properties?: Record<string, SpecProperty> }

let db: { resource: SpecEntity[]; typeDefinition: SpecEntity[] } | undefined;
function specDb() {
  if (!db) {
    const raw = JSON.parse(gunzipSync(readFileSync(join(ROOT, 'node_modules', '@aws-cdk', 'aws-service-spec', 'db.json.gz'))).toString('utf8')) as {
      schema: { resource: { entities: SpecEntity[] }; typeDefinition: { entities: SpecEntity[] } };
    };
    db = { resource: raw.schema.resource.entities, typeDefinition: raw.schema.typeDefinition.entities };
  }
  return db;
}

/** The Properties schema of a resource type from @aws-cdk/aws-service-spec, as JSON Schema. */
export function serviceSpecSchema(cloudFormationType: string): JsonSchema {
  const { resource, typeDefinition } = specDb();
  const entity = resource.find((r) => r.cloudFormationType === cloudFormationType);
  if (!entity) throw new Error(`${cloudFormationType} is not in @aws-cdk/aws-service-spec`);
  const definitions: Record<string, JsonSchema> = {};
  const convert = (t: SpecType): JsonSchema => {
    switch (t.type) {
      case 'string': return t.allowedValues ? { type: 'string', enum: t.allowedValues } : { type: 'string' };
      case 'boolean': return { type: 'boolean' };
      case 'integer': return { type: 'integer' };
      case 'number': return { type: 'number' };
      case 'json': return {};
      case 'tag': return TAG;
      case 'array': return { type: 'array', items: convert(t.element!) };
      case 'map': return { type: 'object', additionalProperties: convert(t.element!) };
      case 'ref': {
        const def = typeDefinition.find((d) => d.$id === t.reference!.$ref)!;
        if (!definitions[def.name!]) {
          definitions[def.name!] = {};
          definitions[def.name!] = objectOf(def.properties ?? {});
        }
        return { $ref: `#/definitions/${def.name}` };
      }
      default: throw new Error(`unsupported spec type ${t.type} in ${cloudFormationType}`);
    }
  };
  const objectOf = (props: Record<string, SpecProperty>): JsonSchema => ({
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(Object.entries(props).map(([k, p]) => [k, convert(p.type)])),
    required: Object.entries(props).filter(([, p]) => p.required).map(([k]) => k),
  });
  return { ...objectOf(entity.properties ?? {}), definitions };
}
