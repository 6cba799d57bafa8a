import { DescribeSourceServersCommand } from '@aws-sdk/client-mgn';
import { type MotoServer, startMoto } from '../support/moto';
import type { Mode } from '../../src/runbook/lifecycle';
import { RunInterrupted } from '../../src/core/interrupt';
import { runWave } from '../../src/runbook/wave/run';
import type { WaveReport } from '../../src/runbook/report';
import type { Simulation } from '../../src/simulation/simulate';
import { generatedEstate } from './estate';
import { runtimeOf, simulate } from './sim';

let moto: MotoServer;
let sim: Simulation;
beforeAll(async () => {
  moto = await startMoto({ accountId: '111111111111' });
  sim = await simulate(generatedEstate(8, { tcpPort: 22 }), moto.url, { waves: ['big'] });
});
afterAll(async () => {
  await sim?.stop();
  await moto?.stop();
});

/**
 * Runs a mode, interrupting it at the first boundary (phase × start/end) not interrupted before,
 * re-running after each interruption until a run completes: the re-dispatch after a cancelled or
 * crashed workflow run, at every point of the runbook.
 */
async function runInterrupted(mode: Mode): Promise<{ report: WaveReport; boundaries: string[] }> {
  const seen: string[] = [];
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      const report = await runWave(runtimeOf(sim), {
        wave: 'big',
        mode,
        onPhase: (_server, phase, edge) => {
          const key = `${phase}:${edge}`;
          if (seen.includes(key)) return;
          seen.push(key);
          throw new RunInterrupted(`interrupted at ${key}`);
        },
      });
      return { report, boundaries: seen };
    } catch (e) {
      if (!(e instanceof RunInterrupted)) throw e;
      // The re-dispatch comes a little later; MGN's jobs go on meanwhile.
      await sim.clock.sleep(90_000);
    }
  }
  throw new Error(`${mode}: did not converge`);
}

async function lifecycle(): Promise<string[]> {
  const r = await sim.clients.mgn.send(new DescribeSourceServersCommand({ filters: {} }));
  return [...new Set((r.items ?? []).map((s) => `${s.lifeCycle?.state}${s.isArchived ? ' archived' : ''}`))];
}

it('converges after an interruption at every phase boundary of every mode and never launches twice', async () => {
  const expectations: Array<[Mode, string[], string]> = [
    ['test', ['launch-template', 'launch', 'status-checks', 'post-launch', 'tcp-checks', 'lifecycle'], 'READY_FOR_CUTOVER'],
    ['revert', ['revert', 'terminate'], 'READY_FOR_TEST'],
    ['test', ['launch-template', 'launch', 'status-checks', 'post-launch', 'tcp-checks', 'lifecycle'], 'READY_FOR_CUTOVER'],
    ['cutover', ['launch-template', 'launch', 'status-checks', 'post-launch', 'tcp-checks'], 'CUTTING_OVER'],
    ['finalize', ['launch', 'status-checks', 'post-launch', 'tcp-checks', 'finalize'], 'CUTOVER'],
    ['archive', ['archive'], 'CUTOVER archived'],
  ];
  for (const [mode, phases, state] of expectations) {
    const { report, boundaries } = await runInterrupted(mode);
    expect([mode, boundaries.sort()]).toEqual([mode, phases.flatMap((p) => [`${p}:end`, `${p}:start`]).sort()]);
    expect([mode, report.servers.filter((s) => s.outcome === 'failed').map((s) => `${s.server}: ${s.reason}`)]).toEqual([mode, []]);
    expect([mode, await lifecycle()]).toEqual([mode, [state]]);
  }
  const ids = (await sim.clients.mgn.send(new DescribeSourceServersCommand({ filters: {} }))).items!.map((s) => s.sourceServerID!);
  expect(ids).toHaveLength(8);
  // Two test launches (before and after the revert) and one cutover per server, whatever the interruptions.
  for (const id of ids) expect([id, sim.fake.launches(id, 'START_TEST'), sim.fake.launches(id, 'START_CUTOVER')]).toEqual([id, 2, 1]);
  expect(sim.fake.calls('FinalizeCutover')).toBe(8);
});
