import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import { RunInterrupted } from '../../src/core/interrupt';
import type { WaveReport } from '../../src/runbook/report';
import { ROOT } from '../support/tools';

function capture(onErr: (line: string) => void = () => undefined, signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => (err.push(l), onErr(l)), signal }, out, err };
}

const scratch = mkdtempSync(join(tmpdir(), 'rehost-cli-'));
const readReport = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as WaveReport;

const example = join(ROOT, 'examples', 'factory.yaml');

describe('rehost-factory wave', () => {
  it('rehearses the example wave 1 test launch with --simulate and prints the report', async () => {
    const c = capture();
    const code = await runCli(['wave', 'run', '--config', example, '--wave', 'wave-1', '--mode', 'test', '--simulate'], c.io);
    const out = c.out.join('\n');
    expect({ code, err: code ? c.err.join('\n') : '' }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^SIMULATION: starting the MGN fake and moto; nothing here calls AWS/);
    expect(out).toContain('## Wave `wave-1` — test — SIMULATION (MGN fake, no AWS)');
    for (const server of ['web01', 'web02', 'wiki01']) expect(out).toMatch(new RegExp(`\\| ${server} \\| \\w+ \\| s-\\w{17} \\| ✅ succeeded \\| mgnjob-\\w+ \\| i-\\w+ \\|`));
    expect(out).toContain('```mermaid\ngantt');
    expect(out).toMatch(/SIMULATION: this was a rehearsal .* no AWS resource was touched\.$/);
    expect(c.err.join('\n')).toMatch(/\[wave-1\/test\] t\+PT25M: succeeded 3/);
  });

  it('plans a wave read-only: each server, how it matched, and its next step', async () => {
    const c = capture();
    const code = await runCli(['wave', 'plan', '--config', example, '--wave', 'wave-2', '--mode', 'test', '--simulate'], c.io);
    const out = c.out.join('\n');
    expect({ code, err: code ? c.err.join('\n') : '' }).toEqual({ code: 0, err: '' });
    expect(out).toContain('Plan for wave wave-2, mode test (SIMULATION):');
    expect(out).toMatch(/ {2}app01 +erp +s-\w{17} \(by fqdn\) +write the test placement to the launch template and StartTest \(batched under the MGN quotas\)/);
    expect(out).toMatch(/ {2}db01 +erp +s-\w{17} \(by hostname\)/);
    expect(out).not.toMatch(/started mgnjob/);
  });

  it('refuses bad input with exit 2 and a message naming the problem', async () => {
    const c = capture();
    expect(await runCli(['wave', 'plan', '--config', example, '--wave', 'wave-9', '--mode', 'test'], c.io)).toBe(2);
    expect(c.err.join('\n')).toBe('error: unknown wave "wave-9": factory.yaml has "wave-1", "wave-2", "wave-3"');
    const m = capture();
    expect(await runCli(['wave', 'run', '--config', example, '--wave', 'wave-1', '--mode', 'launch'], m.io)).toBe(2);
    expect(m.err.join('\n')).toMatch(/--mode must be one of test, cutover, finalize, revert, archive, got "launch"/);
    const p = capture();
    expect(await runCli(['wave', 'deploy', '--wave', 'wave-1', '--mode', 'test'], p.io)).toBe(2);
    expect(p.err.join('\n')).toMatch(/expected one of plan, preflight, run, got deploy/);
  });

  it('writes --report when preflight refuses the run: every server with why, and why the run stopped', async () => {
    const file = join(scratch, 'refused.json');
    const c = capture();
    expect(await runCli(['wave', 'run', '--config', example, '--wave', 'wave-1', '--mode', 'finalize', '--simulate', '--report', file], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/error: preflight refused 3 servers; nothing was changed/);
    const report = readReport(file);
    expect(report.error).toMatch(/^refused: preflight refused 3 servers; nothing was changed/);
    expect(report.servers.map((s) => [s.server, s.outcome, s.reason])).toEqual(
      ['web01', 'web02', 'wiki01'].map((n) => [n, 'excluded', expect.stringMatching(/^preflight: is READY_FOR_TEST \(Ready for testing\): finalize needs a cutover launch/)]),
    );
  });

  it('writes --report when the run is interrupted (Ctrl-C): launched servers failed with where they stopped', async () => {
    const file = join(scratch, 'interrupted.json');
    const controller = new AbortController();
    // Interrupted as soon as the launch job is started (Ctrl-C arrives at that point).
    const c = capture((line) => /started mgnjob/.test(line) && controller.abort(new RunInterrupted('interrupted by SIGINT')), controller.signal);
    const code = await runCli(['wave', 'run', '--config', example, '--wave', 'wave-1', '--mode', 'test', '--simulate', '--report', file], c.io);
    expect(code).toBe(1);
    const report = readReport(file);
    expect(report.error).toBe('interrupted: interrupted by SIGINT');
    expect(report.servers.map((s) => [s.server, s.outcome, s.reason])).toEqual(
      ['web01', 'web02', 'wiki01'].map((n) => [n, 'failed', "interrupted while launching: interrupted by SIGINT; a re-run resumes from MGN's state"]),
    );
    // The summary of what was done is printed too.
    expect(c.out.join('\n')).toMatch(/\*\*The run stopped:\*\* interrupted: interrupted by SIGINT/);
  });
});
