import type { FactoryConfig, Server, Wave } from '../config/schema';
import { RehostError } from '../core/errors';

/** A wave, server filter or mode that does not fit factory.yaml; raised before any AWS call. */
export class WaveInputError extends RehostError {
  constructor(message: string) {
    super('invalid-input', message);
    this.name = 'WaveInputError';
  }
}

/** The wave and the servers of it a run works on (all of them unless a filter names some). */
export function selectServers(config: FactoryConfig, waveName: string, filter?: readonly string[]): { wave: Wave; servers: Array<{ server: Server; application: string }> } {
  const wave = config.waves.find((w) => w.name === waveName);
  if (!wave) throw new WaveInputError(`unknown wave "${waveName}": factory.yaml has ${config.waves.map((w) => `"${w.name}"`).join(', ')}`);
  const all = wave.applications.flatMap((a) => a.servers.map((server) => ({ server, application: a.name })));
  const wanted = (filter ?? []).map((s) => s.trim()).filter(Boolean);
  if (!wanted.length) return { wave, servers: all };
  const unknown = wanted.filter((n) => !all.some((s) => s.server.name === n));
  if (unknown.length) {
    const elsewhere = unknown.map((n) => {
      const other = config.waves.find((w) => w.applications.some((a) => a.servers.some((s) => s.name === n)));
      return other ? `"${n}" (it is in wave "${other.name}")` : `"${n}"`;
    });
    throw new WaveInputError(`server${unknown.length === 1 ? '' : 's'} ${elsewhere.join(', ')} not in wave "${wave.name}", whose servers are: ${all.map((s) => s.server.name).join(', ')}`);
  }
  return { wave, servers: all.filter((s) => wanted.includes(s.server.name)) };
}

/** "web01, web02" or "web01 web02" (as a workflow input or a CLI flag). */
export function parseServerList(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter(Boolean);
}
