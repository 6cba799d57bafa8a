import type { MotoServer } from './moto';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __REHOST_MOTO__?: MotoServer }).__REHOST_MOTO__?.stop();
}
