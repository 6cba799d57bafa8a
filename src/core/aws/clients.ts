import { EndpointService, resolveEndpoint } from './endpoints';

/** Settings every client of a run shares. */
export interface AwsClientSettings {
  /** Region of the estate. */
  readonly region: string;
  /** factory.yaml `endpoints` (lower precedence than AWS_ENDPOINT_URL_<SERVICE>/AWS_ENDPOINT_URL). */
  readonly endpoints?: Partial<Record<EndpointService, string>>;
  /** Extra client options (credentials in tests, maxAttempts, ...). @default none */
  readonly overrides?: Record<string, unknown>;
  /** Environment to read endpoint variables from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

type ClientCtor<C> = new (config: Record<string, unknown>) => C;

/**
 * Creates an SDK v3 client with the resolved endpoint. S3 uses path-style addressing when an
 * endpoint is set, since private endpoints and emulators do not serve virtual-hosted buckets.
 */
export function createClient<C>(Ctor: ClientCtor<C>, service: EndpointService, settings: AwsClientSettings): C {
  const endpoint = resolveEndpoint(service, settings.endpoints, settings.env ?? process.env);
  return new Ctor({
    region: settings.region,
    ...(endpoint ? { endpoint } : {}),
    ...(endpoint && service === 's3' ? { forcePathStyle: true } : {}),
    ...settings.overrides,
  });
}
