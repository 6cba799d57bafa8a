import { VmImportClients } from '../../../src/vm-import/run';
import { MotoServer, startMoto } from '../../support/moto';
import { AwsProxy, Interceptor, startAwsProxy } from './aws-proxy';
import { clientsFor, destroyClients, ImportEstate, prepareImportEstate, STAGING_ACCOUNT } from './estate';

/** A moto server with the import estate deployed, behind a recording proxy, and clients of the proxy. */
export interface ImportHarness {
  readonly moto: MotoServer;
  readonly proxy: AwsProxy;
  readonly clients: VmImportClients;
  readonly estate: ImportEstate;
  stop(): Promise<void>;
}

/** `interceptor` gets clients of moto itself (e.g. to register the AMI an import produces). */
export async function startImportHarness(interceptor?: (moto: VmImportClients) => Interceptor): Promise<ImportHarness> {
  // One moto holding both accounts of the example estate; unnamed requests (the CLI's, the action's)
  // land in the staging account.
  const moto = await startMoto({ accountPerRequest: true });
  const direct = clientsFor(moto.url);
  const proxy = await startAwsProxy(moto.url, interceptor?.(direct), { defaultAccount: STAGING_ACCOUNT });
  const clients = clientsFor(proxy.url);
  const estate = await prepareImportEstate(moto.url);
  return {
    moto,
    proxy,
    clients,
    estate,
    stop: async () => {
      destroyClients(clients);
      destroyClients(direct);
      await proxy.stop();
      await moto.stop();
    },
  };
}
