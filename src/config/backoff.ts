/** Polling bounds as factory.yaml states them. */
export interface PollingBounds {
  readonly initialSeconds: number;
  readonly maxSeconds: number;
  readonly timeoutMinutes: number;
}

/**
 * The waits between polls: doubling from `initialSeconds`, capped at `maxSeconds`, until their sum
 * reaches the timeout. The length of the schedule is the bound on the number of polls.
 */
export function backoffSchedule(b: PollingBounds): number[] {
  if (b.initialSeconds < 1 || b.maxSeconds < b.initialSeconds || b.timeoutMinutes < 1) {
    throw new Error(`invalid polling bounds ${JSON.stringify(b)}: need 1 <= initialSeconds <= maxSeconds and timeoutMinutes >= 1`);
  }
  const total = b.timeoutMinutes * 60;
  const waits: number[] = [];
  let next = b.initialSeconds;
  let sum = 0;
  while (sum < total) {
    const wait = Math.min(next, b.maxSeconds, total - sum);
    waits.push(wait);
    sum += wait;
    next = Math.min(next * 2, b.maxSeconds);
  }
  return waits;
}
