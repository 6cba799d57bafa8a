import { invalidField, notFound } from '../errors';
import { tagsOf } from '../fields';
import type { MgnState } from '../state';
import type { OperationTable, RequestParts } from './context';

/** Resolves a resource ARN of this account to its tag map (source servers, jobs, waves, applications). */
function tagged(state: MgnState, parts: RequestParts): Record<string, string> {
  const arn = parts.resourceArn;
  if (!arn) throw invalidField('resourceArn', 'is required');
  const match = /^arn:aws:mgn:([^:]+):(\d{12}):(source-server|job|wave|application)\/(.+)$/.exec(arn);
  if (!match || match[1] !== state.region || match[2] !== state.accountId) throw notFound('RESOURCE', arn);
  const [, , , kind, id] = match;
  const exists =
    (kind === 'source-server' && state.servers.has(id)) || (kind === 'job' && state.jobs.has(id)) || (kind === 'wave' && state.waves.has(id)) || (kind === 'application' && state.applications.has(id));
  if (!exists) throw notFound(kind.toUpperCase().replace('-', '_'), id);
  let tags = state.tags.get(arn);
  if (!tags) state.tags.set(arn, (tags = {}));
  return tags;
}

export const accountOperations: OperationTable = {
  InitializeService: {
    status: 204,
    handle(ctx) {
      ctx.state.initialized = true;
      return undefined;
    },
  },

  TagResource: {
    status: 200,
    handle(ctx, body, parts) {
      Object.assign(tagged(ctx.state, parts), tagsOf(body));
      return {};
    },
  },

  UntagResource: {
    status: 200,
    handle(ctx, _body, parts) {
      const tags = tagged(ctx.state, parts);
      for (const key of parts.query.getAll('tagKeys')) delete tags[key];
      return {};
    },
  },

  ListTagsForResource: {
    status: 200,
    handle: (ctx, _body, parts) => ({ tags: { ...tagged(ctx.state, parts) } }),
  },
};
