import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFactory } from '../../../src/config/load';
import { FactoryConfig } from '../../../src/config/schema';
import { ROOT } from '../../support/tools';

/**
 * An example estate with edits applied to its YAML text before parsing (defaults and validation
 * apply to the edited text). Each edit must change the text: an edit whose anchor moved fails here
 * instead of silently testing the unedited example.
 */
export function editedExample(edits: Array<[string, string]>, file = 'factory.yaml'): FactoryConfig {
  let text = readFileSync(join(ROOT, 'examples', file), 'utf8');
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`examples/${file} no longer contains ${JSON.stringify(from)}: update the test's edit`);
    text = text.replace(from, to);
  }
  return parseFactory(text, file);
}
