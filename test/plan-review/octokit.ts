import { buildSync } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { getOctokit as GetOctokit } from '@actions/github';
import { ROOT } from '../support/tools';

/**
 * `getOctokit` of @actions/github, loaded the way the action bundle loads it. @actions/github 8
 * is CommonJS but requires @octokit/core 7, which is ESM-only; jest's CommonJS runtime cannot load
 * it, while esbuild (which builds actions/<name>/dist) converts it. So the tests bundle the same
 * package with the same tool instead of mocking Octokit.
 */
export function loadGetOctokit(): typeof GetOctokit {
  const outfile = join(mkdtempSync(join(tmpdir(), 'rehost-octokit-')), 'octokit.js');
  buildSync({
    stdin: { contents: "export { getOctokit } from '@actions/github';", resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return (require(outfile) as { getOctokit: typeof GetOctokit }).getOctokit;
}
