import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { GetObjectAttributesCommand, HeadObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { ListCommandsCommand } from '@aws-sdk/client-ssm';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { dirname, join } from 'node:path';
import { WaitTimeoutError } from '../../src/core/wait';
import { ImportFailedError } from '../../src/vm-import/import-task';
import { VmImportReport } from '../../src/vm-import/report';
import { runVmImport, VmImportClients, VmImportContext } from '../../src/vm-import/run';
import { runCli } from '../../src/cli';
import { MOTO_CREDENTIALS } from '../support/moto';
import { ROOT } from '../support/tools';
import { AwsProxy } from './support/aws-proxy';
import { ImportHarness, startImportHarness } from './support/harness';
import { fastClock, ImportEstate } from './support/estate';
import { HAPPY_IMPORT, importFake, ImportTaskScript, PHASED_IMPORT } from './support/import-fake';
import { sparseImage } from './support/images';

const MIB = 1024 ** 2;

/** Base64 SHA-256 of part `n` of a file, as x-amz-checksum-sha256 carries it. */
function partSha256(path: string, n: number, partSize: number): string {
  return createHash('sha256').update(readFileSync(path).subarray((n - 1) * partSize, n * partSize)).digest('base64');
}

/** S3's composite SHA-256 of a file uploaded in parts of `partSize`, computed here from the file. */
function compositeOfFile(path: string, partSize: number): string {
  const bytes = readFileSync(path);
  const outer = createHash('sha256');
  let parts = 0;
  for (let off = 0; off < bytes.length; off += partSize, parts++) outer.update(createHash('sha256').update(bytes.subarray(off, off + partSize)).digest());
  return `${outer.digest('base64')}-${parts}`;
}

describe('vm-import runbook: upload → ImportImage → wait → launch → integrity (moto + import fake)', () => {
  let harness: ImportHarness;
  let proxy: AwsProxy;
  let clients: VmImportClients;
  let estate: ImportEstate;
  let script: ImportTaskScript = HAPPY_IMPORT;
  let fake: ReturnType<typeof importFake>;
  const lines: string[] = [];

  beforeAll(async () => {
    harness = await startImportHarness((moto) => {
      fake = importFake(() => script, moto);
      return fake.interceptor;
    });
    ({ proxy, clients, estate } = harness);
  });
  afterAll(async () => harness?.stop());

  const ctx = (reports: VmImportReport[] = [], importTimeoutMinutes?: number): VmImportContext => ({
    config: importTimeoutMinutes
      ? { ...estate.config, vmImport: { ...estate.config.vmImport, import: { ...estate.config.vmImport.import, timeoutMinutes: importTimeoutMinutes } } }
      : estate.config,
    clients,
    clock: fastClock(),
    log: (l) => lines.push(l),
    onReport: (r) => reports.push(JSON.parse(JSON.stringify(r))),
  });

  it('imports encrypted with ImportImage, follows the status sequence, launches into the placement, checks integrity and deletes the object', async () => {
    script = HAPPY_IMPORT;
    const image = sparseImage(12 * MIB, 'wiki01.vmdk');
    const checksums = join(dirname(image), 'wiki01.sha256');
    const sums = ['a'.repeat(64) + '  /etc/hostname', 'b'.repeat(64) + '  /opt/wiki/data.db'];
    writeFileSync(checksums, `# recorded on wiki01 before shutdown\n${sums.join('\n')}\n`);
    fake.state.commandOutput = sums.join('\n') + '\n';

    const reports: VmImportReport[] = [];
    const report = await runVmImport(
      { image: { path: image }, format: 'vmdk', os: 'linux', server: 'wiki01', licenseType: 'BYOL', bootMode: 'legacy-bios', launch: true, stopFirst: true, checksumsFile: checksums },
      ctx(reports),
    );

    // ImportImage, never ImportInstance, encrypted with the target key.
    expect(proxy.requests.map((r) => r.action)).not.toContain('ImportInstance');
    expect(fake.state.importRequests).toHaveLength(1);
    expect(fake.state.importRequests[0]).toMatchObject({
      Encrypted: 'true',
      KmsKeyId: estate.keyArn,
      BootMode: 'legacy-bios',
      LicenseType: 'BYOL',
      Platform: 'Linux',
      RoleName: 'vmimport',
      'DiskContainer.1.Format': 'VMDK',
      'DiskContainer.1.UserBucket.S3Bucket': estate.bucket,
      'DiskContainer.1.UserBucket.S3Key': 'images/wiki01/wiki01.vmdk',
    });
    expect(fake.state.importRequests[0].ClientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(report.import?.statuses).toEqual(['active/pending (2%)', 'active/validating (10%)', 'active/validated (20%)', 'active/converting (28%)', 'active/converting (60%)', 'completed']);
    expect(report.import?.imageId).toBe(fake.state.imageId);

    // Launched into wiki01's cutover placement, stopped and started, 2/2 checks.
    const inst = (await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [report.launch!.instanceId] }))).Reservations![0].Instances![0];
    const server = estate.config.waves[0].applications[1].servers[0];
    expect(inst.ImageId).toBe(report.import?.imageId);
    expect(inst.SubnetId).toBe(estate.config.network.targetSubnets.find((s) => s.name === 'app-a')!.subnetId);
    expect(inst.NetworkInterfaces?.[0].Groups?.map((g) => g.GroupId)).toEqual(server.cutover.securityGroups);
    expect(inst.InstanceType).toBe('t3.large');
    expect(inst.State?.Name).toBe('running');
    expect(inst.Tags).toEqual(expect.arrayContaining([{ Key: 'Name', Value: 'wiki01' }]));
    expect(report.launch).toMatchObject({ stoppedAndStarted: true, statusChecks: { system: 'ok', instance: 'ok' } });
    expect(lines.join('\n')).toMatch(/to be stopped: stopped/);

    // Integrity: SSM reachable and the listed files' checksums compared.
    const commands = (await clients.ssm.send(new ListCommandsCommand({ InstanceId: report.launch!.instanceId }))).Commands ?? [];
    expect(commands).toEqual([expect.objectContaining({ DocumentName: 'AWS-RunShellScript', Parameters: { commands: ["sha256sum -- '/etc/hostname' '/opt/wiki/data.db'"] } })]);
    expect(report.integrity?.commandId).toBe(commands[0].CommandId);
    expect(report.integrity).toMatchObject({ ssmReachable: true, pingStatus: 'Online', ok: true });
    expect(report.integrity?.files.map((f) => f.ok)).toEqual([true, true]);

    // The object (every version) is gone; the report has the upload numbers and checksum.
    const versions = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: estate.bucket, Prefix: 'images/wiki01/' }));
    expect(versions.Versions ?? []).toEqual([]);
    expect(report).toMatchObject({ outcome: 'succeeded', server: 'wiki01', object: { deleted: true }, upload: { partCount: 3, partsSent: 3, partsResumed: 0 } });
    expect(report.image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.image.compositeSha256).toBe(compositeOfFile(image, 5 * MIB));
    // Each part carried its SHA-256 for S3 to check on receipt.
    const parts = proxy.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/images/wiki01/wiki01.vmdk') && r.query.has('partNumber'));
    expect(parts.map((r) => [Number(r.query.get('partNumber')), r.headers['x-amz-checksum-sha256']]).sort()).toEqual(
      [1, 2, 3].map((n) => [n, partSha256(image, n, 5 * MIB)]),
    );
    expect(reports[reports.length - 1].outcome).toBe('succeeded');
  });

  it('follows the phases when VM Import reports them as Status (validating, validated, converting, updating), each shown once', async () => {
    script = PHASED_IMPORT;
    const image = sparseImage(6 * MIB, 'phases01.raw');
    const before = lines.length;
    const report = await runVmImport({ image: { path: image }, format: 'raw', os: 'linux' }, ctx());
    expect(report.import?.statuses).toEqual(['active/pending (2%)', 'validating (10%)', 'validated (20%)', 'converting (35%)', 'updating (70%)', 'updating/preparing ami (90%)', 'completed']);
    expect(lines.slice(before).filter((l) => l.startsWith(`import ${report.import!.importTaskId}: `))).toHaveLength(7);
    expect(report.outcome).toBe('succeeded');
  });

  it('shows the StatusMessage of a failed import and keeps the object for a retry', async () => {
    script = {
      steps: [
        { status: 'active', message: 'validating', progress: '10' },
        { status: 'deleting', message: 'ClientError: Unsupported kernel version 2.6.18-419.el5' },
        { status: 'deleted', message: 'ClientError: Unsupported kernel version 2.6.18-419.el5' },
      ],
    };
    const image = sparseImage(6 * MIB, 'old01.vhd');
    const reports: VmImportReport[] = [];
    const run = runVmImport({ image: { path: image }, format: 'vhd', os: 'linux', keepObject: false }, ctx(reports));
    await expect(run).rejects.toThrow(ImportFailedError);
    const failedTask = fake.state.lastTaskId;
    await expect(run).rejects.toThrow(`import task ${failedTask} ended deleting: ClientError: Unsupported kernel version 2.6.18-419.el5`);
    const last = reports[reports.length - 1];
    expect(last).toMatchObject({ outcome: 'failed', error: expect.stringContaining('Unsupported kernel version') });
    expect(last.upload?.partsSent).toBe(2);
    const versions = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: estate.bucket, Prefix: 'images/old01/' }));
    expect(versions.Versions).toHaveLength(1);

    // The same command again (say the failure was transient): no upload, the failed task is recognised
    // by its ClientToken and a new task is started.
    script = HAPPY_IMPORT;
    const imports = fake.state.importRequests.length;
    const again = await runVmImport({ image: { path: image }, format: 'vhd', os: 'linux' }, ctx());
    expect(again.upload).toMatchObject({ partsSent: 0 });
    expect(fake.state.importRequests.slice(imports).map((r) => r.ClientToken === fake.state.importRequests[imports - 1].ClientToken)).toEqual([true, false]);
    expect(lines.join('\n')).toContain(`import task ${failedTask} of an earlier run ended deleted: ClientError: Unsupported kernel version`);
    expect(again.import?.importTaskId).not.toBe(failedTask);
    expect(again.outcome).toBe('succeeded');
  });

  it('waits for the import within its bound and fails with the last status seen', async () => {
    script = { steps: [{ status: 'active', message: 'converting', progress: '41' }] };
    const image = sparseImage(6 * MIB, 'slow01.raw');
    const run = runVmImport({ image: { path: image }, format: 'raw', os: 'linux' }, ctx([], 30));
    await expect(run).rejects.toThrow(WaitTimeoutError);
    await expect(run).rejects.toThrow(`timed out after 30 min waiting for import task ${fake.state.lastTaskId} (last seen: active/converting (41%))`);
    // 30 min at 30 s per poll, plus the first: bounded, not forever.
    expect(fake.state.describeCalls).toBe(61);
  });

  it('imports an object already in the bucket (the workflow\'s S3-key input) and fails the run on a checksum mismatch', async () => {
    script = HAPPY_IMPORT;
    const image = sparseImage(6 * MIB, 'db01.ova');
    const kept = await runVmImport({ image: { path: image }, format: 'ova', os: 'linux', keepObject: true }, ctx());
    // The report's checksum is S3's own for the object.
    const attrs = await clients.s3.send(new GetObjectAttributesCommand({ Bucket: estate.bucket, Key: 'images/db01/db01.ova', ObjectAttributes: ['Checksum'] }));
    expect(kept.image.compositeSha256).toBe(`${attrs.Checksum!.ChecksumSHA256}-2`);
    // Encrypted at rest with the target account's key, like the bucket's default.
    const head = await clients.s3.send(new HeadObjectCommand({ Bucket: estate.bucket, Key: 'images/db01/db01.ova' }));
    expect({ sse: head.ServerSideEncryption, key: head.SSEKMSKeyId }).toEqual({ sse: 'aws:kms', key: estate.keyArn });
    fake.state.commandOutput = 'c'.repeat(64) + '  /etc/hostname\n';
    const checksums = join(dirname(image), 'db01.sha256');
    writeFileSync(checksums, 'a'.repeat(64) + '  /etc/hostname\n' + 'd'.repeat(64) + '  /missing\n');
    const reports: VmImportReport[] = [];
    const run = runVmImport({ image: { s3Key: 'images/db01/db01.ova' }, format: 'ova', os: 'linux', server: 'wiki01', launch: true, checksumsFile: checksums }, ctx(reports));
    await expect(run).rejects.toThrow(`/etc/hostname (expected ${'a'.repeat(64)}, got ${'c'.repeat(64)}); /missing (expected ${'d'.repeat(64)}, got no checksum)`);
    const last = reports[reports.length - 1];
    expect(last.image.source).toBe(`s3://${estate.bucket}/images/db01/db01.ova`);
    expect(last.upload).toBeUndefined();
    expect(last.integrity?.ok).toBe(false);
    expect(readFileSync(checksums, 'utf8')).toContain('/missing');
  });

  /** The bundled example with one-second polls, so the real clock of the CLI and the action stays fast. */
  const fastPollConfig = (dir: string) => {
    const doc = parseDocument(readFileSync(join(ROOT, 'examples', 'factory.yaml'), 'utf8'));
    doc.setIn(['vmImport', 'import', 'pollSeconds'], 1);
    const file = join(dir, 'factory.yaml');
    writeFileSync(file, doc.toString());
    return file;
  };

  it('the CLI runs the same runbook: exit 0 with a report file; input mistakes exit 2 before any upload', async () => {
    script = { steps: [{ status: 'active', message: 'validating', progress: '10' }, { status: 'completed' }] };
    const image = sparseImage(6 * MIB, 'cli01.vhdx');
    const configFile = fastPollConfig(dirname(image));
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL: proxy.url, AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey });
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    try {
      const reportFile = join(dirname(image), 'report.json');
      const code = await runCli(['vm-import', '--image', image, '--format', 'vhdx', '--os', 'linux', '--config', configFile, '--report', reportFile, '--concurrency', '2'], io);
      expect({ code, err: code ? err.join('\n') : '' }).toEqual({ code: 0, err: '' });
      expect(out.join('\n')).toMatch(/^imported ami-[0-9a-f]+; report: .*report\.json$/);
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as VmImportReport;
      expect(report).toMatchObject({ outcome: 'succeeded', image: { format: 'vhdx', size: 6 * MIB }, object: { deleted: true } });
      expect(existsSync(join(dirname(image), '.cli01.vhdx.vm-import.json'))).toBe(false); // state removed once imported

      const before = proxy.requests.length;
      err.length = 0;
      expect(await runCli(['vm-import', '--image', image, '--s3-key', 'x', '--format', 'vhdx', '--os', 'linux', '--config', configFile], io)).toBe(2);
      expect(err.join('\n')).toMatch(/give exactly one of --image PATH .* or --s3-key KEY/);
      expect(await runCli(['vm-import', '--image', image, '--format', 'qcow2', '--os', 'linux', '--config', configFile], io)).toBe(2);
      expect(err.join('\n')).toMatch(/unknown image format "qcow2"/);
      expect(proxy.requests.length).toBe(before);
    } finally {
      process.env = saved;
    }
  });

  it('the committed action bundle runs the same runbook from GitHub-style inputs, with outputs and a job summary', async () => {
    script = { steps: [{ status: 'active', message: 'converting', progress: '50' }, { status: 'completed' }] };
    const image = sparseImage(6 * MIB, 'act01.raw');
    const dir = dirname(image);
    const files = { output: join(dir, 'gh-output'), summary: join(dir, 'gh-summary') };
    writeFileSync(files.output, '');
    writeFileSync(files.summary, '');
    const env = {
      PATH: process.env.PATH,
      AWS_ENDPOINT_URL: proxy.url,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      'INPUT_IMAGE-PATH': image,
      'INPUT_S3-KEY': '',
      INPUT_FORMAT: 'raw',
      INPUT_OS: 'linux',
      INPUT_LAUNCH: 'false',
      'INPUT_KEEP-OBJECT': 'true',
      INPUT_CONFIG: fastPollConfig(dir),
      INPUT_REPORT: join(dir, 'report.json'),
    };
    const r = await promisify(execFile)(process.execPath, [join(ROOT, 'actions', 'vm-import', 'dist', 'index.js')], { env, cwd: ROOT, timeout: 60_000 });
    expect(r.stdout).toMatch(/upload +100\.0% +6\.0 MiB \/ 6\.0 MiB/);
    expect(r.stdout).not.toMatch(/::error::/);
    const outputs = readFileSync(files.output, 'utf8');
    expect(outputs).toMatch(/image-id<<.*\nami-[0-9a-f]+\n/);
    expect(outputs).toContain(`\n${fake.state.lastTaskId}\n`);
    expect(readFileSync(files.summary, 'utf8')).toMatch(new RegExp(`## VM Import[\\s\\S]*\\| import \\| ${fake.state.lastTaskId} → ami-`));
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toMatchObject({ outcome: 'succeeded', object: { deleted: false } });
  });
});
