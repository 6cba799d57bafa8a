import { startMoto } from './moto';

/** Starts one shared moto server for the whole run; its URL reaches the workers through the env. */
export default async function globalSetup(): Promise<void> {
  const moto = await startMoto({ accountId: '111111111111' });
  process.env.REHOST_TEST_MOTO_URL = moto.url;
  (globalThis as { __REHOST_MOTO__?: typeof moto }).__REHOST_MOTO__ = moto;
}
