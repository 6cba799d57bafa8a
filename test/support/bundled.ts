import { buildSync } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './tools';

/**
 * Loads an ES module (`source`, resolved from the repository root) the way the action bundles load
 * it: bundled by esbuild into CommonJS. @actions/core 3 and @actions/github 9 are ESM-only and
 * jest's CommonJS runtime cannot require them, so the tests bundle the same packages with the same
 * tool instead of mocking them.
 */
export function requireBundled<T>(source: string, name: string): T {
  const outfile = join(mkdtempSync(join(tmpdir(), `rehost-${name}-`)), `${name}.js`);
  buildSync({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return require(outfile) as T;
}
