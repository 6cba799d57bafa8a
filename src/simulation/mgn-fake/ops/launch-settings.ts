import type { LaunchConfiguration, SourceServerActionDocument } from '@aws-sdk/client-mgn';
import { invalidField, notFound, quotaExceeded } from '../errors';
import { type Body, filters, optionalString, optionalStringList, requiredString } from '../fields';
import { listPage } from '../paginate';
import type { OperationContext, OperationTable } from './context';

/** Members of UpdateLaunchConfiguration and what each must be. */
const UPDATABLE: Record<string, (v: unknown) => boolean> = {
  name: (v) => typeof v === 'string',
  launchDisposition: (v) => v === 'STARTED' || v === 'STOPPED',
  targetInstanceTypeRightSizingMethod: (v) => v === 'NONE' || v === 'BASIC',
  copyPrivateIp: (v) => typeof v === 'boolean',
  copyTags: (v) => typeof v === 'boolean',
  licensing: (v) => typeof v === 'object' && v !== null,
  bootMode: (v) => v === 'LEGACY_BIOS' || v === 'UEFI',
  postLaunchActions: (v) => typeof v === 'object' && v !== null,
  enableMapAutoTagging: (v) => typeof v === 'boolean',
  mapAutoTaggingMpeID: (v) => typeof v === 'string',
};

const MAX_LEGACY_DOCUMENTS = 10;
const MAX_SOURCE_SERVER_ACTIONS = 100;

async function launchConfiguration(ctx: OperationContext, id: string): Promise<LaunchConfiguration> {
  const server = ctx.state.server(id);
  return { ...structuredClone(server.launchConfiguration), sourceServerID: server.id, ec2LaunchTemplateID: await server.launchTemplate };
}

function action(body: Body): SourceServerActionDocument {
  const order = body.order;
  if (!Number.isInteger(order) || (order as number) < 1001 || (order as number) > 10000) throw invalidField('order', 'must be an integer from 1001 to 10000');
  const timeout = body.timeoutSeconds;
  if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) < 1)) throw invalidField('timeoutSeconds', 'must be a positive integer');
  return {
    actionID: requiredString(body, 'actionID', /^[0-9a-zA-Z]$|^[0-9a-zA-Z][0-9a-zA-Z_-]{0,62}[0-9a-zA-Z]$/),
    actionName: requiredString(body, 'actionName', /^[^\s\x00]( *[^\s\x00])*$/),
    documentIdentifier: requiredString(body, 'documentIdentifier', /^([A-Za-z0-9/:_.-]){3,172}$|^arn:/),
    order: order as number,
    documentVersion: optionalString(body, 'documentVersion') ?? '$DEFAULT',
    active: body.active === undefined ? true : body.active === true,
    timeoutSeconds: (timeout as number | undefined) ?? 4000,
    mustSucceedForCutover: body.mustSucceedForCutover === undefined ? true : body.mustSucceedForCutover === true,
    ...(body.parameters ? { parameters: structuredClone(body.parameters) as SourceServerActionDocument['parameters'] } : {}),
    ...(body.externalParameters ? { externalParameters: structuredClone(body.externalParameters) as SourceServerActionDocument['externalParameters'] } : {}),
    ...(optionalString(body, 'description') ? { description: optionalString(body, 'description') } : {}),
    category: (optionalString(body, 'category') as SourceServerActionDocument['category']) ?? 'OTHER',
  };
}

export const launchSettingsOperations: OperationTable = {
  GetLaunchConfiguration: {
    status: 200,
    handle: (ctx, body) => launchConfiguration(ctx, requiredString(body, 'sourceServerID')),
  },

  UpdateLaunchConfiguration: {
    status: 200,
    handle(ctx, body) {
      const id = requiredString(body, 'sourceServerID');
      const server = ctx.state.server(id);
      const next = structuredClone(server.launchConfiguration) as Record<string, unknown>;
      for (const [name, valid] of Object.entries(UPDATABLE)) {
        if (body[name] === undefined) continue;
        if (!valid(body[name])) throw invalidField(name, 'has an invalid value');
        next[name] = structuredClone(body[name]);
      }
      const documents = (next.postLaunchActions as LaunchConfiguration['postLaunchActions'])?.ssmDocuments ?? [];
      if (documents.length > MAX_LEGACY_DOCUMENTS) throw invalidField('postLaunchActions.ssmDocuments', `must contain at most ${MAX_LEGACY_DOCUMENTS} documents`);
      server.launchConfiguration = next as LaunchConfiguration;
      return launchConfiguration(ctx, id);
    },
  },

  ListSourceServerActions: {
    status: 200,
    handle(ctx, body) {
      const server = ctx.state.server(requiredString(body, 'sourceServerID'));
      const ids = optionalStringList(filters(body), 'actionIDs');
      const items = [...server.actions.values()].filter((a) => !ids || ids.includes(a.actionID!)).sort((a, b) => a.order! - b.order!);
      return listPage(items, body, (item) => structuredClone(item), 100);
    },
  },

  PutSourceServerAction: {
    status: 200,
    handle(ctx, body) {
      const server = ctx.state.server(requiredString(body, 'sourceServerID'));
      const doc = action(body);
      if (!server.actions.has(doc.actionID!) && server.actions.size >= MAX_SOURCE_SERVER_ACTIONS) {
        throw quotaExceeded('SourceServerActions', MAX_SOURCE_SERVER_ACTIONS, `Source server ${server.id} already has ${MAX_SOURCE_SERVER_ACTIONS} actions`);
      }
      server.actions.set(doc.actionID!, doc);
      return structuredClone(doc);
    },
  },

  RemoveSourceServerAction: {
    status: 204,
    handle(ctx, body) {
      const server = ctx.state.server(requiredString(body, 'sourceServerID'));
      const actionID = requiredString(body, 'actionID', /^.+$/);
      if (!server.actions.delete(actionID)) throw notFound('SOURCE_SERVER_ACTION', actionID);
      return undefined;
    },
  },
};
