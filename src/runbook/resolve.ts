import { DescribeSourceServersCommand, type MgnClient, type SourceServer } from '@aws-sdk/client-mgn';
import type { Server } from '../config/schema';
import { RehostError } from '../core/errors';
import { silentLogger } from './context';
import { listAll } from './paginate';
import type { RetryRuntime } from './runtime';

/** A configured server and the MGN source server it is. */
export interface ResolvedServer {
  readonly server: Server;
  readonly application: string;
  readonly sourceServer: SourceServer;
  readonly sourceServerID: string;
  /** Which field matched, for the plan and the audit trail. */
  readonly matchedBy: 'sourceServerId' | 'fqdn' | 'hostname' | 'ipAddress';
}

/** Servers that could not be resolved, each with the reason; nothing is mutated when this is thrown. */
export class ResolutionError extends RehostError {
  constructor(public readonly problems: ReadonlyArray<{ server: string; reason: string }>) {
    super('refusal', `cannot match ${problems.length} server${problems.length === 1 ? '' : 's'} to MGN source servers:\n` + problems.map((p) => `  ${p.server}: ${p.reason}`).join('\n'));
    this.name = 'ResolutionError';
  }
}

/** Every source server of the account and Region (archived included: an ID may name one). */
export async function listSourceServers(mgn: MgnClient, rt: RetryRuntime, filters: { sourceServerIDs?: string[] } = {}): Promise<SourceServer[]> {
  return listAll({ ...rt, logger: rt.logger ?? silentLogger }, 'mgn:DescribeSourceServers', (nextToken) => mgn.send(new DescribeSourceServersCommand({ filters, maxResults: 1000, nextToken })));
}

const lower = (s: string | undefined) => s?.trim().toLowerCase() || undefined;

function ipsOf(s: SourceServer): string[] {
  return (s.sourceProperties?.networkInterfaces ?? []).flatMap((n) => n.ips ?? []);
}

type Criterion = { by: ResolvedServer['matchedBy']; value?: string; matches: (s: SourceServer) => boolean };

function criteria(server: Server): Criterion[] {
  const fqdn = lower(server.fqdn);
  const host = lower(server.hostname);
  return [
    { by: 'fqdn', value: server.fqdn, matches: (s) => !!fqdn && lower(s.sourceProperties?.identificationHints?.fqdn) === fqdn },
    { by: 'hostname', value: server.hostname, matches: (s) => !!host && lower(s.sourceProperties?.identificationHints?.hostname) === host },
    { by: 'ipAddress', value: server.ipAddress, matches: (s) => !!server.ipAddress && ipsOf(s).includes(server.ipAddress) },
  ];
}

/**
 * Matches each configured server to exactly one source server: by sourceServerId when given (no
 * fallback: a wrong ID is an error), else FQDN, then hostname, then IP address. Imported and
 * archived servers may lack identificationHints, hence the IP fallback. Archived
 * servers are only considered when no live one matches (a re-installed agent leaves an archived twin).
 */
export function resolveServers(servers: ReadonlyArray<{ server: Server; application: string }>, sourceServers: readonly SourceServer[]): ResolvedServer[] {
  const problems: Array<{ server: string; reason: string }> = [];
  const resolved: ResolvedServer[] = [];
  const byId = new Map(sourceServers.map((s) => [s.sourceServerID, s]));
  const live = sourceServers.filter((s) => !s.isArchived);
  const archived = sourceServers.filter((s) => s.isArchived);
  for (const { server, application } of servers) {
    if (server.sourceServerId) {
      const s = byId.get(server.sourceServerId);
      if (s) resolved.push({ server, application, sourceServer: s, sourceServerID: server.sourceServerId, matchedBy: 'sourceServerId' });
      else problems.push({ server: server.name, reason: `sourceServerId ${server.sourceServerId} does not exist in MGN` });
      continue;
    }
    let found: ResolvedServer | undefined;
    let ambiguous: string | undefined;
    outer: for (const pool of [live, archived]) {
      for (const c of criteria(server)) {
        if (!c.value) continue;
        const hits = pool.filter(c.matches);
        if (hits.length === 1) {
          found = { server, application, sourceServer: hits[0], sourceServerID: hits[0].sourceServerID!, matchedBy: c.by };
          break outer;
        }
        if (hits.length > 1) {
          ambiguous = `${c.by} "${c.value}" matches ${hits.length} source servers (${hits.map((h) => h.sourceServerID).join(', ')}); set sourceServerId to choose one`;
          break outer;
        }
      }
    }
    if (found) resolved.push(found);
    else {
      const tried = criteria(server).filter((c) => c.value).map((c) => `${c.by} "${c.value}"`);
      problems.push({ server: server.name, reason: ambiguous ?? (tried.length ? `no source server matches ${tried.join(', ')}` : 'has no sourceServerId, fqdn, hostname or ipAddress to match') });
    }
  }
  const owners = new Map<string, string[]>();
  for (const r of resolved) owners.set(r.sourceServerID, [...(owners.get(r.sourceServerID) ?? []), r.server.name]);
  for (const [id, names] of owners) {
    if (names.length > 1) for (const n of names) problems.push({ server: n, reason: `matches source server ${id}, which ${names.filter((x) => x !== n).join(', ')} also matches` });
  }
  if (problems.length) throw new ResolutionError(problems);
  return resolved;
}
