import type { DataReplicationState, LifeCycleState } from '@aws-sdk/client-mgn';
import { type Ec2Backend, Limiter } from './ec2';
import type { MgnState, ServerRecord } from './state';
import type { SeedServer } from './types';

const LIFECYCLE_STATES: LifeCycleState[] = ['STOPPED', 'NOT_READY', 'READY_FOR_TEST', 'TESTING', 'READY_FOR_CUTOVER', 'CUTTING_OVER', 'CUTOVER', 'DISCONNECTED', 'DISCOVERED', 'PENDING_INSTALLATION'];
const REPLICATION_STATES: DataReplicationState[] = [
  'STOPPED', 'INITIATING', 'INITIAL_SYNC', 'BACKLOG', 'CREATING_SNAPSHOT', 'CONTINUOUS', 'PAUSED', 'RESCAN', 'STALLED', 'DISCONNECTED', 'PENDING_SNAPSHOT_SHIPPING', 'SHIPPING_SNAPSHOT',
];
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/**
 * Adds source servers as if their replication agents had registered. Each gets MGN's default
 * launch configuration and an EC2 launch template, created right away in the background (at most a
 * few at a time) and awaited by whichever call first needs it.
 */
export function seedServers(state: MgnState, ec2: Ec2Backend, limiter: Limiter, seeds: SeedServer[]): Array<{ sourceServerID: string; hostname: string }> {
  const records = seeds.map((seed, index) => toRecord(state, ec2, limiter, seed, index));
  const ids = new Set<string>();
  for (const r of records) {
    if (state.servers.has(r.id) || ids.has(r.id)) throw new Error(`MGN fake: source server ID ${r.id} (${r.hostname}) is seeded twice`);
    ids.add(r.id);
  }
  for (const r of records) {
    state.servers.set(r.id, r);
    state.tags.set(r.arn, {});
  }
  return records.map((r) => ({ sourceServerID: r.id, hostname: r.hostname }));
}

function toRecord(state: MgnState, ec2: Ec2Backend, limiter: Limiter, seed: SeedServer, index: number): ServerRecord {
  const where = `MGN fake: seed server #${index} (${seed.hostname ?? 'no hostname'})`;
  if (!seed.hostname) throw new Error(`${where}: hostname is required`);
  const id = seed.sourceServerId ?? state.ids.next('s');
  if (!/^s-[0-9a-zA-Z]{17}$/.test(id)) throw new Error(`${where}: sourceServerId ${id} does not match s-<17 alphanumerics>`);
  const lifeCycle = (seed.lifeCycleState ?? 'READY_FOR_TEST') as LifeCycleState;
  if (!LIFECYCLE_STATES.includes(lifeCycle)) throw new Error(`${where}: lifeCycleState ${lifeCycle} is not one of ${LIFECYCLE_STATES.join(', ')}`);
  const replication = (seed.replicationState ?? 'CONTINUOUS') as DataReplicationState;
  if (!REPLICATION_STATES.includes(replication)) throw new Error(`${where}: replicationState ${replication} is not one of ${REPLICATION_STATES.join(', ')}`);
  const lag = seed.lagDuration === undefined ? 'PT1M' : seed.lagDuration;
  if (lag !== null && !ISO_DURATION.test(lag)) throw new Error(`${where}: lagDuration ${JSON.stringify(lag)} is not an ISO-8601 duration (e.g. PT5M) or null`);
  const launchTemplate = limiter.run(() => ec2.createLaunchTemplate(id, seed.hostname));
  // The rejection surfaces when a call awaits the template; do not also report it as unhandled.
  launchTemplate.catch(() => undefined);
  return {
    id,
    arn: state.arn('source-server', id),
    hostname: seed.hostname,
    fqdn: seed.fqdn,
    ipAddress: seed.ipAddress,
    os: seed.os ?? 'linux',
    withHints: seed.withHints ?? true,
    addedAt: state.iso(),
    state: lifeCycle,
    replicationState: replication,
    lagDuration: lag,
    isArchived: false,
    launchConfiguration: {
      name: seed.hostname,
      launchDisposition: 'STARTED',
      targetInstanceTypeRightSizingMethod: 'BASIC',
      copyPrivateIp: false,
      copyTags: true,
      licensing: { osByol: true },
      bootMode: 'LEGACY_BIOS',
      postLaunchActions: { deployment: 'TEST_AND_CUTOVER', ssmDocuments: [] },
      enableMapAutoTagging: false,
    },
    launchTemplate,
    actions: new Map(),
  };
}
