import {
  type Application,
  AssociateApplicationsCommand,
  AssociateSourceServersCommand,
  CreateApplicationCommand,
  CreateWaveCommand,
  DisassociateSourceServersCommand,
  ListApplicationsCommand,
  ListWavesCommand,
  type Wave as MgnWave,
} from '@aws-sdk/client-mgn';
import type { Wave } from '../config/schema';
import { chunk } from './batching';
import type { ResolvedServer } from './resolve';
import { listAll } from './paginate';
import { type Effect, notYet, reconciled, tookEffect } from './reconcile';
import { listSourceServers } from './resolve';
import { account, type Runtime } from './runtime';

/** MGN accepts at most 50 IDs per AssociateSourceServers/AssociateApplications call. */
export const IDS_PER_ASSOCIATE_CALL = 50;

/** What the sync did, for the log and the plan output. */
export interface SyncResult {
  readonly waveID: string;
  readonly applicationIDs: Record<string, string>;
  readonly created: string[];
  readonly associatedServers: number;
}

/**
 * Makes MGN's own wave and applications match factory.yaml so the console shows the same plan:
 * creates what is missing (found by name), associates applications with the wave and the resolved
 * servers with their application (≤ 50 per call). Reads first and changes only what differs, so a
 * re-run makes no calls beyond the reads.
 */
export async function syncMgnPlan(rt: Runtime, wave: Wave, servers: readonly ResolvedServer[]): Promise<SyncResult> {
  const { mgn } = rt.clients;
  const acct = account(rt);
  const created: string[] = [];
  const listWaves = () => listAll<MgnWave>(rt, 'mgn:ListWaves', (nextToken) => mgn.send(new ListWavesCommand({ filters: { isArchived: false }, nextToken, ...acct })));
  const listApps = (applicationIDs?: string[]) =>
    listAll<Application>(rt, 'mgn:ListApplications', (nextToken) => mgn.send(new ListApplicationsCommand({ filters: { isArchived: false, ...(applicationIDs ? { applicationIDs } : {}) }, nextToken, ...acct })));
  const readServers = (ids: string[]) => listSourceServers(mgn, rt, { sourceServerIDs: ids });
  let mgnWave = (await listWaves()).find((w) => w.name === wave.name);
  if (!mgnWave) {
    // A create whose answer was lost made the object: found by name, not made twice.
    mgnWave = await reconciled(rt, {
      call: 'mgn:CreateWave',
      target: `wave ${wave.name}`,
      send: () => mgn.send(new CreateWaveCommand({ name: wave.name, description: wave.description, tags: { 'rehost-factory:estate': rt.config.name }, ...acct })),
      effect: async () => found((await listWaves()).find((w) => w.name === wave.name)),
    });
    created.push(`wave ${wave.name}`);
  }
  const waveID = mgnWave.waveID!;
  const apps = await listApps();
  const applicationIDs: Record<string, string> = {};
  const toAssociate: string[] = [];
  for (const a of wave.applications) {
    let app = apps.find((x) => x.name === a.name);
    if (!app) {
      app = await reconciled(rt, {
        call: 'mgn:CreateApplication',
        target: `application ${a.name}`,
        send: () => mgn.send(new CreateApplicationCommand({ name: a.name, description: a.description, tags: { 'rehost-factory:estate': rt.config.name }, ...acct })),
        effect: async () => found((await listApps()).find((x) => x.name === a.name)),
      });
      created.push(`application ${a.name}`);
    }
    applicationIDs[a.name] = app.applicationID!;
    if (app.waveID !== waveID) toAssociate.push(app.applicationID!);
  }
  for (const ids of chunk(toAssociate, IDS_PER_ASSOCIATE_CALL)) {
    await reconciled(rt, {
      call: 'mgn:AssociateApplications',
      target: `${ids.length} applications with wave ${wave.name}`,
      send: () => mgn.send(new AssociateApplicationsCommand({ waveID, applicationIDs: ids, ...acct })),
      effect: async () => ((await listApps(ids)).every((x) => x.waveID === waveID) ? tookEffect(undefined) : notYet),
    });
  }
  let associatedServers = 0;
  for (const [name, applicationID] of Object.entries(applicationIDs)) {
    const members = servers.filter((s) => s.application === name && s.sourceServer.applicationID !== applicationID);
    // A server belongs to one application: move it out of the old one first.
    const byOld = new Map<string, string[]>();
    for (const m of members) if (m.sourceServer.applicationID) byOld.set(m.sourceServer.applicationID, [...(byOld.get(m.sourceServer.applicationID) ?? []), m.sourceServerID]);
    for (const [old, ids] of byOld) {
      for (const part of chunk(ids, IDS_PER_ASSOCIATE_CALL)) {
        await reconciled(rt, {
          call: 'mgn:DisassociateSourceServers',
          target: `${part.length} servers from application ${old}`,
          send: () => mgn.send(new DisassociateSourceServersCommand({ applicationID: old, sourceServerIDs: part, ...acct })),
          effect: async () => ((await readServers(part)).every((x) => x.applicationID !== old) ? tookEffect(undefined) : notYet),
        });
      }
    }
    for (const part of chunk(members.map((m) => m.sourceServerID), IDS_PER_ASSOCIATE_CALL)) {
      await reconciled(rt, {
        call: 'mgn:AssociateSourceServers',
        target: `${part.length} servers with application ${name}`,
        send: () => mgn.send(new AssociateSourceServersCommand({ applicationID, sourceServerIDs: part, ...acct })),
        effect: async () => ((await readServers(part)).every((x) => x.applicationID === applicationID) ? tookEffect(undefined) : notYet),
      });
      associatedServers += part.length;
    }
  }
  return { waveID, applicationIDs, created, associatedServers };
}

/** An object found by name is the effect of its create (a retried create meets it as a ConflictException). */
function found<T>(item: T | undefined): Effect<T> {
  return item ? tookEffect(item) : notYet;
}
