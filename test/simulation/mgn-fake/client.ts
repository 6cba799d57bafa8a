import { MgnClient } from '@aws-sdk/client-mgn';
import type { MgnFake } from '../../../src/simulation/mgn-fake';

/**
 * The real @aws-sdk/client-mgn pointed at a fake. maxAttempts 1 by default so that an error the
 * fake answers is the error the test sees (the SDK would otherwise retry throttling and 5xx).
 */
export function mgnClient(fake: MgnFake, maxAttempts = 1): MgnClient {
  return new MgnClient({ endpoint: fake.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts });
}

/** Awaits a promise expected to reject and returns the error, failing the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, it succeeded');
}
