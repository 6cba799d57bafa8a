import { amiReEncryptionSection, amiSwapSection } from '../../../src/config/sections/automation';
import { amiSwapDefinition } from '../../../src/infra/state-machines/ami-swap';
import { State, StateMachineDefinition, States, TaskState } from '../../../src/infra/state-machines/asl';
import { transitions } from '../../../src/infra/state-machines/history';
import { reEncryptionDefinition } from '../../../src/infra/state-machines/re-encryption';

/**
 * The rule behind the verdict of a run, checked on the graph of every variant of both definitions:
 * once the work is in use (the group was switched to the new launch template version; the copy was
 * shared), no state can roll it back, release the claim or fail the run. A state added later after
 * the commit point that routes a failure to the roll-back makes this test fail.
 */

const ARNS = { resolve: 'arn:aws:lambda:eu-west-1:111111111111:function:r', retention: 'arn:aws:lambda:eu-west-1:111111111111:function:t', topic: 'arn:aws:sns:eu-west-1:111111111111:t' };

interface Variant {
  readonly name: string;
  readonly definition: StateMachineDefinition;
  /** The declared commit point, if the definition declares one. */
  readonly commitPoint?: string;
  /** The states whose success puts the work in use: the commit point is what they go to next. */
  readonly switches: string[];
  /** Where a failure before the commit point goes to be undone. */
  readonly rollback: string;
}

function swap(name: string, over: object, notifyOnSuccess?: boolean): Variant {
  const d = amiSwapDefinition({ resolveFunctionArn: ARNS.resolve, retentionFunctionArn: ARNS.retention, claimsTable: 'c', topicArn: ARNS.topic, settings: amiSwapSection.parse({ enabled: true, ...over }), notifyOnSuccess });
  return { name, definition: d.definition, commitPoint: (d as { commitPoint?: string }).commitPoint, switches: ['UpdateGroupLaunchTemplate', 'UpdateGroupMixedInstancesPolicy'], rollback: 'Rollback' };
}

function reEncryption(name: string, over: object, notifyOnSuccess?: boolean): Variant {
  const d = reEncryptionDefinition({ region: 'eu-west-1', resolveFunctionArn: ARNS.resolve, claimsTable: 'c', topicArn: ARNS.topic, settings: amiReEncryptionSection.parse(over), notifyOnSuccess });
  return { name, definition: d.definition, commitPoint: (d as { commitPoint?: string }).commitPoint, switches: ['ShareImage', 'NotShared'], rollback: 'CleanUpCopy' };
}

const variants: Variant[] = [
  swap('ami swap', {}),
  swap('ami swap, no instance refresh, no success notice', { instanceRefresh: { enabled: false } }, false),
  reEncryption('re-encryption', {}),
  reEncryption('re-encryption, deregister source, no success notice', { deregisterSource: true }, false),
];

/** The states reachable from `from` (itself included), with the path that first reached each. */
function reachable(states: States, from: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue: Array<[string, string[]]> = from.map((n) => [n, [n]]);
  while (queue.length) {
    const [name, path] = queue.shift()!;
    if (seen.has(name)) continue;
    seen.set(name, path);
    const s = states[name];
    if (!s) throw new Error(`${path.join(' -> ')}: no state ${name}`);
    for (const next of transitions(s)) queue.push([next, [...path, next]]);
  }
  return seen;
}

/** A DynamoDB write that releases a claim (sets its status to RELEASED). */
const releasesClaim = (s: State) => s.Type === 'Task' && /#status = :released/.test(String((s as TaskState).Parameters?.UpdateExpression ?? ''));

/** What a state after the commit point must not be or do; empty when all is well. */
function commitViolations(v: Variant): string[] {
  const states = v.definition.States;
  const problems: string[] = [];
  const switches = v.switches.filter((n) => states[n]);
  if (switches.length !== v.switches.length) problems.push(`missing switch states: ${v.switches.filter((n) => !states[n]).join(', ')}`);
  const afterSwitch = [...new Set(switches.map((n) => (states[n] as { Next?: string }).Next!))];
  if (afterSwitch.length !== 1 || afterSwitch[0] !== v.commitPoint) problems.push(`the switches go on to ${afterSwitch.join(', ')}, not to the declared commit point ${v.commitPoint}`);
  for (const [name, path] of reachable(states, afterSwitch)) {
    const s = states[name];
    const where = path.join(' -> ');
    if (name === v.rollback) problems.push(`reaches the roll-back: ${where}`);
    if (releasesClaim(s)) problems.push(`releases the claim: ${where}`);
    if (s.Type === 'Fail') problems.push(`fails the run: ${where}`);
    // every step after the commit point catches everything (an uncaught error would fail the run)
    if ((s.Type === 'Task' || s.Type === 'Map') && !s.Catch?.some((c) => c.ErrorEquals.includes('States.ALL'))) problems.push(`${name} does not catch States.ALL`);
  }
  return problems;
}

describe.each(variants)('$name', (v) => {
  test('nothing reachable after the commit point rolls back, releases the claim or fails', () => {
    expect(commitViolations(v)).toEqual([]);
  });

  test('the commit point is reached only by the switch, and before it a failure rolls back', () => {
    const states = v.definition.States;
    const into = Object.entries(states).filter(([, s]) => transitions(s).includes(v.commitPoint!)).map(([n]) => n);
    expect(into.sort()).toEqual(v.switches.filter((n) => states[n]).sort());
    // the switches themselves are before it: their failure goes to the roll-back
    for (const n of v.switches) expect((states[n] as TaskState).Catch?.map((c) => c.Next) ?? [v.rollback]).toContain(v.rollback);
    // and the roll-back never reaches the commit point
    expect([...reachable(states, [v.rollback]).keys()]).not.toContain(v.commitPoint);
  });

  test('the check fails when a state after the commit point routes a failure to the roll-back', () => {
    const states = JSON.parse(JSON.stringify(v.definition.States)) as Record<string, State>;
    const afterCommit = [...reachable(states, [v.commitPoint!]).keys()];
    const task = afterCommit.find((n) => states[n].Type === 'Task')!;
    (states[task] as { Catch: unknown[] }).Catch = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: v.rollback }];
    expect(commitViolations({ ...v, definition: { ...v.definition, States: states } })).toEqual(expect.arrayContaining([expect.stringMatching(/^reaches the roll-back: /)]));
  });
});
