// Entry point for the cdktf CLI (cdktf.json "app"): `npx cdktf synth` builds the same app as
// `rehost-factory synth`. The estate file comes from REHOST_FACTORY_CONFIG or the default lookup.
import { buildApp, synthesizeInto, writeTargetAccountRoles } from './infra/app';
import { defaultConfigPath } from './config/locate';
import { ConfigError } from './config/errors';
import { loadFactoryFile } from './config/load';

/** Validates, then synthesizes; an invalid estate is reported file:line:column and exits 2 with nothing written. */
function main(): number {
  const file = process.env.REHOST_FACTORY_CONFIG ?? defaultConfigPath();
  try {
    const { config } = loadFactoryFile(file);
    const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
    synthesizeInto(outdir, (dir) => buildApp(config, dir));
    writeTargetAccountRoles(config, outdir);
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    return e.exitCode;
  }
}

process.exitCode = main();
