import { join } from 'node:path';

/**
 * The pipelines' handlers. Each `src/lambdas/<name>.ts` exports `handler`; `npx projen
 * bundle:lambdas` bundles them with esbuild into `src/lambdas/dist/<name>.js` (committed, so that
 * synth works from a checkout), which the automation stack packages as one archive.
 */
export const LAMBDA_HANDLERS = ['resolve-source-image', 'resolve-backup-target', 'apply-retention', 'recover-stopped-run'] as const;
export type LambdaHandlerName = (typeof LAMBDA_HANDLERS)[number];

/** Directory of the bundles. */
export const LAMBDA_BUNDLE_DIR = join(__dirname, 'dist');

/**
 * esbuild arguments of the bundles. The AWS SDK v3 is left out: the nodejs20.x runtime provides it,
 * which keeps each bundle a few kilobytes.
 */
export function bundleArgs(outdir: string): string[] {
  return [
    ...LAMBDA_HANDLERS.map((h) => `src/lambdas/${h}.ts`),
    '--bundle',
    '--platform=node',
    '--target=node20',
    '--format=cjs',
    `--outdir=${outdir}`,
    '--external:@aws-sdk/*',
    '--legal-comments=none',
    '--log-level=warning',
  ];
}
