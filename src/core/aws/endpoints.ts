/**
 * Endpoint resolution shared by every AWS client of the runbook, the CLI and the actions, in the
 * order of the SDKs' standard "service-specific endpoints" settings:
 *   1. AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_MGN, AWS_ENDPOINT_URL_EC2)
 *   2. AWS_ENDPOINT_URL
 *   3. the `endpoints` section of factory.yaml (e.g. the staging VPC's private endpoints)
 *   4. the SDK's own default (undefined here)
 * We resolve it ourselves so that every client behaves the same and factory.yaml `endpoints` fits in
 * the same order. Measured (test/runbook/endpoints.test.ts): @aws-sdk/client-mgn 3.523.0 does honour
 * AWS_ENDPOINT_URL_MGN and AWS_ENDPOINT_URL by itself, but not AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
 * (it still uses AWS_ENDPOINT_URL when that is "true"); the resolution below honours all three and
 * passes the result as an explicit `endpoint`.
 */

/** Service keys as used in factory.yaml `endpoints` and in the env variable suffix. */
export type EndpointService = 'mgn' | 'ec2' | 'kms' | 'ssm' | 's3' | 'sts' | 'iam' | 'sfn';

/** The env suffix of each service: the SDK's service ID, upper-cased with spaces → underscores. */
const ENV_SUFFIX: Record<EndpointService, string> = {
  mgn: 'MGN',
  ec2: 'EC2',
  kms: 'KMS',
  ssm: 'SSM',
  s3: 'S3',
  sts: 'STS',
  iam: 'IAM',
  sfn: 'SFN',
};

export function resolveEndpoint(
  service: EndpointService,
  configured: Partial<Record<EndpointService, string>> | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${ENV_SUFFIX[service]}`] || env.AWS_ENDPOINT_URL || configured?.[service] || undefined;
}
