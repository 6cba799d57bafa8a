import { waitFor } from '../../src/core/wait';
import { checksumCommand, parseChecksumFile } from '../../src/vm-import/integrity';
import { formatDuration, UploadProgress } from '../../src/vm-import/progress';
import { importKeyAliasId } from '../../src/config/vm-import-names';
import { sameCompositeSha256 } from '../../src/vm-import/part-io';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/errors';
import { parseFactory } from '../../src/config/load';
import { ROOT } from '../support/tools';
import { exampleConfig } from '../support/synth';
import { fastClock } from './support/estate';

const MIB = 1024 ** 2;

describe('vm-import building blocks', () => {
  it('draws a redrawn bar with rate and ETA on a terminal, and periodic lines elsewhere', () => {
    const clock = fastClock(0);
    let t = 0;
    const now = { now: () => new Date(t), sleep: clock.sleep };
    const tty: string[] = [];
    const bar = new UploadProgress({ isTTY: true, write: (s) => tty.push(s) }, now, 100 * MIB, 50 * MIB, 30_000);
    t = 5_000;
    bar.add(10 * MIB); // 10 MiB in 5 s = 2 MiB/s; 40 MiB left → 20 s
    bar.finish();
    expect(tty[0]).toBe('\r[##################............]  60.0%  60.0 MiB / 100.0 MiB  2.0 MiB/s  ETA 00:20');
    expect(tty[1]).toBe('\n');

    const lines: string[] = [];
    const log = new UploadProgress({ isTTY: false, write: (s) => lines.push(s) }, now, 100 * MIB, 0, 30_000);
    t = 10_000;
    log.add(5 * MIB); // 5 s after it started (t = 5 s): below the 30 s interval, no line
    t = 40_000;
    log.add(5 * MIB);
    // 10 MiB in 35 s = 292.6 KiB/s; 90 MiB left → 315 s
    expect(lines).toEqual(['upload  10.0%  10.0 MiB / 100.0 MiB  292.6 KiB/s  ETA 05:15\n']);
    expect(formatDuration(3 * 3600 + 62)).toBe('3:01:02');
  });

  it('reads sha256sum output, naming the line of a bad entry, and builds the OS\'s checksum command', () => {
    const a = 'a'.repeat(64);
    expect(parseChecksumFile('sums', `# comment\n${a}  /etc/hosts\n${a.toUpperCase()} */bin/app\n`)).toEqual([
      { sha256: a, path: '/etc/hosts' },
      { sha256: a, path: '/bin/app' },
    ]);
    expect(() => parseChecksumFile('sums', `${a}  /ok\nnot-a-hash /x\n`)).toThrow('sums:2: expected "<sha256 hex>  <path>" (sha256sum output), got "not-a-hash /x"');
    expect(() => parseChecksumFile('sums', '# nothing\n')).toThrow('sums: no checksums found');
    expect(checksumCommand('linux', [{ path: "/it's", sha256: a }]).commands).toEqual([`sha256sum -- '/it'\\''s'`]);
    const win = checksumCommand('windows', [{ path: "C:\\it's.txt", sha256: a }]);
    expect(win.document).toBe('AWS-RunPowerShellScript');
    expect(win.commands[0]).toContain("@('C:\\it''s.txt')");
  });

  it('a bounded wait stops at its deadline with the last state, and fails fast on a failure state', async () => {
    let polls = 0;
    const o = { what: 'thing', clock: fastClock(), timeoutMinutes: 2, pollMs: 30_000 };
    await expect(waitFor(o, async () => ({ state: `poll ${++polls}` }))).rejects.toThrow('timed out after 2 min waiting for thing (last seen: poll 5)');
    await expect(waitFor(o, async () => ({ state: 'terminated', failure: 'terminated: Server.InternalError' }))).rejects.toThrow('thing failed: terminated: Server.InternalError');
  });

  it('names the target key by alias ARN from the staging account unless the key is in the staging account itself', () => {
    const config = exampleConfig('factory.yaml');
    const prod = config.accounts.targets[0];
    expect(importKeyAliasId(config, prod)).toBe('arn:aws:kms:eu-west-1:222222222222:alias/rehost-factory/acme-dc1/prod');
    expect(importKeyAliasId(config, { ...prod, accountId: config.accounts.staging })).toBe('alias/rehost-factory/acme-dc1/prod');
    expect(importKeyAliasId({ ...config, region: 'cn-north-1' }, { ...prod, kms: { ...prod.kms, alias: 'alias/ebs' } })).toBe('arn:aws-cn:kms:cn-north-1:222222222222:alias/ebs');
  });

  it('compares composite checksums with or without the part count S3 may leave off', () => {
    expect(sameCompositeSha256('q83v+A==-3', 'q83v+A==-3')).toBe(true);
    expect(sameCompositeSha256('q83v+A==-3', 'q83v+A==')).toBe(true);
    expect(sameCompositeSha256('q83v+A==-3', 'q83v+A==-2')).toBe(false);
    expect(sameCompositeSha256('q83v+A==-3', 'AAAA+A==-3')).toBe(false);
  });

  it.each([
    ['uefi', /VM Import cannot encrypt UEFI imports and the factory always encrypts with the target key: leave the boot mode out .*, got "uefi"/],
    ['uefi-preferred', /ImportImage does not support uefi-preferred .*, got "uefi-preferred"/],
    ['bios', /expected legacy-bios \(or no boot mode: VM Import detects it from the image\), got "bios"/],
  ])('factory.yaml refuses vmImport.import.bootMode %s at its line', (mode, message) => {
    const text = readFileSync(join(ROOT, 'examples', 'factory.yaml'), 'utf8');
    const anchor = '    licenseType: BYOL\n';
    expect(text.split(anchor)).toHaveLength(2);
    const line = text.slice(0, text.indexOf(anchor) + anchor.length).split('\n').length;
    let err: unknown;
    try {
      parseFactory(text.replace(anchor, `${anchor}    bootMode: ${mode}\n`), 'factory.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([expect.objectContaining({ file: 'factory.yaml', line, path: 'vmImport.import.bootMode', message: expect.stringMatching(message) })]);
    expect(parseFactory(text.replace(anchor, `${anchor}    bootMode: legacy-bios\n`)).vmImport.import.bootMode).toBe('legacy-bios');
  });
});
