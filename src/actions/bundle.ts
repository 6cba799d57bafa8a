/**
 * The build of the GitHub actions: actions/<name>/dist/index.js is src/actions/<name>.ts bundled by
 * esbuild with everything it imports (the `bundle:actions` task runs this file; a test rebuilds
 * every action with these options and compares with the committed bundle). An action runs once per
 * server per wave, so its start-up is paid hundreds of times: the bundles are minified and the
 * plugins below keep out code that esbuild alone would carry along.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/** Every action of actions/: actions/<name>/action.yml runs the bundle of src/actions/<name>.ts. */
export const ACTIONS = ['plan-review', 'wave-plan', 'server-cutover', 'wave-report', 'vm-import'] as const;
export type ActionName = (typeof ACTIONS)[number];

/** The repository root (this file is src/actions/bundle.ts). */
const ROOT = join(__dirname, '..', '..');

/**
 * The AWS SDK clients' schema modules (dist-es/schemas/schemas_N.js) declare one schema per shape
 * and key member traits by computed keys: `{ [_xN]: _m }` with `const _xN = "xmlName"` at the top
 * of the file. esbuild cannot prove a computed key free of side effects, so it keeps every schema
 * of the client, used or not (client-ec2 has some 2,400). Writing the literal the file declares in
 * place of the computed key lets esbuild drop the schemas no command we import uses: 0.5 MB less of
 * the minified wave-plan bundle (2.01 → 1.50 MB).
 */
export const inlineSchemaKeys: Plugin = {
  name: 'inline-schema-keys',
  setup(b) {
    b.onLoad({ filter: /@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const constants = new Map([...source.matchAll(/^const (_\w+) = ("[^"\\]*");$/gm)].map((m) => [m[1], m[2]]));
      return { contents: source.replace(/\[(_\w+)\]:/g, (key: string, id: string) => (constants.has(id) ? `${constants.get(id)}:` : key)), loader: 'js' };
    });
  },
};

/**
 * undici and tunnel are CommonJS packages that do not declare `"sideEffects": false`, so esbuild
 * keeps them whole (0.42 MB minified) although only @actions/http-client imports them, for what
 * no action but plan-review (its Octokit) calls. Marked side-effect free, they stay in a bundle
 * only where a function that is kept uses them: wave-report 0.43 → 0.01 MB.
 */
export const pureProxyDeps: Plugin = {
  name: 'pure-proxy-deps',
  setup(b) {
    b.onResolve({ filter: /^(undici|tunnel)$/ }, async (args) => {
      if (args.pluginData?.pureProxyDeps) return undefined;
      const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { pureProxyDeps: true } });
      return { ...resolved, sideEffects: false };
    });
  },
};

/** The esbuild options that bundle one action into `outfile`. */
export function actionBuildOptions(name: ActionName, outfile: string): BuildOptions {
  return {
    entryPoints: [`src/actions/${name}.ts`],
    absWorkingDir: ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    // The SDK's ES modules (its "module" entry) tree-shake; its CommonJS dist does not.
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [inlineSchemaKeys, pureProxyDeps],
  };
}

/** Where the committed bundle of an action lives (runs.main of its action.yml). */
export function actionBundlePath(name: ActionName): string {
  return join(ROOT, 'actions', name, 'dist', 'index.js');
}

/** Bundles one action into `outfile` (by default its committed place). */
export async function bundleAction(name: ActionName, outfile: string = actionBundlePath(name)): Promise<void> {
  await build(actionBuildOptions(name, outfile));
}

/** Bundles the named actions, by default every one (the `bundle:actions` task). */
export async function bundleActions(names: readonly string[] = ACTIONS): Promise<void> {
  const unknown = names.filter((n) => !(ACTIONS as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`no such action: ${unknown.join(', ')} (the actions: ${ACTIONS.join(', ')})`);
  for (const name of names as readonly ActionName[]) {
    await bundleAction(name);
    console.log(`actions/${name}/dist/index.js: ${(statSync(actionBundlePath(name)).size / 1e6).toFixed(2)} MB`);
  }
}

// ts-node --swc src/actions/bundle.ts [action...]
if (require.main === module) {
  bundleActions(process.argv.length > 2 ? process.argv.slice(2) : ACTIONS).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
