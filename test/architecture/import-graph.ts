import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/** One relative import of a source file: from and to as paths under the root (posix). */
export interface ImportEdge { readonly from: string; readonly to: string }

/** Every relative import (type-only ones too) of the .ts files under `srcDir`, build output excluded. */
export function importEdges(root: string, srcDir = 'src'): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'dist' && name !== 'node_modules') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        for (const i of ts.preProcessFile(readFileSync(path, 'utf8'), true, true).importedFiles) {
          if (!i.fileName.startsWith('.')) continue;
          edges.push({ from: posix(relative(root, path)), to: posix(relative(root, resolve(dirname(path), i.fileName))) });
        }
      }
    }
  };
  walk(join(root, srcDir));
  return edges;
}

const posix = (p: string) => p.split(sep).join('/');

/** The layer of a path under src/: its first folder, or the file name of a top-level module. */
export function layerOf(path: string): string {
  const parts = path.replace(/^src\//, '').split('/');
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.ts$/, '');
}

/**
 * The edges that break the rules: `allowed` maps each layer to the layers it may import (its own is
 * always allowed); an import leaving src/ or into an unknown layer breaks them too.
 */
export function backEdges(edges: ImportEdge[], allowed: Readonly<Record<string, readonly string[]>>): string[] {
  const out: string[] = [];
  for (const e of edges) {
    if (!e.to.startsWith('src/')) {
      out.push(`${e.from} -> ${e.to} (outside src/)`);
      continue;
    }
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    if (a === b) continue;
    if (!(a in allowed)) out.push(`${e.from}: layer "${a}" has no rule`);
    else if (!allowed[a].includes(b)) out.push(`${e.from} -> ${e.to} (${a} may not import ${b})`);
  }
  return out;
}
