import { MATRIX_LIMIT, WAVE_MATRIX_CHUNKS } from '../../src/config/dispatch';
import type { FactoryConfig } from '../../src/config/schema';
import { estateWorkflowSettings } from '../../src/config/workflow-roles';
import { exampleConfig } from '../support/synth';

describe('estateWorkflowSettings', () => {
  const example = exampleConfig();
  /** The example with its first wave's first application holding `n` servers. */
  const withServers = (n: number): FactoryConfig => {
    const [first, ...rest] = example.waves;
    const app = first.applications[0];
    const servers = Array.from({ length: n }, (_, i) => ({ ...app.servers[0], name: `s${i}` }));
    return { ...example, waves: [{ ...first, applications: [{ ...app, servers }] }, ...rest] };
  };

  it('the matrix chunks cover the largest wave, from 1 to the workflow\'s most', () => {
    expect(estateWorkflowSettings(withServers(1), 'f.yaml').matrixChunks).toBe(1);
    expect(estateWorkflowSettings(withServers(MATRIX_LIMIT), 'f.yaml').matrixChunks).toBe(1);
    expect(estateWorkflowSettings(withServers(MATRIX_LIMIT + 1), 'f.yaml').matrixChunks).toBe(2);
    expect(estateWorkflowSettings(withServers(MATRIX_LIMIT * WAVE_MATRIX_CHUNKS), 'f.yaml').matrixChunks).toBe(WAVE_MATRIX_CHUNKS);
  });

  it('takes the branch, environments and Region from the estate', () => {
    expect(estateWorkflowSettings(example, 'f.yaml')).toMatchObject({
      branch: example.github!.branch,
      environments: { apply: example.github!.applyEnvironment, cutover: example.github!.cutoverEnvironment, vmImport: example.github!.vmImportEnvironment },
      region: example.region,
    });
  });

  it('refuses an estate without a github section, naming the file and what is expected', () => {
    expect(() => estateWorkflowSettings({ ...example, github: undefined }, 'factory.yaml')).toThrow(/^factory\.yaml: github: .*expected github\.repository/);
  });
});
