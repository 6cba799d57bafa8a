import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as library from '../../src';
import { ROOT } from '../support/tools';

describe('the package as a library (package.json main)', () => {
  it('main is the compiled src/index.ts', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; types: string };
    expect(pkg.main).toBe('lib/index.js');
    expect(pkg.types).toBe('lib/index.d.ts');
    expect(existsSync(join(ROOT, pkg.main.replace(/^lib\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
  });

  it('exports the estate loader, the app builder, stacks, constructs, the runbook and plan review', () => {
    for (const name of ['loadFactoryFile', 'parseFactory', 'ConfigError', 'factoryJsonSchema', 'buildApp', 'synthesizeEstate', 'NetworkStack', 'SecurityStack', 'MgnStack', 'AutomationStack', 'VmImportStack', 'EbsKey', 'GithubOidcRoles', 'MgnTemplates', 'VpcEndpoints', 'SsmBootstrapDocuments', 'ImportBucket', 'initializeMgn', 'runVmImport', 'reviewPlans', 'compareResourceChanges', 'parsePlan', 'upsertStickyComments'] as const) {
      expect({ name, type: typeof library[name] }).toEqual({ name, type: 'function' });
    }
    expect(typeof library.runbook.runWave).toBe('function');
  });

  it('validates and synthesizes an estate through the public API', () => {
    expect(() => library.parseFactory('version: 2\n', 'x.yaml')).toThrow(library.ConfigError);
    const { config } = library.loadFactoryFile(join(ROOT, 'examples', 'existing-vpc.yaml'));
    const stacks = library.synthesizeEstate(config, join(mkdtempSync(join(tmpdir(), 'rehost-lib-')), 'out'));
    expect(stacks.map((s) => s.name).sort()).toEqual(['access', 'automation', 'mgn', 'network', 'security', 'vm-import']);
  });
});
