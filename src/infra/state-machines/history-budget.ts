import { WORST_CASE_VOLUMES } from '../../config/history-budget';
import type { AmiReEncryptionSettings, AmiSwapSettings } from '../../config/sections/automation';
import { amiSwapDefinition } from './ami-swap';
import { HistoryModel, worstCaseHistoryEvents } from './history';
import { PipelineDefinition, reEncryptionDefinition } from './re-encryption';

// The budget and the model validation uses (without building definitions) are the estate's: config/history-budget.ts.
export { HISTORY_EVENT_BUDGET, overHistoryBudget, WORST_CASE_VOLUMES } from '../../config/history-budget';

/** Stand-ins for what synth fills in: the history depends on the graph and the settings only. */
const STAND_IN = { arn: 'arn:aws:lambda:us-east-1:000000000000:function:f', table: 'claims', topic: 'arn:aws:sns:us-east-1:000000000000:t' };

/** The re-encryption's worst case, counted on its built definition. */
export function reEncryptionWorstCase(s: AmiReEncryptionSettings): HistoryModel {
  return worstCase(reEncryptionDefinition({ region: 'us-east-1', resolveFunctionArn: STAND_IN.arn, claimsTable: STAND_IN.table, topicArn: STAND_IN.topic, settings: s }));
}

/** The AMI swap's worst case, counted on its built definition. */
export function amiSwapWorstCase(s: AmiSwapSettings): HistoryModel {
  return worstCase(amiSwapDefinition({ resolveFunctionArn: STAND_IN.arn, retentionFunctionArn: STAND_IN.arn, claimsTable: STAND_IN.table, topicArn: STAND_IN.topic, settings: s }));
}

function worstCase(p: PipelineDefinition): HistoryModel {
  return worstCaseHistoryEvents(p.definition, p.loops, WORST_CASE_VOLUMES);
}
