import { truncateSync } from 'node:fs';
import { checkImageSize } from '../../src/vm-import/formats';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { ebsKeyAlias, importTargetAccount } from '../../src/config/vm-import-names';
import { preflight, VmImportRequest } from '../../src/vm-import/preflight';
import { runVmImport, VmImportClients } from '../../src/vm-import/run';
import { AwsProxy } from './support/aws-proxy';
import { ImportHarness, startImportHarness } from './support/harness';
import { fastClock, ImportEstate } from './support/estate';
import { sparseImage } from './support/images';

const TIB = 1024 ** 4;

describe('vm-import refuses bad inputs before any upload', () => {
  let harness: ImportHarness;
  let proxy: AwsProxy;
  let clients: VmImportClients;
  let estate: ImportEstate;
  let image: string;

  beforeAll(async () => {
    harness = await startImportHarness();
    ({ proxy, clients, estate } = harness);
    image = sparseImage(6 * 1024 ** 2, 'ok.vmdk');
  });
  afterAll(async () => harness?.stop());

  const huge = () => {
    const p = sparseImage(1024 ** 2, 'huge.raw');
    truncateSync(p, 9 * TIB); // sparse: no blocks are written
    return p;
  };

  const cases: Array<[string, () => Partial<VmImportRequest>, RegExp]> = [
    ['unknown format', () => ({ format: 'qcow2' }), /unknown image format "qcow2": expected one of ova, vmdk, vhd, vhdx, raw/],
    ['missing file', () => ({ image: { path: '/nonexistent/disk.vmdk' } }), /image file not found: \/nonexistent\/disk\.vmdk/],
    ['image over the 8 TiB single-file limit', () => ({ image: { path: huge() }, format: 'raw' }), /huge\.raw is 9\.00 TiB: disks over 8 TiB must be imported with a manifest/],
    ['KMS key of another Region', () => ({ kmsKeyArn: 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab' }), /KMS key arn:aws:kms:us-east-1:.* is in us-east-1, but images are imported in eu-west-1/],
    ['KMS key that does not exist in the Region', () => ({ kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' }), /KMS key arn:aws:kms:eu-west-1:111111111111:key\/1234abcd-12ab-34cd-56ef-1234567890ab not found in eu-west-1 \(NotFoundException\)/],
    ['UEFI with encryption', () => ({ bootMode: 'uefi' }), /--boot-mode uefi: VM Import cannot encrypt UEFI imports/],
    ['uefi-preferred, which ImportImage does not support', () => ({ bootMode: 'uefi-preferred' }), /--boot-mode uefi-preferred: ImportImage does not support uefi-preferred/],
    ['unknown license type', () => ({ licenseType: 'FREE' }), /--license-type "FREE": expected one of AWS, BYOL/],
    ['unknown OS', () => ({ os: 'solaris' }), /--os "solaris": expected one of linux, windows/],
    ['--launch without --server', () => ({ launch: true }), /--launch needs --server NAME/],
    ['unknown server', () => ({ server: 'nope01' }), /--server "nope01" is not a server of the estate/],
    ['OS contradicting factory.yaml', () => ({ server: 'wiki01', os: 'windows' }), /--os windows contradicts server wiki01, which factory.yaml declares as os: linux/],
    [
      '--launch into a subnet the importing account cannot see',
      () => ({ server: 'wiki01', launch: true, placement: 'test' }),
      /server wiki01: the test placement's subnet test-a \(subnet-0a1b2c3d4e5f60003\) is not visible to the importing account \(InvalidSubnetID\.NotFound\)\. --launch starts the instance in the account that imports the image/,
    ],
  ];

  it.each(cases)('%s', async (_name, overrides, message) => {
    const before = proxy.requests.length;
    const req: VmImportRequest = { image: { path: image }, format: 'vmdk', os: 'linux', ...overrides() };
    await expect(runVmImport(req, { config: estate.config, clients, clock: fastClock(), log: () => undefined })).rejects.toThrow(message);
    const mutating = proxy.requests.slice(before).filter((r) => r.method === 'PUT' || r.query.has('uploads') || r.action === 'ImportImage');
    expect(mutating).toEqual([]);
  });

  it('finds the target account\'s default key from the staging account by its alias ARN (an alias name resolves only in the caller\'s account)', async () => {
    const target = importTargetAccount(estate.config);
    const alias = ebsKeyAlias(estate.config, target);
    // The key lives in the target account only: by alias name the staging account cannot find it.
    await expect(clients.kms.send(new DescribeKeyCommand({ KeyId: alias }))).rejects.toThrow(/not found/);

    const before = proxy.requests.length;
    const checked = await preflight(estate.config, { image: { path: image }, format: 'vmdk', os: 'linux' }, clients);
    expect(checked.kmsKeyArn).toBe(estate.keyArn);
    expect(estate.keyArn).toMatch(/^arn:aws:kms:eu-west-1:222222222222:key\//);
    const describe = proxy.requests.slice(before).filter((r) => r.action === 'DescribeKey');
    expect(describe.map((r) => r.params.KeyId)).toEqual([`arn:aws:kms:eu-west-1:222222222222:${alias}`]);
  });

  it('refuses a server of another target account than the one VM Import encrypts for, unless --kms-key names the key', async () => {
    const prod = estate.config.accounts.targets[0];
    const config = {
      ...estate.config,
      accounts: { ...estate.config.accounts, targets: [prod, { ...prod, name: 'dev', accountId: '333333333333' }] },
      waves: estate.config.waves.map((w) => ({
        ...w,
        applications: w.applications.map((a) => ({ ...a, servers: a.servers.map((s) => (s.name === 'wiki01' ? { ...s, targetAccount: 'dev' } : s)) })),
      })),
    };
    const req: VmImportRequest = { image: { path: image }, format: 'vmdk', os: 'linux', server: 'wiki01' };
    const before = proxy.requests.length;
    await expect(preflight(config, req, clients)).rejects.toThrow(
      '--server wiki01 belongs to target account "dev" (its targetAccount), but VM Import encrypts with the key of "prod" (vmImport.targetAccount)',
    );
    expect(proxy.requests.length).toBe(before);
    // Naming the key is the operator's choice (and the same server in prod's account is fine).
    await expect(preflight(config, { ...req, kmsKeyArn: estate.keyArn }, clients)).resolves.toMatchObject({ kmsKeyArn: estate.keyArn });
    await expect(preflight(estate.config, req, clients)).resolves.toMatchObject({ server: { name: 'wiki01' } });
  });

  it('a missing import bucket or vmimport role is named with the stack that creates it', async () => {
    const noBucket = { ...estate.config, vmImport: { ...estate.config.vmImport, bucket: { ...estate.config.vmImport.bucket, name: 'not-deployed-bucket' } } };
    const ctx = { config: noBucket, clients, clock: fastClock(), log: () => undefined };
    await expect(runVmImport({ image: { path: image }, format: 'vmdk', os: 'linux' }, ctx)).rejects.toThrow(
      /import bucket not-deployed-bucket is not reachable .*deploy the vm-import stack/,
    );
  });

  it('the 16 TiB disk limit is enforced', () => {
    expect(() => checkImageSize('big.raw', 16 * TIB)).toThrow('big.raw is 16.00 TiB: VM Import takes disks smaller than 16 TiB');
    expect(() => checkImageSize('empty.raw', 0)).toThrow('empty.raw is empty');
    expect(() => checkImageSize('ok.raw', 8 * TIB)).not.toThrow();
  });
});
