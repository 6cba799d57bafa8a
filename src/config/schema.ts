import * as z from 'zod';
import { bootstrapSection } from './sections/bootstrap';
import { estateFields } from './sections/estate';
import { mgnSection } from './sections/mgn';
import { networkSection } from './sections/network';
import { wavesSection } from './sections/waves';
import { automationSection } from './sections/automation';
import { githubSection } from './sections/github';
import { endpointsSection, runbookSection } from './sections/runbook';
import { vmImportSection } from './sections/vm-import';

/** The whole of factory.yaml. Each section lives in sections/ next to its documentation. */
export const factorySchema = z
  .object({
    ...estateFields,
    network: networkSection.describe('The private staging network'),
    mgn: mgnSection.prefault({}).describe('MGN replication and launch defaults'),
    bootstrap: bootstrapSection.prefault({}),
    waves: wavesSection,
    github: githubSection.optional(),
    runbook: runbookSection.prefault({}),
    endpoints: endpointsSection.optional(),
    automation: automationSection.prefault({}),
    vmImport: vmImportSection.prefault({}),
  })
  .strict()
  .describe('rehost-factory estate file (factory.yaml)');

/** The validated estate, with every default filled in. */
export type FactoryConfig = z.infer<typeof factorySchema>;
export type FactoryInput = z.input<typeof factorySchema>;
export type Wave = FactoryConfig['waves'][number];
export type Application = Wave['applications'][number];
export type Server = Application['servers'][number];
export type Placement = Server['test'];
export type TargetAccount = FactoryConfig['accounts']['targets'][number];
export type StagingSubnet = FactoryConfig['network']['stagingSubnets'][number];

/** JSON Schema of factory.yaml for editors, generated from the same zod schema. */
export function factoryJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(factorySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://github.com/rehost-factory/rehost-factory/factory.schema.json',
    title: 'rehost-factory estate (factory.yaml)',
  };
}
