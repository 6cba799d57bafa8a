import { call, type RetryRuntime } from './runtime';

/** Every item of a paginated MGN list call (nextToken), each page sent with retries. */
export async function listAll<T>(rt: RetryRuntime, label: string, page: (nextToken?: string) => Promise<{ items?: T[]; nextToken?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const r = await call(rt, label, () => page(token));
    out.push(...(r.items ?? []));
    token = r.nextToken || undefined;
  } while (token);
  return out;
}
