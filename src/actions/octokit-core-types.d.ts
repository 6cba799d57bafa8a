/**
 * @actions/github 9's declarations import `@octokit/core/types`, a subpath that only package
 * "exports" map; this project's TypeScript resolves modules the CommonJS (node10) way, which reads
 * no "exports", so without this the Octokit that getOctokit returns would lose its REST methods'
 * types. Types only: esbuild resolves the runtime modules by "exports".
 */
declare module '@octokit/core/types' {
  export * from '@octokit/core/dist-types/types';
}
