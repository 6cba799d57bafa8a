/**
 * An emulator of AWS Application Migration Service (MGN) speaking its REST-JSON protocol on
 * loopback, for end-to-end tests and `--simulate` runs. See docs/development/mgn-fake.md.
 */
export { VirtualClock } from './clock';
export type { FaultOptions, MgnFake, MgnFakeOptions, SeedServer } from './types';
export { startMgnFake } from './server';
export { DEFAULT_QUOTAS, type MgnQuotas } from './state';
