import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { failureMessage, InputError } from '../../src/actions/failure';
import { MATRIX_LIMIT, WAVE_MATRIX_CHUNKS } from '../../src/config/dispatch';
import { ConfigError } from '../../src/config/errors';
import { PreflightError } from '../../src/runbook/preflight';
import { estateWorkflowSettings } from '../../src/config/workflow-roles';
import { exampleConfig } from '../support/synth';
import { ROOT } from '../support/tools';

/** How an action fails its step: expected errors by their message, anything else as a bug. */
describe('the actions\' error boundary', () => {
  it('bad inputs, invalid estates and refusals fail the step with their message only', () => {
    expect(failureMessage(new InputError('input "mode" must be one of test, cutover'), false)).toBe('input "mode" must be one of test, cutover');
    expect(failureMessage(new ConfigError([{ file: 'factory.yaml', line: 3, column: 9, path: 'region', message: 'expected an AWS Region name' }]), false)).toBe('1 problem in the estate file:\n  factory.yaml:3:9 region: expected an AWS Region name');
    expect(failureMessage(new PreflightError([{ server: 'web01', reasons: ['is READY_FOR_TEST'] }]), false)).toMatch(/^preflight refused 1 server; nothing was changed/);
    // @actions/core's own message for a missing required input.
    expect(failureMessage(new Error('Input required and not supplied: server'), false)).toBe('Input required and not supplied: server');
  });

  it('an answer of AWS is shown with its name, not as a bug', () => {
    const denied = Object.assign(new Error('User is not authorized to perform: mgn:StartTest'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    expect(failureMessage(denied, false)).toBe('AccessDeniedException: User is not authorized to perform: mgn:StartTest');
  });

  it('anything else is a bug: a short message and how to report it, the stack only with step debug logging', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'servers')");
    const plain = failureMessage(bug, false);
    expect(plain).toBe(
      "internal error: Cannot read properties of undefined (reading 'servers')\n" +
        'This is a bug in rehost-factory, not a problem with your input. Please report it at https://github.com/rehost-factory/rehost-factory/issues with the command you ran and this output (re-run the job with debug logging enabled (ACTIONS_STEP_DEBUG) to include the stack trace).',
    );
    expect(plain).not.toMatch(/\n\s+at /);
    expect(failureMessage(bug, true)).toMatch(/^internal error: [\s\S]*TypeError: Cannot read properties[\s\S]*\n\s+at .*error-boundary\.test\.ts/);
  });
});

describe('the cutover workflow dispatches as many servers as its estate has in a wave', () => {
  it(`wave-plan's action.yml offers ${WAVE_MATRIX_CHUNKS} chunks of ${MATRIX_LIMIT} (src/config/dispatch.ts); cutover.yml has a server job per chunk it asks for`, () => {
    const action = parse(readFileSync(join(ROOT, 'actions', 'wave-plan', 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }>; outputs: Record<string, unknown> };
    expect(action.inputs['matrix-chunks'].default).toBe(String(WAVE_MATRIX_CHUNKS));
    expect(Object.keys(action.outputs).filter((o) => /^matrix-\d+$/.test(o))).toHaveLength(WAVE_MATRIX_CHUNKS);
    const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'cutover.yml'), 'utf8')) as { jobs: Record<string, { with?: unknown; steps?: Array<{ with?: Record<string, string> }> }> };
    const serverJobs = Object.keys(workflow.jobs).filter((j) => /^servers-\d+$/.test(j));
    const plan = workflow.jobs.plan.steps!.find((s) => s.with?.['matrix-chunks'] !== undefined);
    expect(plan?.with?.['matrix-chunks']).toBe(String(serverJobs.length));
    // The bundled example's largest wave fits one chunk (test/config/workflow-roles.test.ts covers the arithmetic).
    expect(serverJobs.length).toBe(estateWorkflowSettings(exampleConfig(), 'examples/factory.yaml').matrixChunks);
  });
});
