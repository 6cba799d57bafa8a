import { invalidField } from './errors';

/**
 * MGN-style pagination: an opaque nextToken and maxResults. The token encodes the offset in the
 * (stable) result order, so a paginator sees every item exactly once while nothing is created.
 */
export function paginate<T>(items: T[], body: { maxResults?: unknown; nextToken?: unknown }, maxAllowed = 1000): { items: T[]; nextToken?: string } {
  const max = body.maxResults === undefined ? maxAllowed : Number(body.maxResults);
  if (!Number.isInteger(max) || max < 1 || max > maxAllowed) throw invalidField('maxResults', `must be an integer from 1 to ${maxAllowed}`);
  let offset = 0;
  if (body.nextToken !== undefined && body.nextToken !== null && body.nextToken !== '') {
    const decoded = /^o:(\d+)$/.exec(Buffer.from(String(body.nextToken), 'base64url').toString());
    if (!decoded) throw invalidField('nextToken', 'is not a token returned by a previous call');
    offset = Number(decoded[1]);
  }
  const page = items.slice(offset, offset + max);
  const end = offset + page.length;
  return end < items.length ? { items: page, nextToken: Buffer.from(`o:${end}`).toString('base64url') } : { items: page };
}

/** A List/Describe answer: one page of `items` rendered with `render`, and nextToken when more remain. */
export function listPage<T, R>(items: T[], body: { maxResults?: unknown; nextToken?: unknown }, render: (item: T) => R, maxAllowed = 1000): { items: R[]; nextToken?: string } {
  const page = paginate(items, body, maxAllowed);
  return { items: page.items.map(render), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}
