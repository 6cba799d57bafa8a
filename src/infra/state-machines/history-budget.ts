import type { AmiReEncryptionSettings, AmiSwapSettings } from '../../config/sections/automation';
import { amiSwapDefinition } from './ami-swap';
import { HISTORY_EVENT_LIMIT, HistoryModel, worstCaseHistoryEvents } from './history';
import { PipelineDefinition, reEncryptionDefinition } from './re-encryption';

/**
 * What a workflow's worst case may reach: a margin below Step Functions' 25,000 history events, since
 * the model counts what the definition can do, not what the service adds around it.
 */
export const HISTORY_EVENT_BUDGET = 20_000;
/** Map iterations the model charges: the most volumes an instance can attach. */
export const WORST_CASE_VOLUMES = 128;

/** Stand-ins for what synth fills in: the history depends on the graph and the settings only. */
const STAND_IN = { arn: 'arn:aws:lambda:us-east-1:000000000000:function:f', table: 'claims', topic: 'arn:aws:sns:us-east-1:000000000000:t' };

export function reEncryptionWorstCase(s: AmiReEncryptionSettings): HistoryModel {
  return worstCase(reEncryptionDefinition({ region: 'us-east-1', resolveFunctionArn: STAND_IN.arn, claimsTable: STAND_IN.table, topicArn: STAND_IN.topic, settings: s }));
}

export function amiSwapWorstCase(s: AmiSwapSettings): HistoryModel {
  return worstCase(amiSwapDefinition({ resolveFunctionArn: STAND_IN.arn, retentionFunctionArn: STAND_IN.arn, claimsTable: STAND_IN.table, topicArn: STAND_IN.topic, settings: s }));
}

function worstCase(p: PipelineDefinition): HistoryModel {
  return worstCaseHistoryEvents(p.definition, p.loops, WORST_CASE_VOLUMES);
}

/**
 * Over budget: which polling setting to change (the loop that adds most) and a message giving the
 * worst case; undefined within budget. `loops` maps a loop's first state to its polling setting.
 */
export function overHistoryBudget(model: HistoryModel, loops: Record<string, string>): { setting: string; message: string } | undefined {
  if (model.total <= HISTORY_EVENT_BUDGET) return undefined;
  const [entry, added] = Object.entries(loops)
    .map(([state, setting]): [string, number] => [setting, model.parts[`loop ${state}`] ?? 0])
    .reduce((a, b) => (b[1] > a[1] ? b : a));
  const n = (x: number) => x.toLocaleString('en-US');
  return {
    setting: entry,
    message:
      `polling settings allow a worst case of ${n(model.total)} Step Functions history events (${entry} alone adds ${n(added)}); ` +
      `at most ${n(HISTORY_EVENT_BUDGET)} are allowed (an execution fails at ${n(HISTORY_EVENT_LIMIT)}): raise ${entry}.maxSeconds or lower ${entry}.timeoutMinutes`,
  };
}
