import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The rehost-factory package this module belongs to: its folder and version. */
export interface PackageInfo {
  readonly root: string;
  readonly version: string;
}

/**
 * The folder of the package holding this module: the nearest package.json named rehost-factory
 * above it (src/projen in the source tree, lib/projen once compiled or installed).
 */
export function packageInfo(from: string = __dirname): PackageInfo {
  for (let dir = from, up = 0; up < 6; up++, dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'rehost-factory') return { root: dir, version: pkg.version ?? '0.0.0' };
  }
  throw new Error(`rehost-factory: no package.json named rehost-factory above ${from}; the package is incomplete`);
}
