import type { ApplicationHealthStatus, ApplicationProgressStatus } from '@aws-sdk/client-mgn';
import { conflict, quotaExceeded } from '../errors';
import { type Body, filters, idList, optionalString, optionalStringList, requiredString, tagsOf } from '../fields';
import { paginate } from '../paginate';
import type { ApplicationRecord, MgnState, WaveRecord } from '../state';
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

function uniqueName(items: Iterable<{ name?: string; isArchived?: boolean }>, name: string, kind: string, except?: string): void {
  for (const item of items) {
    if (item.name === name && !item.isArchived && (item as { waveID?: string; applicationID?: string })[kind === 'WAVE' ? 'waveID' : 'applicationID'] !== except) {
      throw conflict(`A ${kind.toLowerCase()} named ${JSON.stringify(name)} already exists`, [], { id: name, type: kind });
    }
  }
}

function nameOf(body: Body): string {
  return requiredString(body, 'name', /^[^\s\x00]( *[^\s\x00])*$/);
}

function listing<T extends { isArchived?: boolean }>(items: T[], body: Body, idOf: (t: T) => string, idFilter: string, extra: (t: T, f: Body) => boolean = () => true) {
  const f = filters(body);
  const ids = optionalStringList(f, idFilter);
  return paginate(
    items.filter((t) => (!ids || ids.includes(idOf(t))) && (f.isArchived === undefined || !!t.isArchived === f.isArchived) && extra(t, f)),
    body,
  );
}

function touch<T extends { lastModifiedDateTime?: string }>(ctx: OperationContext, item: T): T {
  item.lastModifiedDateTime = ctx.state.iso();
  return item;
}

export const planOperations: OperationTable = {
  CreateWave: {
    status: 201,
    handle(ctx, body) {
      const s = ctx.state;
      const name = nameOf(body);
      uniqueName(s.waves.values(), name, 'WAVE');
      const active = [...s.waves.values()].filter((w) => !w.isArchived).length;
      if (active >= s.quotas.activeWaves) throw quotaExceeded('ActiveWaves', s.quotas.activeWaves, `Active waves quota exceeded: ${active} active waves`);
      const waveID = s.ids.next('wave');
      const wave: WaveRecord = { waveID, arn: s.arn('wave', waveID), name, description: optionalString(body, 'description') ?? '', isArchived: false, creationDateTime: s.iso(), lastModifiedDateTime: s.iso() };
      s.waves.set(waveID, wave);
      s.tags.set(wave.arn, tagsOf(body));
      return renderWave(s, wave);
    },
  },

  UpdateWave: {
    status: 200,
    handle(ctx, body) {
      const wave = ctx.state.wave(requiredString(body, 'waveID'));
      if (body.name !== undefined) {
        const name = nameOf(body);
        uniqueName(ctx.state.waves.values(), name, 'WAVE', wave.waveID);
        wave.name = name;
      }
      if (body.description !== undefined) wave.description = optionalString(body, 'description');
      return renderWave(ctx.state, touch(ctx, wave));
    },
  },

  ListWaves: {
    status: 200,
    handle(ctx, body) {
      const page = listing([...ctx.state.waves.values()], body, (w) => w.waveID, 'waveIDs');
      return { items: page.items.map((w) => renderWave(ctx.state, w)), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
  },

  ArchiveWave: { status: 200, handle: (ctx, body) => renderWave(ctx.state, touch(ctx, Object.assign(ctx.state.wave(requiredString(body, 'waveID')), { isArchived: true }))) },
  UnarchiveWave: { status: 200, handle: (ctx, body) => renderWave(ctx.state, touch(ctx, Object.assign(ctx.state.wave(requiredString(body, 'waveID')), { isArchived: false }))) },

  CreateApplication: {
    status: 201,
    handle(ctx, body) {
      const s = ctx.state;
      const name = nameOf(body);
      uniqueName(s.applications.values(), name, 'APPLICATION');
      const applicationID = s.ids.next('app');
      const app: ApplicationRecord = { applicationID, arn: s.arn('application', applicationID), name, description: optionalString(body, 'description') ?? '', isArchived: false, creationDateTime: s.iso(), lastModifiedDateTime: s.iso() };
      s.applications.set(applicationID, app);
      s.tags.set(app.arn, tagsOf(body));
      return renderApplication(s, app);
    },
  },

  UpdateApplication: {
    status: 200,
    handle(ctx, body) {
      const app = ctx.state.application(requiredString(body, 'applicationID'));
      if (body.name !== undefined) {
        const name = nameOf(body);
        uniqueName(ctx.state.applications.values(), name, 'APPLICATION', app.applicationID);
        app.name = name;
      }
      if (body.description !== undefined) app.description = optionalString(body, 'description');
      return renderApplication(ctx.state, touch(ctx, app));
    },
  },

  ListApplications: {
    status: 200,
    handle(ctx, body) {
      const page = listing([...ctx.state.applications.values()], body, (a) => a.applicationID, 'applicationIDs', (a, f) => {
        const waves = optionalStringList(f, 'waveIDs');
        return !waves || (a.waveID !== undefined && waves.includes(a.waveID));
      });
      return { items: page.items.map((a) => renderApplication(ctx.state, a)), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
  },

  ArchiveApplication: { status: 200, handle: (ctx, body) => renderApplication(ctx.state, touch(ctx, Object.assign(ctx.state.application(requiredString(body, 'applicationID')), { isArchived: true }))) },
  UnarchiveApplication: { status: 200, handle: (ctx, body) => renderApplication(ctx.state, touch(ctx, Object.assign(ctx.state.application(requiredString(body, 'applicationID')), { isArchived: false }))) },

  AssociateApplications: {
    status: 200,
    handle(ctx, body) {
      const s = ctx.state;
      const wave = s.wave(requiredString(body, 'waveID'));
      const apps = idList(body, 'applicationIDs', 'applicationID', IDS_PER_CALL).map((id) => s.application(id));
      const elsewhere = apps.filter((a) => a.waveID !== undefined && a.waveID !== wave.waveID);
      if (elsewhere.length > 0) {
        throw conflict(
          `Applications already belong to another wave: ${elsewhere.map((a) => `${a.applicationID} (wave ${a.waveID})`).join(', ')}`,
          elsewhere.map((a) => ({ message: `application is associated with wave ${a.waveID}`, code: 'APPLICATION_IN_OTHER_WAVE', resourceId: a.applicationID, resourceType: 'APPLICATION' })),
        );
      }
      const after = new Set([...[...s.applications.values()].filter((a) => a.waveID === wave.waveID).map((a) => a.applicationID), ...apps.map((a) => a.applicationID)]);
      if (after.size > s.quotas.applicationsPerWave) throw quotaExceeded('ApplicationsPerWave', s.quotas.applicationsPerWave, `Wave ${wave.waveID} would hold ${after.size} applications`);
      for (const app of apps) touch(ctx, app).waveID = wave.waveID;
      return {};
    },
  },

  DisassociateApplications: {
    status: 200,
    handle(ctx, body) {
      const wave = ctx.state.wave(requiredString(body, 'waveID'));
      for (const app of idList(body, 'applicationIDs', 'applicationID', IDS_PER_CALL).map((id) => ctx.state.application(id))) {
        if (app.waveID === wave.waveID) touch(ctx, app).waveID = undefined;
      }
      return {};
    },
  },

  AssociateSourceServers: {
    status: 200,
    handle(ctx, body) {
      const s = ctx.state;
      const app = s.application(requiredString(body, 'applicationID'));
      const servers = idList(body, 'sourceServerIDs', 'sourceServerID', IDS_PER_CALL).map((id) => s.server(id));
      const elsewhere = servers.filter((srv) => srv.applicationID !== undefined && srv.applicationID !== app.applicationID);
      if (elsewhere.length > 0) {
        throw conflict(
          `Source servers already belong to another application: ${elsewhere.map((srv) => `${srv.id} (application ${srv.applicationID})`).join(', ')}`,
          elsewhere.map((srv) => ({ message: `source server is associated with application ${srv.applicationID}`, code: 'SOURCE_SERVER_IN_OTHER_APPLICATION', resourceId: srv.id, resourceType: 'SOURCE_SERVER' })),
        );
      }
      const after = new Set([...serversOf(s, app.applicationID), ...servers.map((srv) => srv.id)]);
      if (after.size > s.quotas.serversPerApplication) throw quotaExceeded('SourceServersPerApplication', s.quotas.serversPerApplication, `Application ${app.applicationID} would hold ${after.size} source servers`);
      for (const srv of servers) srv.applicationID = app.applicationID;
      touch(ctx, app);
      return {};
    },
  },

  DisassociateSourceServers: {
    status: 200,
    handle(ctx, body) {
      const app = ctx.state.application(requiredString(body, 'applicationID'));
      for (const srv of idList(body, 'sourceServerIDs', 'sourceServerID', IDS_PER_CALL).map((id) => ctx.state.server(id))) {
        if (srv.applicationID === app.applicationID) srv.applicationID = undefined;
      }
      touch(ctx, app);
      return {};
    },
  },
};
