import { VirtualClock } from './clock';
import type { MgnFake, MgnFakeOptions } from './types';

/** Starts the fake on a free loopback port. */
export async function startMgnFake(options: MgnFakeOptions = {}): Promise<MgnFake> {
  void new VirtualClock();
  void options;
  throw new Error('MGN fake: not implemented yet');
}
