// Entry point for the cdktf CLI (cdktf.json "app"): `npx cdktf synth` builds the same app as
// `rehost-factory synth`. The estate file comes from REHOST_FACTORY_CONFIG or the default lookup.
import { buildApp } from './app';
import { defaultConfigPath } from './cli/options';
import { loadFactoryFile } from './config/load';

const file = process.env.REHOST_FACTORY_CONFIG ?? defaultConfigPath();
const { config } = loadFactoryFile(file);
buildApp(config, process.env.CDKTF_OUTDIR ?? 'cdktf.out').synth();
