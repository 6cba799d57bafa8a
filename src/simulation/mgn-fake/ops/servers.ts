import type { ChangeServerLifeCycleStateSourceServerLifecycleState, LifeCycleState } from '@aws-sdk/client-mgn';
import { conflict, invalidField, notFound } from '../errors';
import { filters, idList, optionalStringList, requiredString, tagsOf } from '../fields';
import { listPage } from '../paginate';
import type { ServerRecord } from '../state';
import type { OperationContext, OperationTable } from './context';

/**
 * Lifecycle states a ChangeServerLifeCycleState target may be reached from: mark ready for cutover
 * after a test, revert a test, revert a cutover launch, or complete a cutover.
 */
const CHANGE_FROM: Record<ChangeServerLifeCycleStateSourceServerLifecycleState, LifeCycleState[]> = {
  READY_FOR_TEST: ['TESTING', 'READY_FOR_CUTOVER'],
  READY_FOR_CUTOVER: ['TESTING', 'CUTTING_OVER'],
  CUTOVER: ['CUTTING_OVER'],
};

function refuse(server: ServerRecord, message: string, code: string): never {
  throw conflict(`${server.id} (${server.hostname}): ${message}`, [{ message, code, resourceId: server.id, resourceType: 'SOURCE_SERVER' }], { id: server.id, type: 'SOURCE_SERVER' });
}

function unarchived(ctx: OperationContext, id: string): ServerRecord {
  const server = ctx.state.server(id);
  if (server.isArchived) refuse(server, 'source server is archived', 'SOURCE_SERVER_ARCHIVED');
  return server;
}

function notInJob(server: ServerRecord): void {
  if (server.activeJobID) refuse(server, `source server is in active job ${server.activeJobID}`, 'SOURCE_SERVER_IN_ACTIVE_JOB');
}

/** Cutover is not enabled while a test launch's action marked mustSucceedForCutover has FAILED. */
function blockingActions(ctx: OperationContext, server: ServerRecord): void {
  const jobID = server.lastTest?.initiated?.jobID;
  const participant = jobID ? ctx.state.jobs.get(jobID)?.job.participatingServers.find((p) => p.sourceServerID === server.id) : undefined;
  const failed = (participant?.postLaunchActionsStatus?.postLaunchActionsLaunchStatusList ?? []).filter((a) => a.executionStatus === 'FAILED' && a.ssmDocument?.mustSucceedForCutover === true);
  if (failed.length > 0) {
    refuse(server, `post-launch action ${failed.map((a) => a.ssmDocument?.actionName).join(', ')} of test job ${jobID} FAILED and must succeed for cutover`, 'POST_LAUNCH_ACTION_FAILED');
  }
}

function launchJob(mode: 'START_TEST' | 'START_CUTOVER' | 'TERMINATE') {
  return {
    status: 202 as const,
    handle: (ctx: OperationContext, body: Record<string, unknown>) => {
      const ids = idList(body, 'sourceServerIDs', 'sourceServerID', 200);
      return { job: structuredClone(ctx.engine.create(mode, ids, tagsOf(body)).job) };
    },
  };
}

export const serverOperations: OperationTable = {
  DescribeSourceServers: {
    status: 200,
    handle(ctx, body) {
      const f = filters(body);
      const ids = optionalStringList(f, 'sourceServerIDs');
      const states = optionalStringList(f, 'lifeCycleStates');
      const types = optionalStringList(f, 'replicationTypes');
      const apps = optionalStringList(f, 'applicationIDs');
      if (f.isArchived !== undefined && typeof f.isArchived !== 'boolean') throw invalidField('filters.isArchived', 'must be a boolean');
      const matches = [...ctx.state.servers.values()].filter(
        (s) =>
          (!ids || ids.includes(s.id)) &&
          (f.isArchived === undefined || s.isArchived === f.isArchived) &&
          (!states || states.includes(s.state)) &&
          (!types || types.includes('AGENT_BASED')) &&
          (!apps || (s.applicationID !== undefined && apps.includes(s.applicationID))),
      );
      return listPage(matches, body, (s) => ctx.state.renderServer(s));
    },
  },

  ChangeServerLifeCycleState: {
    status: 200,
    handle(ctx, body) {
      const server = unarchived(ctx, requiredString(body, 'sourceServerID'));
      const target = (body.lifeCycle as { state?: unknown } | undefined)?.state;
      if (typeof target !== 'string' || !(target in CHANGE_FROM)) throw invalidField('lifeCycle.state', `must be one of ${Object.keys(CHANGE_FROM).join(', ')}`);
      const to = target as ChangeServerLifeCycleStateSourceServerLifecycleState;
      // MGN refuses lifecycle changes until replication has measured a lag (initial sync done).
      if (server.lagDuration === null) refuse(server, 'lagDuration is not set yet: data replication has not completed its initial sync', 'LAG_DURATION_NOT_SET');
      notInJob(server);
      if (!CHANGE_FROM[to].includes(server.state)) refuse(server, `cannot change lifecycle state from ${server.state} to ${to} (allowed from: ${CHANGE_FROM[to].join(', ')})`, 'INVALID_LIFECYCLE_STATE');
      if (to === 'READY_FOR_CUTOVER' && server.state === 'TESTING') blockingActions(ctx, server);
      const now = ctx.state.iso();
      if (to === 'READY_FOR_TEST' && server.lastTest) server.lastTest.reverted = { apiCallDateTime: now };
      if (to === 'READY_FOR_CUTOVER' && server.state === 'TESTING' && server.lastTest) server.lastTest.finalized = { apiCallDateTime: now };
      if (to === 'READY_FOR_CUTOVER' && server.state === 'CUTTING_OVER' && server.lastCutover) server.lastCutover.reverted = { apiCallDateTime: now };
      if (to === 'CUTOVER' && server.lastCutover) server.lastCutover.finalized = { apiCallDateTime: now };
      server.state = to;
      return ctx.state.renderServer(server);
    },
  },

  StartTest: launchJob('START_TEST'),
  StartCutover: launchJob('START_CUTOVER'),
  TerminateTargetInstances: launchJob('TERMINATE'),

  FinalizeCutover: {
    status: 200,
    handle(ctx, body) {
      const server = unarchived(ctx, requiredString(body, 'sourceServerID'));
      notInJob(server);
      const job = server.lastCutover?.initiated?.jobID ? ctx.state.jobs.get(server.lastCutover.initiated.jobID) : undefined;
      const launched = job?.job.participatingServers.find((p) => p.sourceServerID === server.id)?.launchStatus === 'LAUNCHED';
      if (server.state !== 'CUTTING_OVER' || !launched) {
        refuse(server, `FinalizeCutover needs a launched cutover instance in state CUTTING_OVER; the server is ${server.state}${job ? ` and its last cutover job ${job.job.jobID} did not launch it` : ' and was never cut over'}`, 'INVALID_LIFECYCLE_STATE');
      }
      // The launched instance is kept; replication and staging resources go away.
      server.state = 'CUTOVER';
      server.replicationState = 'DISCONNECTED';
      server.lagDuration = null;
      server.lastCutover!.finalized = { apiCallDateTime: ctx.state.iso() };
      return ctx.state.renderServer(server);
    },
  },

  DisconnectFromService: {
    status: 200,
    handle(ctx, body) {
      const server = unarchived(ctx, requiredString(body, 'sourceServerID'));
      notInJob(server);
      server.state = 'DISCONNECTED';
      server.replicationState = 'DISCONNECTED';
      server.lagDuration = null;
      return ctx.state.renderServer(server);
    },
  },

  MarkAsArchived: {
    status: 200,
    handle(ctx, body) {
      const server = ctx.state.server(requiredString(body, 'sourceServerID'));
      if (server.state !== 'DISCONNECTED' && server.state !== 'CUTOVER') refuse(server, `only DISCONNECTED or CUTOVER servers can be archived; the server is ${server.state}`, 'INVALID_LIFECYCLE_STATE');
      server.isArchived = true;
      return ctx.state.renderServer(server);
    },
  },

  RetryDataReplication: {
    status: 200,
    handle(ctx, body) {
      const server = unarchived(ctx, requiredString(body, 'sourceServerID'));
      if (!ctx.state.isStalled(server)) refuse(server, `data replication is ${server.replicationState}; only STALLED replication can be retried`, 'REPLICATION_NOT_STALLED');
      // A stall injected through faults persists until the fault is lifted; a seeded one clears after a rescan.
      if (server.replicationState === 'STALLED') {
        server.replicationState = 'RESCAN';
        server.rescanUntil = ctx.state.clock.nowMs() + 10 * 60_000;
      }
      return ctx.state.renderServer(server);
    },
  },

  DescribeJobs: {
    status: 200,
    handle(ctx, body) {
      const f = filters(body);
      const ids = optionalStringList(f, 'jobIDs');
      const from = dateFilter(f, 'fromDate');
      const to = dateFilter(f, 'toDate');
      // Creation order: jobs started between two pages append at the end, so offsets stay valid.
      const matches = [...ctx.state.jobs.values()].filter(
        (r) => (!ids || ids.includes(r.job.jobID)) && (from === undefined || r.createdMs >= from) && (to === undefined || r.createdMs <= to),
      );
      return listPage(matches, body, (r) => structuredClone(r.job));
    },
  },

  DescribeJobLogItems: {
    status: 200,
    handle(ctx, body) {
      const jobID = requiredString(body, 'jobID');
      const record = ctx.state.jobs.get(jobID);
      if (!record) throw notFound('JOB', jobID);
      return listPage(record.log, body, (item) => structuredClone(item));
    },
  },
};

function dateFilter(f: Record<string, unknown>, name: string): number | undefined {
  const value = f[name];
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalidField(`filters.${name}`, 'must be an ISO-8601 date-time');
  return ms;
}
