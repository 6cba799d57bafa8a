import { type LaunchConfiguration, ListSourceServerActionsCommand, type SourceServerActionDocument } from '@aws-sdk/client-mgn';
import { listAll } from './paginate';
import { documentName } from '../config/placement';
import { account, type Runtime } from './runtime';

/** The legacy post-launch documents of a launch configuration that run on a `launch` launch (by `deployment`). */
export function legacyDocuments(lc: LaunchConfiguration, launch: 'test' | 'cutover'): string[] {
  const pla = lc.postLaunchActions;
  const deployment = pla?.deployment ?? 'TEST_AND_CUTOVER';
  const applies = deployment === 'TEST_AND_CUTOVER' || deployment === (launch === 'test' ? 'TEST_ONLY' : 'CUTOVER_ONLY');
  return applies ? (pla?.ssmDocuments ?? []).map((d) => documentName(d.ssmDocumentName ?? '')).filter(Boolean) : [];
}

/**
 * Why the server's MGN launch settings would not run every document bootstrap.postLaunch expects on
 * a `launch` launch, or undefined when they do. MGN runs the launch configuration's `ssmDocuments`
 * (legacy, by `deployment`; what the mgn stack's launch configuration template sets) and the
 * server's active source server actions; the latter are read only when the former lack a document.
 */
export async function postLaunchConfigProblem(rt: Runtime, sourceServerID: string, lc: LaunchConfiguration, launch: 'test' | 'cutover', expected: readonly string[]): Promise<string | undefined> {
  if (!expected.length) return undefined;
  const legacy = legacyDocuments(lc, launch);
  let missing = expected.filter((d) => !legacy.includes(d));
  if (!missing.length) return undefined;
  const actions: SourceServerActionDocument[] = await listAll(rt, 'mgn:ListSourceServerActions', (nextToken) =>
    rt.clients.mgn.send(new ListSourceServerActionsCommand({ sourceServerID, nextToken, ...account(rt) })),
  );
  const active = actions.filter((a) => a.active !== false).map((a) => documentName(a.documentIdentifier ?? ''));
  missing = missing.filter((d) => !active.includes(d));
  if (!missing.length) return undefined;
  const deployment = lc.postLaunchActions?.deployment ?? 'TEST_AND_CUTOVER';
  const runs = [...legacy, ...active];
  return (
    `post-launch action${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (bootstrap.postLaunch) ${missing.length === 1 ? 'is' : 'are'} not configured for a ${launch} launch in the server's MGN launch settings: ` +
    `a ${launch} launch runs ${runs.length ? runs.join(', ') : 'no action'} (launch configuration ssmDocuments with deployment ${deployment}, then active source server actions); apply the mgn stack's launch configuration template or add them to the server`
  );
}
