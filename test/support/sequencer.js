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

/**
 * Seconds each file took in one full `npm test` on the shared 2-core machine (2 workers, other jobs
 * running: load 4 to 30); only their order matters. The staging apply figure includes a timeout.
 */
const KNOWN_SECONDS = {
  'test/infra/policy/oracle.integ.test.ts': 617,
  'test/infra/stacks/apply.integ.test.ts': 538,
  'test/projen/workflows/install-without-scripts.integ.test.ts': 245,
  // Measured alone: 126 s at load 8, 448 s at load 25 (packs, then two installs from the npm cache).
  'test/projen/estate-repository.integ.test.ts': 200,
  'test/vm-import/stack.integ.test.ts': 146,
  'test/infra/automation/stack.integ.test.ts': 126,
  'test/plan-review/real-plan.integ.test.ts': 122,
  'test/runbook/quota-e2e.integ.test.ts': 119,
  'test/runbook/actions.integ.test.ts': 82,
  'test/runbook/reconcile-e2e.integ.test.ts': 56,
  'test/infra/automation/ami-swap.integ.test.ts': 54,
  'test/harness/harness.integ.test.ts': 52,
  'test/config/accepted-estates.integ.test.ts': 51,
  'test/infra/synth/examples.integ.test.ts': 46,
  'test/vm-import/upload.integ.test.ts': 46,
  'test/runbook/wave-e2e.integ.test.ts': 44,
  'test/runbook/cli.integ.test.ts': 42,
  'test/vm-import/import-flow.integ.test.ts': 32,
  'test/plan-review/review.test.ts': 27,
  'test/infra/automation/re-encryption.integ.test.ts': 17,
  'test/infra/stacks/mgn-template.integ.test.ts': 17,
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
