import type { FactoryConfig } from '../../src/config/schema';
import type { Logger } from '../../src/runbook/context';
import type { Runtime } from '../../src/runbook/runtime';
import { type Simulation, type SimulationProps, startSimulation } from '../../src/simulation/simulate';

/** MGN operations that change something (the "nothing mutated" assertions count these). */
export const MUTATING = [
  'CreateWave',
  'CreateApplication',
  'AssociateApplications',
  'AssociateSourceServers',
  'DisassociateSourceServers',
  'StartTest',
  'StartCutover',
  'FinalizeCutover',
  'ChangeServerLifeCycleState',
  'TerminateTargetInstances',
  'MarkAsArchived',
];

export function mutatingCalls(sim: Simulation): number {
  return MUTATING.reduce((n, op) => n + sim.fake.calls(op), 0);
}

/** A logger that keeps the lines (tests assert on progress and reasons). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), warn: (l) => lines.push(`WARN ${l}`) };
}

export function runtimeOf(sim: Simulation, logger: Logger = memoryLogger(), config: FactoryConfig = sim.config): Runtime {
  return { config, clients: sim.clients, clock: sim.clock, logger, tcpProbe: async () => true };
}

export function simulate(config: FactoryConfig, motoUrl: string, props: Partial<SimulationProps> = {}): Promise<Simulation> {
  return startSimulation({ config, motoUrl, ...props });
}
