import { parseArgs } from 'node:util';
import { synthesizeEstate, StackSummary } from '../infra/app';
import { loadFactoryFile } from '../config/load';
import { Command, defaultConfigPath, outputFolder, parseUsage } from './options';

export const synthCommand: Command = {
  usage: 'rehost-factory synth [--config FILE] [--out DIR]',
  summary: 'Validate the estate and synthesize its Terraform stacks (default: factory.yaml, else examples/factory.yaml)',
  async run(argv, io) {
    const { values } = parseUsage(() => parseArgs({ args: argv, strict: true, options: { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' } } }));
    const file = values.config ?? defaultConfigPath();
    const outdir = outputFolder('--out', values.out ?? 'cdktf.out');
    const { config } = loadFactoryFile(file);
    const started = Date.now();
    const stacks = synthesizeEstate(config, outdir);
    io.out(renderSummary(file, outdir, stacks, Date.now() - started));
    return 0;
  },
};

export function renderSummary(file: string, outdir: string, stacks: StackSummary[], ms: number): string {
  const lines = [`Synthesized ${file} → ${outdir}/stacks (${stacks.length} stacks, ${(ms / 1000).toFixed(1)} s)`];
  for (const s of stacks) {
    lines.push(`  ${s.name.padEnd(12)} ${String(s.total).padStart(4)} resources`);
    for (const [type, n] of Object.entries(s.resources).sort()) lines.push(`      ${String(n).padStart(3)}  ${type}`);
  }
  const total = stacks.reduce((a, s) => a + s.total, 0);
  lines.push(`  ${'total'.padEnd(12)} ${String(total).padStart(4)} resources`);
  return lines.join('\n');
}
