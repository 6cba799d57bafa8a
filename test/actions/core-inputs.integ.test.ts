import type { getInput as GetInput } from '@actions/core';
import { failureMessage } from '../../src/actions/failure';
import { requireBundled } from '../support/bundled';

/**
 * The actions' error boundary recognises @actions/core's own error for a missing required input by
 * its message; this holds it to the installed @actions/core (bundled by esbuild as the actions are).
 */
describe('a missing required input', () => {
  const { getInput } = requireBundled<{ getInput: typeof GetInput }>("export { getInput } from '@actions/core';", 'actions-core');

  it('fails the step with @actions/core\'s message, not as a bug', () => {
    delete process.env.INPUT_SERVER;
    let thrown: unknown;
    try {
      getInput('server', { required: true });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(failureMessage(thrown, false)).toBe('Input required and not supplied: server');
  });

  it('a present input is read from INPUT_<NAME>', () => {
    process.env.INPUT_SERVER = ' web01 ';
    try {
      expect(getInput('server', { required: true })).toBe('web01');
    } finally {
      delete process.env.INPUT_SERVER;
    }
  });
});
