import type { ApplicationHealthStatus, ApplicationProgressStatus } from '@aws-sdk/client-mgn';
import { conflict, quotaExceeded } from '../errors';
import { type Body, filters, idList, optionalString, optionalStringList, requiredString, tagsOf } from '../fields';
import { listPage } from '../paginate';
import type { ApplicationRecord, MgnState, ServerRecord, WaveRecord } from '../state';
import type { OperationContext, OperationTable } from './context';

/** MGN's limit on IDs per AssociateSourceServers/AssociateApplications call (and their Disassociate twins). */
const IDS_PER_CALL = 50;

const NOT_STARTED = new Set(['NOT_READY', 'READY_FOR_TEST', 'DISCOVERED', 'PENDING_INSTALLATION', 'STOPPED']);
const DONE = new Set(['CUTOVER', 'DISCONNECTED']);

function aggregate(state: MgnState, serverIDs: string[]): { healthStatus?: ApplicationHealthStatus; progressStatus: ApplicationProgressStatus } {
  const servers = serverIDs.map((id) => state.server(id));
  if (servers.length === 0) return { progressStatus: 'NOT_STARTED' };
  const health: ApplicationHealthStatus = servers.some((s) => state.isStalled(s)) ? 'ERROR' : servers.some((s) => s.replicationState !== 'CONTINUOUS' && !DONE.has(s.state)) ? 'LAGGING' : 'HEALTHY';
  const progress: ApplicationProgressStatus = servers.every((s) => DONE.has(s.state)) ? 'COMPLETED' : servers.every((s) => NOT_STARTED.has(s.state)) ? 'NOT_STARTED' : 'IN_PROGRESS';
  return { healthStatus: health, progressStatus: progress };
}

function serversOf(state: MgnState, applicationID: string): string[] {
  return [...state.servers.values()].filter((s) => s.applicationID === applicationID).map((s) => s.id);
}

function renderApplication(state: MgnState, app: ApplicationRecord) {
  const ids = serversOf(state, app.applicationID);
  return { ...structuredClone(app), tags: { ...(state.tags.get(app.arn) ?? {}) }, applicationAggregatedStatus: { ...aggregate(state, ids), totalSourceServers: ids.length, lastUpdateDateTime: state.iso() } };
}

function renderWave(state: MgnState, wave: WaveRecord) {
  const apps = [...state.applications.values()].filter((a) => a.waveID === wave.waveID);
  const status = aggregate(state, apps.flatMap((a) => serversOf(state, a.applicationID)));
  return { ...structuredClone(wave), tags: { ...(state.tags.get(wave.arn) ?? {}) }, waveAggregatedStatus: { ...status, totalApplications: apps.length, lastUpdateDateTime: state.iso() } };
}

function nameOf(body: Body): string {
  return requiredString(body, 'name', /^[^\s\x00]( *[^\s\x00])*$/);
}

function touch<T extends { lastModifiedDateTime?: string }>(ctx: OperationContext, item: T): T {
  item.lastModifiedDateTime = ctx.state.iso();
  return item;
}

/** How waves and applications differ; their Create/Update/List/Archive/Unarchive calls are otherwise alike. */
interface NamedKind<R extends { name?: string; description?: string; isArchived?: boolean; lastModifiedDateTime?: string }> {
  /** Operation suffix and resourceType: Wave / WAVE. */
  readonly name: 'Wave' | 'Application';
  readonly idField: 'waveID' | 'applicationID';
  readonly prefix: 'wave' | 'app';
  readonly arnKind: 'wave' | 'application';
  readonly items: (state: MgnState) => Map<string, R>;
  readonly get: (state: MgnState, id: string) => R;
  readonly render: (state: MgnState, item: R) => unknown;
  /** Extra List filter (applications by waveIDs). */
  readonly filter?: (item: R, f: Body) => boolean;
  /** Checks before a new item is created (quotas). */
  readonly beforeCreate?: (state: MgnState) => void;
}

function namedOperations<R extends { name?: string; description?: string; isArchived?: boolean; lastModifiedDateTime?: string; arn: string }>(kind: NamedKind<R>): OperationTable {
  const resourceType = kind.name.toUpperCase();
  const unique = (state: MgnState, name: string, except?: string) => {
    for (const [id, item] of kind.items(state)) {
      if (item.name === name && !item.isArchived && id !== except) throw conflict(`A ${kind.name.toLowerCase()} named ${JSON.stringify(name)} already exists`, [], { id, type: resourceType });
    }
  };
  const archive = (isArchived: boolean) => ({
    status: 200 as const,
    handle: (ctx: OperationContext, body: Body) => kind.render(ctx.state, touch(ctx, Object.assign(kind.get(ctx.state, requiredString(body, kind.idField)), { isArchived }))),
  });
  return {
    [`Create${kind.name}`]: {
      status: 201,
      handle(ctx, body) {
        const s = ctx.state;
        const name = nameOf(body);
        unique(s, name);
        kind.beforeCreate?.(s);
        const id = s.ids.next(kind.prefix);
        const item = { [kind.idField]: id, arn: s.arn(kind.arnKind, id), name, description: optionalString(body, 'description') ?? '', isArchived: false, creationDateTime: s.iso(), lastModifiedDateTime: s.iso() } as unknown as R;
        kind.items(s).set(id, item);
        s.tags.set(item.arn, tagsOf(body));
        return kind.render(s, item);
      },
    },
    [`Update${kind.name}`]: {
      status: 200,
      handle(ctx, body) {
        const id = requiredString(body, kind.idField);
        const item = kind.get(ctx.state, id);
        if (body.name !== undefined) {
          const name = nameOf(body);
          unique(ctx.state, name, id);
          item.name = name;
        }
        if (body.description !== undefined) item.description = optionalString(body, 'description');
        return kind.render(ctx.state, touch(ctx, item));
      },
    },
    [`List${kind.name}s`]: {
      status: 200,
      handle(ctx, body) {
        const f = filters(body);
        const ids = optionalStringList(f, `${kind.idField}s`);
        const matches = [...kind.items(ctx.state)].filter(
          ([id, item]) => (!ids || ids.includes(id)) && (f.isArchived === undefined || !!item.isArchived === f.isArchived) && (kind.filter?.(item, f) ?? true),
        );
        return listPage(matches, body, ([, item]) => kind.render(ctx.state, item));
      },
    },
    [`Archive${kind.name}`]: archive(true),
    [`Unarchive${kind.name}`]: archive(false),
  };
}

/** How applications-in-waves and servers-in-applications differ; their Associate and Disassociate calls are otherwise alike. */
interface Association<C> {
  /** Operation suffix: Associate<name> / Disassociate<name>. */
  readonly name: 'Applications' | 'SourceServers';
  readonly parentField: 'waveID' | 'applicationID';
  readonly childrenField: 'applicationIDs' | 'sourceServerIDs';
  readonly childType: 'APPLICATION' | 'SOURCE_SERVER';
  /** Checks that the parent exists and returns its ID. */
  readonly parent: (state: MgnState, id: string) => string;
  readonly child: (state: MgnState, id: string) => C;
  readonly childId: (child: C) => string;
  readonly parentOf: (child: C) => string | undefined;
  readonly setParent: (ctx: OperationContext, child: C, parentID: string | undefined) => void;
  readonly members: (state: MgnState, parentID: string) => string[];
  readonly quota: (state: MgnState) => { code: string; value: number };
}

function associationOperations<C>(a: Association<C>): OperationTable {
  const parentKind = a.parentField === 'waveID' ? 'wave' : 'application';
  const request = (ctx: OperationContext, body: Body) => ({
    parentID: a.parent(ctx.state, requiredString(body, a.parentField)),
    children: idList(body, a.childrenField, a.childrenField.slice(0, -1), IDS_PER_CALL).map((id) => a.child(ctx.state, id)),
  });
  return {
    [`Associate${a.name}`]: {
      status: 200,
      handle(ctx, body) {
        const { parentID, children } = request(ctx, body);
        const elsewhere = children.filter((c) => a.parentOf(c) !== undefined && a.parentOf(c) !== parentID);
        if (elsewhere.length > 0) {
          throw conflict(
            `${a.childType} already associated with another ${parentKind}: ${elsewhere.map((c) => `${a.childId(c)} (${parentKind} ${a.parentOf(c)})`).join(', ')}`,
            elsewhere.map((c) => ({ message: `associated with ${parentKind} ${a.parentOf(c)}`, code: `${a.childType}_IN_OTHER_${parentKind.toUpperCase()}`, resourceId: a.childId(c), resourceType: a.childType })),
          );
        }
        const after = new Set([...a.members(ctx.state, parentID), ...children.map(a.childId)]);
        const quota = a.quota(ctx.state);
        if (after.size > quota.value) throw quotaExceeded(quota.code, quota.value, `${parentKind} ${parentID} would hold ${after.size} members, the quota is ${quota.value}`);
        for (const child of children) a.setParent(ctx, child, parentID);
        return {};
      },
    },
    [`Disassociate${a.name}`]: {
      status: 200,
      handle(ctx, body) {
        const { parentID, children } = request(ctx, body);
        for (const child of children) if (a.parentOf(child) === parentID) a.setParent(ctx, child, undefined);
        return {};
      },
    },
  };
}

export const planOperations: OperationTable = {
  ...namedOperations<WaveRecord>({
    name: 'Wave',
    idField: 'waveID',
    prefix: 'wave',
    arnKind: 'wave',
    items: (s) => s.waves,
    get: (s, id) => s.wave(id),
    render: renderWave,
    beforeCreate(s) {
      const active = [...s.waves.values()].filter((w) => !w.isArchived).length;
      if (active >= s.quotas.activeWaves) throw quotaExceeded('ActiveWaves', s.quotas.activeWaves, `Active waves quota exceeded: ${active} active waves`);
    },
  }),
  ...namedOperations<ApplicationRecord>({
    name: 'Application',
    idField: 'applicationID',
    prefix: 'app',
    arnKind: 'application',
    items: (s) => s.applications,
    get: (s, id) => s.application(id),
    render: renderApplication,
    filter(app, f) {
      const waves = optionalStringList(f, 'waveIDs');
      return !waves || (app.waveID !== undefined && waves.includes(app.waveID));
    },
  }),

  ...associationOperations<ApplicationRecord>({
    name: 'Applications',
    parentField: 'waveID',
    childrenField: 'applicationIDs',
    childType: 'APPLICATION',
    parent: (st, id) => st.wave(id).waveID,
    child: (st, id) => st.application(id),
    childId: (app) => app.applicationID,
    parentOf: (app) => app.waveID,
    setParent: (ctx, app, waveID) => (touch(ctx, app).waveID = waveID),
    members: (st, waveID) => [...st.applications.values()].filter((a) => a.waveID === waveID).map((a) => a.applicationID),
    quota: (st) => ({ code: 'ApplicationsPerWave', value: st.quotas.applicationsPerWave }),
  }),
  ...associationOperations<ServerRecord>({
    name: 'SourceServers',
    parentField: 'applicationID',
    childrenField: 'sourceServerIDs',
    childType: 'SOURCE_SERVER',
    parent: (st, id) => st.application(id).applicationID,
    child: (st, id) => st.server(id),
    childId: (srv) => srv.id,
    parentOf: (srv) => srv.applicationID,
    setParent: (ctx, srv, applicationID) => {
      srv.applicationID = applicationID;
      if (applicationID) touch(ctx, ctx.state.application(applicationID));
    },
    members: serversOf,
    quota: (st) => ({ code: 'SourceServersPerApplication', value: st.quotas.serversPerApplication }),
  }),
};
