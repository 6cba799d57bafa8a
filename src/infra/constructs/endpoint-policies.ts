import { InterfaceEndpointService } from './vpc-endpoints';
import { policyDocument, PolicyStatement } from './policy-document';

/**
 * S3 buckets the staging network must reach: MGN's buckets, amazon-ssm-<region>
 * (SSM agent) and the Amazon Linux 2023 repository bucket (replication servers update from it).
 * The AL2023 bucket name is not a documented constant: it is a setting.
 */
export function stagingS3Buckets(region: string, options: { al2023RepositoryBucket?: string; extra?: string[] } = {}): string[] {
  return [
    `aws-mgn-clients-${region}`,
    `aws-mgn-clients-hashes-${region}`,
    `aws-mgn-internal-${region}`,
    `aws-mgn-internal-hashes-${region}`,
    `aws-application-migration-service-${region}`,
    `aws-application-migration-service-hashes-${region}`,
    `amazon-ssm-${region}`,
    options.al2023RepositoryBucket ?? `al2023-repos-${region}-de612dc2`,
    ...(options.extra ?? []),
  ];
}

/**
 * S3 endpoint policy: read the service buckets (their objects are fetched by agents and replication
 * servers that may not sign as our accounts), and anything in buckets our accounts own.
 */
export function s3EndpointPolicy(buckets: string[], accounts: string[]): string {
  return policyDocument([
    {
      Sid: 'ServiceBuckets',
      Effect: 'Allow',
      Principal: '*',
      Action: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'],
      Resource: buckets.flatMap((b) => [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`]),
    },
    {
      Sid: 'OwnBuckets',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceAccount': accounts } },
    },
  ]);
}

/** Interface endpoint policy: the service for principals of our accounts; MGN also admits agent sessions. */
export function interfaceEndpointPolicy(service: InterfaceEndpointService, region: string, accounts: string[], s3Buckets: string[]): string {
  if (service === InterfaceEndpointService.S3) return s3EndpointPolicy(s3Buckets, accounts);
  const statements: PolicyStatement[] = [
    {
      Sid: 'OwnAccounts',
      Effect: 'Allow',
      Principal: '*',
      Action: `${service.actionPrefix}:*`,
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalAccount': accounts } },
    },
  ];
  if (service === InterfaceEndpointService.MGN) {
    // The replication agent opens its session through this API; without it a scoped MGN endpoint
    // policy blocks agent registration.
    statements.push({
      Sid: 'AgentSessions',
      Effect: 'Allow',
      Principal: '*',
      Action: 'execute-api:Invoke',
      Resource: `arn:aws:execute-api:${region}:*:*/POST/CreateSessionForMgn`,
    });
  }
  return policyDocument(statements);
}
