import { DescribeInstanceInformationCommand, GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readFileSync } from 'node:fs';
import { Clock } from '../core/clock';
import { waitFor } from '../core/wait';

/** One file whose checksum was recorded at the source, e.g. a line of `sha256sum` output. */
export interface RecordedChecksum {
  readonly path: string;
  readonly sha256: string;
}

/**
 * Reads checksums recorded at the source: `sha256sum` lines ("<hex>  <path>", "*" binary marker
 * allowed) or PowerShell `Get-FileHash` rendered the same way. Names the line of any bad entry.
 */
export function parseChecksumFile(file: string, text = readFileSync(file, 'utf8')): RecordedChecksum[] {
  const out: RecordedChecksum[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (!m) throw new Error(`${file}:${i + 1}: expected "<sha256 hex>  <path>" (sha256sum output), got "${line}"`);
    out.push({ sha256: m[1].toLowerCase(), path: m[2] });
  });
  if (!out.length) throw new Error(`${file}: no checksums found`);
  return out;
}

/** The command that prints "<sha256>  <path>" for each file on the launched instance. */
export function checksumCommand(os: 'linux' | 'windows', files: RecordedChecksum[]): { document: string; commands: string[] } {
  if (os === 'linux') {
    const quoted = files.map((f) => `'${f.path.replace(/'/g, `'\\''`)}'`).join(' ');
    return { document: 'AWS-RunShellScript', commands: [`sha256sum -- ${quoted}`] };
  }
  const list = files.map((f) => `'${f.path.replace(/'/g, "''")}'`).join(',');
  return {
    document: 'AWS-RunPowerShellScript',
    commands: [`foreach ($p in @(${list})) { $h = Get-FileHash -Algorithm SHA256 -LiteralPath $p; "{0}  {1}" -f $h.Hash.ToLower(), $p }`],
  };
}

export interface FileCheck {
  readonly path: string;
  readonly expected: string;
  readonly actual?: string;
  readonly ok: boolean;
}

export interface IntegrityOutcome {
  readonly ssmReachable: boolean;
  readonly pingStatus: string;
  readonly commandId?: string;
  readonly files: FileCheck[];
  readonly ok: boolean;
}

export interface IntegrityOptions {
  readonly ssm: SSMClient;
  readonly instanceId: string;
  readonly os: 'linux' | 'windows';
  readonly checksums?: RecordedChecksum[];
  readonly clock: Clock;
  readonly timeoutMinutes: number;
  readonly pollMs: number;
  readonly log: (line: string) => void;
}

/**
 * The imported server is reachable by SSM (its agent is Online) and, when checksums were recorded at the
 * source, the same files on the instance have the same SHA-256.
 */
export async function checkIntegrity(o: IntegrityOptions): Promise<IntegrityOutcome> {
  const wait = { clock: o.clock, timeoutMinutes: o.timeoutMinutes, pollMs: o.pollMs, log: o.log };
  const pingStatus = await waitFor({ ...wait, what: `SSM agent of ${o.instanceId}` }, async () => {
    const r = await o.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [o.instanceId] }] }));
    const ping = r.InstanceInformationList?.[0]?.PingStatus ?? 'not registered';
    return { state: ping, value: ping === 'Online' ? ping : undefined };
  });
  if (!o.checksums?.length) return { ssmReachable: true, pingStatus, files: [], ok: true };

  const { document, commands } = checksumCommand(o.os, o.checksums);
  const sent = await o.ssm.send(
    new SendCommandCommand({ InstanceIds: [o.instanceId], DocumentName: document, Parameters: { commands }, Comment: 'rehost-factory vm-import integrity check' }),
  );
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new Error(`SendCommand to ${o.instanceId} returned no CommandId`);
  const output = await waitFor({ ...wait, what: `checksum command ${commandId} on ${o.instanceId}` }, async () => {
    try {
      const inv = await o.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: o.instanceId }));
      const status = inv.Status ?? 'Pending';
      if (status === 'Success') return { state: status, value: inv.StandardOutputContent ?? '' };
      if (['Failed', 'Cancelled', 'TimedOut', 'Undeliverable', 'Terminated'].includes(status)) {
        return { state: status, failure: `${status}: ${(inv.StandardErrorContent || inv.StatusDetails || '').trim()}` };
      }
      return { state: status };
    } catch (e) {
      // The invocation is not visible for a moment after SendCommand.
      if ((e as { name?: string }).name === 'InvocationDoesNotExist') return { state: 'not yet delivered' };
      throw e;
    }
  });
  const actual = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (m) actual.set(m[2], m[1].toLowerCase());
  }
  const files = o.checksums.map((f) => ({ path: f.path, expected: f.sha256, actual: actual.get(f.path), ok: actual.get(f.path) === f.sha256 }));
  return { ssmReachable: true, pingStatus, commandId, files, ok: files.every((f) => f.ok) };
}
