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
import { errorCode } from './retry';
import { account, call, type Runtime } from './runtime';

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
  const waves = await listAll<MgnWave>(rt, 'mgn:ListWaves', (nextToken) => mgn.send(new ListWavesCommand({ filters: { isArchived: false }, nextToken, ...acct })));
  let mgnWave = waves.find((w) => w.name === wave.name);
  if (!mgnWave) {
    mgnWave = await createOrFind(
      () => call(rt, 'mgn:CreateWave', () => mgn.send(new CreateWaveCommand({ name: wave.name, description: wave.description, tags: { 'rehost-factory:estate': rt.config.name }, ...acct }))),
      async () => (await listAll<MgnWave>(rt, 'mgn:ListWaves', (nextToken) => mgn.send(new ListWavesCommand({ filters: { isArchived: false }, nextToken, ...acct })))).find((w) => w.name === wave.name),
    );
    created.push(`wave ${wave.name}`);
  }
  const waveID = mgnWave.waveID!;
  const apps = await listAll<Application>(rt, 'mgn:ListApplications', (nextToken) => mgn.send(new ListApplicationsCommand({ filters: { isArchived: false }, nextToken, ...acct })));
  const applicationIDs: Record<string, string> = {};
  const toAssociate: string[] = [];
  for (const a of wave.applications) {
    let app = apps.find((x) => x.name === a.name);
    if (!app) {
      app = await createOrFind(
        () => call(rt, 'mgn:CreateApplication', () => mgn.send(new CreateApplicationCommand({ name: a.name, description: a.description, tags: { 'rehost-factory:estate': rt.config.name }, ...acct }))),
        async () => (await listAll<Application>(rt, 'mgn:ListApplications', (nextToken) => mgn.send(new ListApplicationsCommand({ filters: { isArchived: false }, nextToken, ...acct })))).find((x) => x.name === a.name),
      );
      created.push(`application ${a.name}`);
    }
    applicationIDs[a.name] = app.applicationID!;
    if (app.waveID !== waveID) toAssociate.push(app.applicationID!);
  }
  for (const ids of chunk(toAssociate, IDS_PER_ASSOCIATE_CALL)) {
    await call(rt, 'mgn:AssociateApplications', () => mgn.send(new AssociateApplicationsCommand({ waveID, applicationIDs: ids, ...acct })));
  }
  let associatedServers = 0;
  for (const [name, applicationID] of Object.entries(applicationIDs)) {
    const members = servers.filter((s) => s.application === name && s.sourceServer.applicationID !== applicationID);
    // A server belongs to one application: move it out of the old one first.
    const byOld = new Map<string, string[]>();
    for (const m of members) if (m.sourceServer.applicationID) byOld.set(m.sourceServer.applicationID, [...(byOld.get(m.sourceServer.applicationID) ?? []), m.sourceServerID]);
    for (const [old, ids] of byOld) {
      for (const part of chunk(ids, IDS_PER_ASSOCIATE_CALL)) {
        await call(rt, 'mgn:DisassociateSourceServers', () => mgn.send(new DisassociateSourceServersCommand({ applicationID: old, sourceServerIDs: part, ...acct })));
      }
    }
    for (const part of chunk(members.map((m) => m.sourceServerID), IDS_PER_ASSOCIATE_CALL)) {
      await call(rt, 'mgn:AssociateSourceServers', () => mgn.send(new AssociateSourceServersCommand({ applicationID, sourceServerIDs: part, ...acct })));
      associatedServers += part.length;
    }
  }
  return { waveID, applicationIDs, created, associatedServers };
}

/**
 * Creates a named MGN object; when a retried create meets the object an earlier, unanswered attempt
 * made (ConflictException: the name exists), it is found by name instead of failing the run.
 */
async function createOrFind<T>(create: () => Promise<T>, find: () => Promise<T | undefined>): Promise<T> {
  try {
    return await create();
  } catch (e) {
    if (errorCode(e) !== 'ConflictException') throw e;
    const existing = await find();
    if (!existing) throw e;
    return existing;
  }
}
