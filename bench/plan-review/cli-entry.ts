// The plan-review command as the CLI runs it, bundled alone so that the benchmark measures the
// review and not ts-node's compile step or the cdktf bindings other commands load.
import { planReviewCommand } from '../../src/cli/plan-review';

planReviewCommand.run(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error & { exitCode?: number }) => {
    console.error(e.message);
    process.exitCode = e.exitCode ?? 1;
  },
);
