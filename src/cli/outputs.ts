import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadFactoryFile } from '../config/load';
import { RehostError } from '../core/errors';
import { appendGithubOutputs } from './github-output';
import { Command, defaultConfigPath, parseUsage, UsageError } from './options';

/** The stack whose AWS provider gives the estate's Region in a synthesized folder. */
const REGION_STACK = 'network';

/**
 * `outputs`: the values the workflows read from an estate, as `name=value` lines, and appended to
 * $GITHUB_OUTPUT with --github-output (a failure fails the step instead of writing an empty value).
 * - `stacks`: the stacks of a synthesized folder in dependency order (`names`, space-separated;
 *   cdktf's manifest lists them alphabetically) and the Region of their AWS provider (`region`);
 * - `region`: the Region of an estate file.
 */
export const outputsCommand: Command = {
  usage: 'rehost-factory outputs stacks|region [--dir DIR] [--config FILE] [--github-output]',
  summary: 'Print what the workflows read, as name=value lines: `stacks` the synthesized stacks in dependency order and their Region (DIR, default cdktf.out), `region` the estate\'s Region (FILE, default factory.yaml, else examples/factory.yaml); --github-output appends them to $GITHUB_OUTPUT',
  async run(argv, io) {
    const { values, positionals } = parseUsage(() => parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { dir: { type: 'string' }, config: { type: 'string', short: 'c' }, 'github-output': { type: 'boolean' } },
    }));
    const [what, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    let outputs: Record<string, string>;
    if (what === 'stacks') {
      if (values.config !== undefined) throw new UsageError('--config goes with `outputs region`; `outputs stacks` reads --dir');
      outputs = synthesizedOutputs(values.dir ?? 'cdktf.out');
    } else if (what === 'region') {
      if (values.dir !== undefined) throw new UsageError('--dir goes with `outputs stacks`; `outputs region` reads --config');
      outputs = { region: loadFactoryFile(values.config ?? defaultConfigPath()).config.region };
    } else {
      throw new UsageError(what ? `unknown outputs "${what}": expected stacks or region` : 'say which outputs: stacks or region');
    }
    if (values['github-output']) appendGithubOutputs(outputs);
    for (const [name, value] of Object.entries(outputs)) io.out(`${name}=${value}`);
    return 0;
  },
};

/** `names` and `region` of a folder `synth` wrote. */
export function synthesizedOutputs(dir: string): { names: string; region: string } {
  const manifest = readJson(join(dir, 'manifest.json'), 'run `rehost-factory synth --out DIR` first') as { stacks?: Record<string, { dependencies?: string[] }> };
  if (!manifest || typeof manifest.stacks !== 'object' || manifest.stacks === null) throw invalid(join(dir, 'manifest.json'), 'expected cdktf\'s manifest with a "stacks" object');
  const names = dependencyOrder(Object.fromEntries(Object.entries(manifest.stacks).map(([name, s]) => [name, s?.dependencies ?? []])), join(dir, 'manifest.json'));
  if (!names.includes(REGION_STACK)) throw invalid(join(dir, 'manifest.json'), `no "${REGION_STACK}" stack, whose AWS provider gives the Region (stacks: ${names.join(', ') || 'none'})`);
  const file = join(dir, 'stacks', REGION_STACK, 'cdk.tf.json');
  const stack = readJson(file, 'the manifest lists it') as { provider?: { aws?: Array<{ region?: unknown }> } };
  const region = stack?.provider?.aws?.[0]?.region;
  if (typeof region !== 'string' || !region) throw invalid(file, 'provider.aws[0].region: expected the Region of the stack\'s AWS provider');
  return { names: names.join(' '), region };
}

/** Every stack after the stacks it depends on; otherwise in the order given. */
export function dependencyOrder(dependencies: Readonly<Record<string, readonly string[]>>, file: string): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw invalid(file, `the stacks depend on each other in a cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const dep of dependencies[name]) {
      if (!(dep in dependencies)) throw invalid(file, `stack "${name}" depends on "${dep}", which is not in the manifest`);
      visit(dep, [...path, name]);
    }
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(dependencies)) visit(name, []);
  return order;
}

function readJson(file: string, hint: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(file, `not found (${hint})`);
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalid(file, `not JSON: ${(e as Error).message}`);
  }
}

const invalid = (file: string, message: string) => new RehostError('invalid-input', `${file}: ${message}`);
