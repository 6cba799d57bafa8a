import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../support/tools';

export interface SampleEvent {
  readonly file: string;
  /** The AWS documentation page the sample is copied from. */
  readonly source: string;
  readonly event: Record<string, unknown> & { detail: Record<string, unknown>; resources: string[] };
}

const DIR = join(ROOT, 'test', 'fixtures', 'events');

/** A documented sample event by file name (without .json); a fresh copy each call. */
export function sampleEvent(name: string): SampleEvent {
  const raw = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Omit<SampleEvent, 'file'>;
  return { file: name, ...raw };
}

export function allSampleEvents(): SampleEvent[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => sampleEvent(f.replace(/\.json$/, '')));
}
