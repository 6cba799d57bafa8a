import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The pipelines' handlers. Each `src/infra/lambdas/<name>.ts` exports `handler`; `npx projen
 * bundle:lambdas` bundles them with esbuild into `src/infra/lambdas/dist/<name>.js` (committed, so that
 * synth works from a checkout), which the automation stack packages as one archive.
 */
export const LAMBDA_HANDLERS = ['resolve-source-image', 'resolve-backup-target', 'apply-retention', 'recover-stopped-run'] as const;
export type LambdaHandlerName = (typeof LAMBDA_HANDLERS)[number];

/**
 * The directory of the bundles: `dist/` next to this module (src/infra/lambdas/dist in a checkout;
 * lib/infra/lambdas/dist after a full `npx projen build`, whose post-compile step copies it), else the
 * committed src/infra/lambdas/dist of the package root above `from`: `npx projen compile` alone runs
 * only tsc, and the compiled CLI must still find the handlers.
 */
export function findLambdaBundleDir(from: string): string {
  const bundled = (dir: string) => existsSync(join(dir, `${LAMBDA_HANDLERS[0]}.js`));
  const beside = join(from, 'dist');
  if (bundled(beside)) return beside;
  for (let dir = dirname(from), up = 0; up < 6; up++, dir = dirname(dir)) {
    const candidate = join(dir, 'src', 'infra', 'lambdas', 'dist');
    if (bundled(candidate)) return candidate;
  }
  return beside; // missing everywhere: synth names this path in its error
}

/** Directory of the bundles. */
export const LAMBDA_BUNDLE_DIR = findLambdaBundleDir(__dirname);

/**
 * esbuild arguments of the bundles. The AWS SDK v3 is left out: the nodejs22.x runtime provides it,
 * which keeps each bundle a few kilobytes.
 */
export function bundleArgs(outdir: string): string[] {
  return [
    ...LAMBDA_HANDLERS.map((h) => `src/infra/lambdas/${h}.ts`),
    '--bundle',
    '--platform=node',
    '--target=node22',
    '--format=cjs',
    `--outdir=${outdir}`,
    '--external:@aws-sdk/*',
    '--legal-comments=none',
    '--log-level=warning',
  ];
}
