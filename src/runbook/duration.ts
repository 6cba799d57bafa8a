/**
 * ISO-8601 durations as MGN reports them in `dataReplicationInfo.lagDuration` ("PT5M", "P0D",
 * "PT1H2M3.5S"). MGN returns a string or null, never a number: parsing it as a number
 * turns "PT5M" into NaN and silently passes every "lag < threshold" comparison.
 */

const PATTERN = /^P(?!$)(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const MS = { W: 7 * 86_400_000, D: 86_400_000, H: 3_600_000, M: 60_000, S: 1000 } as const;

/** Milliseconds of an ISO-8601 duration (weeks, days, hours, minutes, seconds; no years/months). */
export function parseIsoDuration(text: string): number {
  if (typeof text !== 'string') throw new TypeError(`expected an ISO-8601 duration string, got ${typeof text} ${JSON.stringify(text)}`);
  const m = PATTERN.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not an ISO-8601 duration (expected e.g. "PT5M", "P0D", "PT1H30M")`);
  const [, w, d, h, min, s] = m;
  return [
    [w, MS.W],
    [d, MS.D],
    [h, MS.H],
    [min, MS.M],
    [s, MS.S],
  ].reduce((sum, [v, unit]) => sum + (v ? Math.round(Number(v) * (unit as number)) : 0), 0);
}

/** "PT1H2M" for humans and reports. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return 'PT0S';
  const h = Math.floor(ms / MS.H);
  const min = Math.floor((ms % MS.H) / MS.M);
  const s = Math.round((ms % MS.M) / 1000);
  return `PT${h ? `${h}H` : ''}${min ? `${min}M` : ''}${s ? `${s}S` : ''}` || 'PT0S';
}
