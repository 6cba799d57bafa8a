import { VirtualClock } from '../../../src/simulation/mgn-fake';

describe('VirtualClock', () => {
  const start = Date.UTC(2026, 0, 1);

  test('a lone sleep moves time by exactly its duration; advance notifies listeners', async () => {
    const clock = new VirtualClock();
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    await clock.sleep(20 * 60_000);
    expect(clock.nowMs() - start).toBe(20 * 60_000);
    const seen: string[] = [];
    const off = clock.onAdvance((now) => seen.push(now.toISOString()));
    clock.advance(1000);
    off();
    clock.advance(1000);
    expect(seen).toEqual(['2026-01-01T00:20:01.000Z']);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.sleep(Number.NaN)).toThrow(RangeError);
  });

  test('parallel sleepers do not add up and wake in order of their wake-up time', async () => {
    const clock = new VirtualClock(start);
    const woke: Array<[string, number]> = [];
    const sleeper = async (name: string, ms: number) => {
      await clock.sleep(ms);
      woke.push([name, clock.nowMs() - start]);
    };
    await Promise.all([sleeper('c', 60_000), ...Array.from({ length: 30 }, (_, i) => sleeper(`p${i}`, 30_000)), sleeper('a', 10_000)]);
    expect(clock.nowMs() - start).toBe(60_000);
    expect(woke[0]).toEqual(['a', 10_000]);
    expect(woke.slice(1, 31).every(([, t]) => t === 30_000)).toBe(true);
    expect(woke[31]).toEqual(['c', 60_000]);
    expect(clock.pendingSleepers()).toBe(0);
  });

  test('a loop of sleeps next to a long sleep interleaves by virtual time', async () => {
    const clock = new VirtualClock(start);
    const ticks: number[] = [];
    const poller = (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(30_000);
        ticks.push(clock.nowMs() - start);
      }
    })();
    let longWokeAt = 0;
    const long = clock.sleep(100_000).then(() => (longWokeAt = clock.nowMs() - start));
    await Promise.all([poller, long]);
    expect(ticks).toEqual([30_000, 60_000, 90_000, 120_000, 150_000]);
    expect(longWokeAt).toBe(100_000);
  });
});
