import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadFactoryFile } from '../config/load';
import type { FactoryConfig } from '../config/schema';
import { createRunbookClients, destroyClients } from '../runbook/clients';
import { type Clock, type Logger, type RunbookClients, systemClock } from '../runbook/context';
import { type Mode, MODES, isMode } from '../runbook/lifecycle';
import { failedServers, renderSummary, type WaveReport } from '../runbook/report';
import { abortOnSignals } from '../core/interrupt';
import { runWithReport } from '../runbook/outcome';
import type { WavePlan } from '../runbook/wave/options';
import { describeStep } from '../runbook/wave/presentation';
import { waveRun } from '../runbook/wave/run';
import { parseServerList } from '../runbook/select';
import { Command, CommandIo, UsageError, defaultConfigPath, parseUsage } from './options';

const ACTIONS = ['plan', 'preflight', 'run'] as const;
type WaveAction = (typeof ACTIONS)[number];

const USAGE =
  'rehost-factory wave plan|preflight|run --wave W --mode test|cutover|finalize|revert|archive [--config FILE] [--servers a,b] [--dry-run] [--continue-without-failing] [--simulate] [--report FILE]';

/** Where a wave command runs: AWS (the default) or a rehearsal against the MGN fake and moto. */
interface Target {
  readonly config: FactoryConfig;
  readonly clients: RunbookClients;
  readonly clock: Clock;
  readonly simulated: boolean;
  stop(): Promise<void>;
}

async function target(config: FactoryConfig, simulate: boolean, wave: string, io: CommandIo): Promise<Target> {
  if (!simulate) {
    const clients = createRunbookClients(config);
    return { config, clients, clock: systemClock, simulated: false, stop: async () => destroyClients(clients) };
  }
  // Loaded only for --simulate: the fake and moto are not needed against AWS.
  const { startSimulation } = require('../simulation/simulate') as typeof import('../simulation/simulate');
  io.out('SIMULATION: starting the MGN fake and moto; nothing here calls AWS. Time is virtual.');
  const sim = await startSimulation({ config, waves: [wave] });
  io.out(`SIMULATION: MGN fake at ${sim.fake.url}, moto at ${sim.motoUrl}; ${[...sim.idMap].map(([a, b]) => `${a}→${b}`).join(', ')}`);
  return { config: sim.config, clients: sim.clients, clock: sim.clock, simulated: true, stop: () => sim.stop() };
}

export const waveCommand: Command = {
  usage: USAGE,
  summary: 'Plan, preflight or run a wave (test launch, cutover, finalize, revert, archive) with the same runbook as the GitHub workflow; --simulate rehearses it without AWS',
  async run(argv, io) {
    const { values, positionals } = parseUsage(() =>
      parseArgs({
        args: argv,
        strict: true,
        allowPositionals: true,
        options: {
          config: { type: 'string', short: 'c' },
          wave: { type: 'string', short: 'w' },
          mode: { type: 'string', short: 'm' },
          servers: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
          'continue-without-failing': { type: 'boolean', default: false },
          simulate: { type: 'boolean', default: false },
          report: { type: 'string' },
        },
      }),
    );
    const action = positionals[0] as WaveAction;
    if (!ACTIONS.includes(action) || positionals.length > 1) throw new UsageError(`expected one of ${ACTIONS.join(', ')}, got ${positionals.join(' ') || 'nothing'}`);
    if (!values.wave) throw new UsageError('--wave is required');
    if (!values.mode || !isMode(values.mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}${values.mode ? `, got "${values.mode}"` : ''}`);
    const mode: Mode = values.mode;
    const { config: loaded } = loadFactoryFile(values.config ?? defaultConfigPath());
    const t = await target(loaded, values.simulate!, values.wave, io);
    const logger: Logger = { info: (l) => io.err(l), warn: (l) => io.err(`warning: ${l}`) };
    // Ctrl-C stops the run at the next wait; its report is still written and printed.
    const interrupt = io.signal ? { signal: io.signal, release: () => undefined } : abortOnSignals();
    try {
      const run = waveRun(
        { config: t.config, clients: t.clients, clock: t.clock, logger, signal: interrupt.signal, ...(t.simulated ? { tcpProbe: async () => true } : {}) },
        {
          wave: values.wave,
          mode,
          servers: parseServerList(values.servers),
          dryRun: action !== 'run' || values['dry-run'],
          // plan and preflight list every refusal; run stops on them unless told to continue.
          continueWithoutFailing: action !== 'run' || values['continue-without-failing'],
          simulated: t.simulated,
        },
      );
      // The report file is written whatever happens: success, refusal, failure, interruption.
      const { plan, report } = await runWithReport(
        () => run.run(),
        (r) => {
          if (values.report) writeFileSync(values.report, JSON.stringify(r, null, 2) + '\n');
          if (action === 'run' && r.error) io.out(renderSummary(r));
        },
      );
      if (action === 'plan') printPlan(plan, report, io);
      else if (action === 'preflight') {
        io.out(plan.excluded.length ? `preflight: ${plan.excluded.length} server(s) refused (continuing without them was requested)` : `preflight: all ${report.servers.length} servers ready for ${mode}`);
        for (const f of plan.excluded) io.out(`  ${f.server}: ${f.reasons.join('; ')}`);
      } else io.out(renderSummary(report));
      if (t.simulated) io.out('SIMULATION: this was a rehearsal against the MGN fake and moto; no AWS resource was touched.');
      return failedServers(report).length ? 1 : 0;
    } finally {
      interrupt.release();
      await t.stop();
    }
  },
};

function printPlan(plan: WavePlan, report: WaveReport, io: CommandIo): void {
  io.out(`Plan for wave ${plan.wave}, mode ${plan.mode}${report.simulated ? ' (SIMULATION)' : ''}:`);
  for (const s of plan.servers) {
    const excluded = plan.excluded.find((f) => f.server === s.server);
    io.out(`  ${s.server.padEnd(16)} ${s.application.padEnd(16)} ${s.sourceServerID} (by ${s.matchedBy})  ${excluded ? `EXCLUDED: ${excluded.reasons.join('; ')}` : describeStep(plan.mode, s.step)}`);
  }
}
