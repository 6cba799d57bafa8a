import { Clock } from '../../src/core/clock';
import { waitFor, WaitFailedError, WaitTimeoutError } from '../../src/core/wait';
import { describeError } from '../../src/core/errors';
import { ImportFailedError } from '../../src/vm-import/import-task';
import { UploadChecksumMismatchError } from '../../src/vm-import/uploader';

function fastClock(): Clock {
  let t = 0;
  return { now: () => new Date(t), sleep: async (ms) => void (t += ms) };
}

describe('bounded waits of the shared core', () => {
  it('an abort during the wait ends it with the signal\'s reason, before the next poll', async () => {
    const controller = new AbortController();
    let polls = 0;
    const clock: Clock = { now: () => new Date(0), sleep: async () => controller.abort(new Error('interrupted by SIGINT')) };
    await expect(waitFor({ what: 'thing', clock, timeoutMinutes: 5, pollMs: 1000, signal: controller.signal }, async () => ({ state: `poll ${++polls}` }))).rejects.toThrow('interrupted by SIGINT');
    expect(polls).toBe(1);
  });

  it('a timeout, a failure state, a failed import and a checksum mismatch are refusals (exit 1), not bugs', async () => {
    const o = { what: 'thing', clock: fastClock(), timeoutMinutes: 1, pollMs: 30_000 };
    const timeout = await waitFor(o, async () => ({ state: 'pending' })).catch((e) => e);
    const failed = await waitFor(o, async () => ({ state: 'deleted', failure: 'deleted' })).catch((e) => e);
    expect(timeout).toBeInstanceOf(WaitTimeoutError);
    expect(failed).toBeInstanceOf(WaitFailedError);
    for (const e of [timeout, failed, new ImportFailedError('import-ami-1', 'deleted', 'ClientError: unsupported'), new UploadChecksumMismatchError('b', 'k', undefined, 'r', 'l')]) {
      expect(describeError(e)).toEqual(expect.objectContaining({ exitCode: 1, bug: false }));
    }
  });
});
