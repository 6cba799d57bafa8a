import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StackSummary, synthesizeEstate } from '../../src/infra/app';
import { loadFactoryFile } from '../../src/config/load';
import { FactoryConfig } from '../../src/config/schema';
import { ROOT } from './tools';

/** Loads an example estate by file name (examples/<name>). */
export function exampleConfig(name = 'factory.yaml'): FactoryConfig {
  return loadFactoryFile(join(ROOT, 'examples', name)).config;
}

/** Synthesizes an estate into a fresh temp directory. */
export function synthToTemp(config: FactoryConfig): { outdir: string; stacks: StackSummary[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'rehost-synth-'));
  return { outdir, stacks: synthesizeEstate(config, outdir) };
}
