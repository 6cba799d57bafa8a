// @ts-check
/**
 * Jest's test order: the longest files first, so that no worker is left alone with a slow file at
 * the end of the run. Jest itself orders by the durations it cached on an earlier run on this
 * machine, and without them (a fresh clone, CI) by file size, which says little here: the slowest
 * files apply Terraform or run npm and are short. The seconds below (measured on a 2-core machine
 * in a full run) stand in for a missing cached duration; a file not listed counts as quick.
 * A file that failed on the last run still goes first, as with jest's own sequencer.
 *
 * Plain JavaScript: jest loads the sequencer with require(), without the project's transform.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { relative, sep } = require('node:path');

/** Seconds a file took in a full `npm test` (2 workers); only the order matters. */
const KNOWN_SECONDS = {
  'test/infra/policy/oracle.integ.test.ts': 230,
  'test/projen/workflows/install-without-scripts.integ.test.ts': 145,
  'test/infra/stacks/apply.integ.test.ts': 130,
  'test/vm-import/stack.integ.test.ts': 90,
  'test/infra/automation/stack.integ.test.ts': 85,
  'test/infra/automation/ami-swap.integ.test.ts': 60,
  'test/infra/automation/re-encryption.integ.test.ts': 50,
  'test/runbook/wave-e2e.integ.test.ts': 45,
  'test/runbook/actions.integ.test.ts': 40,
  'test/runbook/reconcile-e2e.integ.test.ts': 35,
  'test/runbook/quota-e2e.integ.test.ts': 30,
  'test/runbook/resume-e2e.integ.test.ts': 25,
  'test/runbook/lifecycle-e2e.integ.test.ts': 25,
  'test/runbook/cli.integ.test.ts': 20,
  'test/plan-review/real-plan.integ.test.ts': 20,
  'test/infra/stacks/workflow-roles.integ.test.ts': 20,
};

class SlowFirstSequencer extends Sequencer {
  /**
   * @param {import('@jest/test-result').Test[]} tests
   * @returns {import('@jest/test-result').Test[]}
   */
  sort(tests) {
    /** @type {Map<string, number>} */
    const size = new Map();
    const sizeOf = (/** @type {import('@jest/test-result').Test} */ t) => {
      if (!size.has(t.path)) size.set(t.path, t.context.hasteFS.getSize(t.path) ?? 0);
      return /** @type {number} */ (size.get(t.path));
    };
    const seconds = (/** @type {import('@jest/test-result').Test} */ t) => {
      const cached = this.time(t);
      if (cached != null) return cached / 1000;
      return KNOWN_SECONDS[relative(t.context.config.rootDir, t.path).split(sep).join('/')] ?? 0;
    };
    const key = new Map(tests.map((t) => [t, { failed: this.hasFailed(t), seconds: seconds(t) }]));
    return [...tests].sort((a, b) => {
      const ka = /** @type {{ failed: boolean; seconds: number }} */ (key.get(a));
      const kb = /** @type {{ failed: boolean; seconds: number }} */ (key.get(b));
      if (ka.failed !== kb.failed) return ka.failed ? -1 : 1;
      if (ka.seconds !== kb.seconds) return kb.seconds - ka.seconds;
      return sizeOf(b) - sizeOf(a);
    });
  }
}

module.exports = SlowFirstSequencer;
