import type { WaveReport } from './report';

const REPORT = Symbol.for('rehost-factory.waveReport');

/**
 * Attaches the report of what a run did to the error that stopped it (refusal, failure,
 * interruption), so whoever catches it can still write the report. Not enumerable: logging the
 * error does not print a 500-server report.
 */
export function carryReport(e: unknown, report: WaveReport): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  Object.defineProperty(err, REPORT, { value: report, enumerable: false, configurable: true });
  return err;
}

/** The report an error thrown by a wave run carries, if any. */
export function reportOf(e: unknown): WaveReport | undefined {
  return e && typeof e === 'object' ? ((e as Record<symbol, WaveReport | undefined>)[REPORT] ?? undefined) : undefined;
}

/**
 * Runs a wave and hands its report to `write` whatever happens — success, refusal (resolution,
 * preflight), failure, interruption — then returns what the run returned or rethrows what it
 * threw. The CLI (`wave run --report`) and the actions write their reports through this.
 */
export async function runWithReport<R extends { report: WaveReport }>(run: () => Promise<R>, write: (report: WaveReport) => void | Promise<void>): Promise<R> {
  let result: R;
  try {
    result = await run();
  } catch (e) {
    const report = reportOf(e);
    if (report) {
      try {
        await write(report);
      } catch (w) {
        // The run's error is what the caller must see; the lost report is said alongside.
        (e as Error).message += `\n(the report could not be written either: ${(w as Error).message})`;
      }
    }
    throw e;
  }
  await write(result.report);
  return result;
}
