import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/tools';
import { backEdges, importEdges } from './import-graph';

/**
 * The layers of src/, bottom to top, and what each may import. core and config are the base every
 * runbook shares; everything that synthesizes Terraform is in infra; the edges (cli, actions, the
 * cdktf entry main, the library index, the projen component) import downwards and never each other.
 */
const LAYERS: Readonly<Record<string, readonly string[]>> = {
  core: [],
  config: ['core'],
  infra: ['core', 'config'],
  runbook: ['core', 'config'],
  'plan-review': ['core', 'config'],
  'vm-import': ['core', 'config'],
  simulation: ['core', 'config', 'runbook'],
  cli: ['core', 'config', 'infra', 'runbook', 'plan-review', 'vm-import', 'simulation'],
  actions: ['core', 'config', 'runbook', 'plan-review', 'vm-import'],
  main: ['core', 'config', 'infra'],
  index: ['core', 'config', 'infra', 'runbook', 'plan-review', 'vm-import'],
  projen: ['core', 'config'],
};

/** Known exceptions, each with its reason; the test fails when one disappears, so the list shrinks. */
const KNOWN: readonly string[] = [];

describe('layers of src/', () => {
  const edges = importEdges(ROOT);

  it('every import goes down the layers (or is a known exception)', () => {
    expect(edges.length).toBeGreaterThan(300);
    const broken = backEdges(edges, LAYERS).filter((b) => !KNOWN.some((k) => b.startsWith(k + ' ')));
    expect(broken).toEqual([]);
  });

  it('the known exceptions still exist (remove an entry once its edge is gone)', () => {
    const present = new Set(edges.map((e) => `${e.from} -> ${e.to}`));
    expect(KNOWN.filter((k) => !present.has(k))).toEqual([]);
  });

  it('no source resolves files of test/ or of a virtual environment at run time', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) { if (name !== 'dist') walk(p); } else if (name.endsWith('.ts') && /(?:resolve|join)\(__dirname[^)]*['"](?:test|\.venv)['"]|['"](?:\.\.\/)+(?:test|\.venv)\//.test(readFileSync(p, 'utf8'))) offenders.push(p.slice(ROOT.length + 1));
      }
    };
    walk(join(ROOT, 'src'));
    expect(offenders).toEqual([]);
  });

  it('the checker finds a planted back-edge and an import out of src/', () => {
    const root = mkdtempSync(join(tmpdir(), 'layers-'));
    mkdirSync(join(root, 'src', 'config'), { recursive: true });
    mkdirSync(join(root, 'src', 'runbook'), { recursive: true });
    writeFileSync(join(root, 'src', 'runbook', 'run.ts'), "import { x } from '../config/schema';\nexport const y = x;\n");
    writeFileSync(join(root, 'src', 'config', 'schema.ts'), "import type { y } from '../runbook/run';\nimport '../../test/support/tools';\nexport const x = 1;\n");
    expect(backEdges(importEdges(root), LAYERS)).toEqual([
      'src/config/schema.ts -> src/runbook/run (config may not import runbook)',
      'src/config/schema.ts -> test/support/tools (outside src/)',
    ]);
  });
});
