import { RecordedRequest } from './recorder';

/** The API operation a recorded request is, and the parameters it carries, whatever its protocol. */
export interface ApiCall {
  /** SigV4 signing name (ec2, s3, monitoring, states, ...). */
  readonly service: string;
  /** Operation name as in the API reference (CreateVpc, PutObject, GetFunction, ...). */
  readonly operation: string;
  /** Request parameters: form fields, the JSON body, or what a REST call's path and query carry. */
  readonly params: Record<string, unknown>;
}

/**
 * The operation of a request: the Query protocols' Action, the JSON protocols' X-Amz-Target, the
 * Smithy RPC v2 path, or the REST routes of S3, Lambda and MGN. A REST request no route here knows
 * throws: the oracle must not evaluate a call it cannot name.
 */
export function apiCall(r: RecordedRequest): ApiCall {
  const service = r.service;
  if ((r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && typeof r.params.Action === 'string') {
    return { service, operation: r.params.Action, params: r.params };
  }
  const target = r.headers['x-amz-target'];
  if (target) return { service, operation: target.split('.').pop()!, params: r.params };
  const rpc = /\/service\/[^/]+\/operation\/([A-Za-z]+)$/.exec(r.path);
  if (rpc) return { service, operation: rpc[1], params: r.params };
  if (service === 's3') return s3Call(r);
  if (service === 'lambda') return lambdaCall(r);
  if (service === 'mgn') return mgnCall(r);
  throw new Error(`cannot name the operation of ${service} ${r.method} ${r.path}`);
}

/** Sub-resources of an S3 bucket or object request, as the query names them. */
const S3_BUCKET_SUBRESOURCES: Record<string, { GET?: string; PUT?: string; DELETE?: string; POST?: string }> = {
  acl: { GET: 'GetBucketAcl', PUT: 'PutBucketAcl' },
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
  policyStatus: { GET: 'GetBucketPolicyStatus' },
  versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
  lifecycle: { GET: 'GetBucketLifecycleConfiguration', PUT: 'PutBucketLifecycleConfiguration', DELETE: 'DeleteBucketLifecycle' },
  encryption: { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption', DELETE: 'DeleteBucketEncryption' },
  publicAccessBlock: { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' },
  ownershipControls: { GET: 'GetBucketOwnershipControls', PUT: 'PutBucketOwnershipControls', DELETE: 'DeleteBucketOwnershipControls' },
  tagging: { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'DeleteBucketTagging' },
  cors: { GET: 'GetBucketCors', PUT: 'PutBucketCors', DELETE: 'DeleteBucketCors' },
  website: { GET: 'GetBucketWebsite', PUT: 'PutBucketWebsite', DELETE: 'DeleteBucketWebsite' },
  logging: { GET: 'GetBucketLogging', PUT: 'PutBucketLogging' },
  accelerate: { GET: 'GetBucketAccelerateConfiguration', PUT: 'PutBucketAccelerateConfiguration' },
  requestPayment: { GET: 'GetBucketRequestPayment', PUT: 'PutBucketRequestPayment' },
  replication: { GET: 'GetBucketReplication', PUT: 'PutBucketReplication', DELETE: 'DeleteBucketReplication' },
  'object-lock': { GET: 'GetObjectLockConfiguration', PUT: 'PutObjectLockConfiguration' },
  location: { GET: 'GetBucketLocation' },
  notification: { GET: 'GetBucketNotificationConfiguration', PUT: 'PutBucketNotificationConfiguration' },
  uploads: { GET: 'ListMultipartUploads' },
  versions: { GET: 'ListObjectVersions' },
  delete: { POST: 'DeleteObjects' },
  'intelligent-tiering': { GET: 'ListBucketIntelligentTieringConfigurations' },
  analytics: { GET: 'ListBucketAnalyticsConfigurations' },
  metrics: { GET: 'ListBucketMetricsConfigurations' },
  inventory: { GET: 'ListBucketInventoryConfigurations' },
};

function s3Call(r: RecordedRequest): ApiCall {
  const [, bucket, ...rest] = r.path.split('/');
  const key = rest.join('/');
  const q = r.query;
  const params: Record<string, unknown> = { Bucket: bucket, ...(key ? { Key: key } : {}), ...q };
  const sub = Object.keys(q).find((k) => k in S3_BUCKET_SUBRESOURCES);
  const op = (operation: string) => ({ service: 's3', operation, params });
  if (!bucket) {
    if (r.method === 'GET') return op('ListBuckets');
    throw new Error(`S3 ${r.method} / is not modelled`);
  }
  if (!key) {
    if (sub) {
      const name = S3_BUCKET_SUBRESOURCES[sub][r.method as 'GET'];
      if (!name) throw new Error(`S3 ${r.method} /${bucket}?${sub} is not modelled`);
      return op(name);
    }
    switch (r.method) {
      case 'PUT': return op('CreateBucket');
      case 'HEAD': return op('HeadBucket');
      case 'DELETE': return op('DeleteBucket');
      case 'GET': return op(q['list-type'] === '2' ? 'ListObjectsV2' : 'ListObjects');
    }
    throw new Error(`S3 ${r.method} /${bucket} is not modelled`);
  }
  if ('uploadId' in q) {
    if (r.method === 'PUT') return op(r.headers['x-amz-copy-source'] ? 'UploadPartCopy' : 'UploadPart');
    if (r.method === 'POST') return op('CompleteMultipartUpload');
    if (r.method === 'DELETE') return op('AbortMultipartUpload');
    if (r.method === 'GET') return op('ListParts');
  }
  if ('uploads' in q && r.method === 'POST') return op('CreateMultipartUpload');
  if ('tagging' in q) return op(r.method === 'GET' ? 'GetObjectTagging' : r.method === 'PUT' ? 'PutObjectTagging' : 'DeleteObjectTagging');
  if ('attributes' in q && r.method === 'GET') return op('GetObjectAttributes');
  if ('acl' in q) return op(r.method === 'GET' ? 'GetObjectAcl' : 'PutObjectAcl');
  switch (r.method) {
    case 'PUT': return op(r.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject');
    case 'GET': return op('GetObject');
    case 'HEAD': return op('HeadObject');
    case 'DELETE': return op('DeleteObject');
  }
  throw new Error(`S3 ${r.method} ${r.path} is not modelled`);
}

/** Lambda's REST routes: /<api date>/functions/<name>[/<sub>], /<date>/tags/<arn>. */
function lambdaCall(r: RecordedRequest): ApiCall {
  const parts = r.path.split('/').filter(Boolean);
  const [, kind, name, sub, subId] = parts;
  const params: Record<string, unknown> = { ...r.params, ...r.query };
  const op = (operation: string) => ({ service: 'lambda', operation, params });
  if (kind === 'tags') {
    params.Resource = parts.slice(2).join('/');
    return op(r.method === 'GET' ? 'ListTags' : r.method === 'POST' ? 'TagResource' : 'UntagResource');
  }
  if (kind !== 'functions') throw new Error(`Lambda ${r.method} ${r.path} is not modelled`);
  if (!name) {
    if (r.method === 'POST') return op('CreateFunction');
    if (r.method === 'GET') return op('ListFunctions');
  } else {
    params.FunctionName = name;
    const routes: Record<string, Record<string, string>> = {
      '': { GET: 'GetFunction', DELETE: 'DeleteFunction' },
      configuration: { GET: 'GetFunctionConfiguration', PUT: 'UpdateFunctionConfiguration' },
      code: { PUT: 'UpdateFunctionCode' },
      policy: { GET: 'GetPolicy', POST: 'AddPermission', DELETE: 'RemovePermission' },
      versions: { GET: 'ListVersionsByFunction', POST: 'PublishVersion' },
      aliases: { GET: 'ListAliases' },
      'event-invoke-config': { GET: 'GetFunctionEventInvokeConfig' },
      concurrency: { GET: 'GetFunctionConcurrency', PUT: 'PutFunctionConcurrency' },
      'code-signing-config': { GET: 'GetFunctionCodeSigningConfig' },
      url: { GET: 'GetFunctionUrlConfig' },
      'recursion-config': { GET: 'GetFunctionRecursionConfig' },
      invocations: { POST: 'InvokeFunction' },
    };
    const name2 = routes[sub ?? '']?.[r.method];
    if (name2) {
      if (subId) params.StatementId = subId;
      return op(name2);
    }
  }
  throw new Error(`Lambda ${r.method} ${r.path} is not modelled`);
}

/** The MGN fake (and MGN): POST /<Operation>, and the tagging routes /tags/<arn>. */
function mgnCall(r: RecordedRequest): ApiCall {
  const tags = /^\/tags\/(.+)$/.exec(r.path);
  if (tags) {
    const params = { ...r.params, resourceArn: tags[1] };
    return { service: 'mgn', operation: r.method === 'GET' ? 'ListTagsForResource' : r.method === 'POST' ? 'TagResource' : 'UntagResource', params };
  }
  if (r.method !== 'POST') throw new Error(`MGN ${r.method} ${r.path} is not modelled`);
  return { service: 'mgn', operation: r.path.slice(1), params: r.params };
}
