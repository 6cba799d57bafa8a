import { join } from 'node:path';
import { ConflictException, type Job, type SourceServer, ThrottlingException } from '@aws-sdk/client-mgn';
import { loadFactoryFile } from '../../src/config/load';
import { conflictingServers } from '../../src/runbook/conflicts';
import { DEFAULT_QUOTAS, activeLoad, chunk, makespanLowerBoundMinutes, nextBatches } from '../../src/runbook/batching';
import { formatDuration, parseIsoDuration } from '../../src/runbook/duration';
import { MODES, type Mode, nextStep } from '../../src/runbook/lifecycle';
import { replicationProblems } from '../../src/runbook/preflight';
import { mergeReports, renderGantt, renderMarkdown, type WaveReport } from '../../src/runbook/report';
import { ResolutionError, resolveServers } from '../../src/runbook/resolve';
import { AdaptiveLimit } from '../../src/runbook/concurrency';
import { MutationFailed, notYet, reconciled, tookEffect } from '../../src/runbook/reconcile';
import { backoffDelay, errorCode, withRetry } from '../../src/core/retry';
import { postLaunchWait } from '../../src/runbook/wave/presentation';
import { selectServers, WaveInputError } from '../../src/runbook/select';

const config = loadFactoryFile(join(__dirname, '..', '..', 'examples', 'factory.yaml')).config;

function source(id: string, hints: { fqdn?: string; hostname?: string; ips?: string[] } = {}, extra: Partial<SourceServer> = {}): SourceServer {
  return {
    sourceServerID: id,
    isArchived: false,
    sourceProperties: {
      identificationHints: hints.fqdn || hints.hostname ? { fqdn: hints.fqdn, hostname: hints.hostname } : undefined,
      networkInterfaces: hints.ips ? [{ ips: hints.ips, isPrimary: true }] : [],
    },
    ...extra,
  };
}

/** A virtual clock for unit tests: sleeping only moves time. */
function testClock(start = 0) {
  let now = start;
  const sleeps: number[] = [];
  return { now: () => new Date(now), sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)), sleeps };
}

describe('lagDuration parsing (ISO-8601, never a number)', () => {
  it.each([
    ['PT5M', 300_000],
    ['P0D', 0],
    ['PT0S', 0],
    ['PT1H2M3.5S', 3_723_500],
    ['P1DT1H', 90_000_000],
    ['P1W', 604_800_000],
  ])('%s = %d ms', (text, ms) => expect(parseIsoDuration(text)).toBe(ms));

  it.each(['5', '300', 'PT', 'P', 'T5M', 'PT5X', '', 'P1Y'])('refuses %j', (text) => expect(() => parseIsoDuration(text)).toThrow(/ISO-8601/));

  it('never compares a lag as a number: PT20M is over PT10M although Number("PT20M") is NaN', () => {
    expect(replicationProblems({ dataReplicationInfo: { dataReplicationState: 'CONTINUOUS', lagDuration: 'PT20M' } }, 'PT10M')).toEqual(['replication lag PT20M exceeds runbook.maxReplicationLag PT10M']);
    expect(replicationProblems({ dataReplicationInfo: { dataReplicationState: 'CONTINUOUS', lagDuration: 'PT9M59S' } }, 'PT10M')).toEqual([]);
    expect(replicationProblems({ dataReplicationInfo: { dataReplicationState: 'CONTINUOUS', lagDuration: null as unknown as string } }, 'PT10M')).toEqual([
      'replication lag (lagDuration) is not measured yet',
    ]);
    expect(replicationProblems({ dataReplicationInfo: { dataReplicationState: 'STALLED', lagDuration: 'PT1M', dataReplicationError: { error: 'AGENT_NOT_SEEN' } } }, 'PT10M')).toEqual([
      'replication is STALLED (AGENT_NOT_SEEN), expected CONTINUOUS',
    ]);
    expect(replicationProblems({ dataReplicationInfo: { dataReplicationState: 'CONTINUOUS', lagDuration: '300' } }, 'PT10M')[0]).toMatch(/"300" is not an ISO-8601 duration/);
    expect(formatDuration(3_723_000)).toBe('PT1H2M3S');
  });
});

describe('resolution of configured servers to MGN source servers', () => {
  const wave2 = selectServers(config, 'wave-2').servers;

  it('matches by sourceServerId, else FQDN, hostname, then IP (imported servers without hints)', () => {
    const pool = [
      source('s-00000000000000001', { fqdn: 'ERPAPP01.corp.example.com', hostname: 'other' }),
      source('s-00000000000000002', { hostname: 'erpapp02' }),
      source('s-00000000000000003', {}, { sourceProperties: { networkInterfaces: [{ ips: ['192.168.20.31'] }] } }),
      source('s-00000000000000004', { fqdn: 'fs01.corp.example.com' }),
    ];
    const r = resolveServers(wave2, pool);
    expect(r.map((x) => [x.server.name, x.sourceServerID, x.matchedBy])).toEqual([
      ['app01', 's-00000000000000001', 'fqdn'],
      ['app02', 's-00000000000000002', 'hostname'],
      ['db01', 's-00000000000000003', 'ipAddress'],
      ['fs01', 's-00000000000000004', 'fqdn'],
    ]);
  });

  it('names every server that matches nothing or twice, and a sourceServerId that does not exist', () => {
    const pool = [source('s-00000000000000001', { hostname: 'ERPAPP01' }), source('s-00000000000000002', { hostname: 'erpapp01' }), source('s-00000000000000004', { fqdn: 'fs01.corp.example.com' })];
    let err: ResolutionError | undefined;
    try {
      resolveServers(wave2, pool);
    } catch (e) {
      err = e as ResolutionError;
    }
    expect(err).toBeInstanceOf(ResolutionError);
    expect(err!.problems.map((p) => p.server)).toEqual(['app01', 'app02', 'db01']);
    expect(err!.message).toMatch(/app01: hostname "ERPAPP01" matches 2 source servers \(s-00000000000000001, s-00000000000000002\)/);
    expect(err!.message).toMatch(/db01: no source server matches hostname "ERPDB01", ipAddress "192.168.20.31"/);
    const wiki = selectServers(config, 'wave-1', ['wiki01']).servers;
    expect(() => resolveServers(wiki, [source('s-1234567890abcdef1', { fqdn: 'wiki01.corp.example.com' })])).toThrow(/wiki01: sourceServerId s-1234567890abcdef0 does not exist in MGN/);
  });

  it('refuses two configured servers on one source server, and prefers live servers to archived twins', () => {
    const [web01] = selectServers(config, 'wave-1').servers;
    const clone = { ...web01, server: { ...web01.server, name: 'web01-copy', hostname: undefined } };
    expect(() => resolveServers([web01, clone], [source('s-00000000000000001', { fqdn: 'web01.corp.example.com' }), source('s-00000000000000002', { hostname: 'WEB01' })])).toThrow(
      /web01: matches source server s-00000000000000001, which web01-copy also matches/,
    );
    const twins = [source('s-0000000000000000a', { fqdn: 'web01.corp.example.com' }, { isArchived: true }), source('s-0000000000000000b', { fqdn: 'web01.corp.example.com' })];
    expect(resolveServers([web01], twins)[0].sourceServerID).toBe('s-0000000000000000b');
    expect(resolveServers([web01], [twins[0]])[0].sourceServerID).toBe('s-0000000000000000a');
  });

  it('names an unknown wave and a server that is not in the wave before anything else', () => {
    expect(() => selectServers(config, 'wave-9')).toThrow(new WaveInputError('unknown wave "wave-9": factory.yaml has "wave-1", "wave-2", "wave-3"'));
    expect(() => selectServers(config, 'wave-1', ['web01', 'app01', 'nope'])).toThrow(/servers "app01" \(it is in wave "wave-2"\), "nope" not in wave "wave-1"/);
  });
});

describe('batching against the MGN quotas', () => {
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `s-${String(i + from).padStart(17, '0')}`);
  const job = (status: Job['status'], servers: string[]): Job => ({ jobID: `mgnjob-${servers[0]}`, status, participatingServers: servers.map((sourceServerID) => ({ sourceServerID })) });

  it('never exceeds 200 per job, 200 across active jobs, 20 jobs, 1 job per server', () => {
    expect(nextBatches(ids(500), activeLoad([])).map((b) => b.length)).toEqual([200]);
    expect(nextBatches(ids(500), activeLoad([job('STARTED', ids(150, 1000))])).map((b) => b.length)).toEqual([50]);
    expect(nextBatches(ids(500), activeLoad([job('COMPLETED', ids(200, 1000))])).map((b) => b.length)).toEqual([200]);
    const tiny = { ...DEFAULT_QUOTAS, serversPerJob: 10 };
    expect(nextBatches(ids(500), activeLoad([]), tiny).map((b) => b.length)).toEqual(Array(20).fill(10));
    const full = Array.from({ length: 20 }, (_, i) => job('PENDING', ids(1, 2000 + i)));
    expect(nextBatches(ids(5), activeLoad(full))).toEqual([]);
    const busy = nextBatches(ids(3), activeLoad([job('STARTED', ids(1, 1))]));
    expect(busy).toEqual([[ids(1)[0], ids(1, 2)[0]]]);
  });

  it('keeps the queue order (an application goes together) and chunks associations by 50', () => {
    expect(nextBatches(['b', 'a', 'c'], activeLoad([]))).toEqual([['b', 'a', 'c']]);
    expect(chunk(ids(120), 50).map((c) => c.length)).toEqual([50, 50, 20]);
    expect(makespanLowerBoundMinutes(500, 20)).toBe(60);
    expect(makespanLowerBoundMinutes(200, 20)).toBe(20);
  });
});

describe('per-server refusals of a batch (ConflictException errors[])', () => {
  const conflict = (extra: Partial<ConflictException>) => new ConflictException({ $metadata: {}, message: '2 of 3 source servers cannot take part', ...extra });

  it('names each refused server of the batch with its message and code, ignoring others', () => {
    const e = conflict({
      errors: [
        { resourceId: 's-1', code: 'REPLICATION_NOT_HEALTHY', message: 'replication is STALLED' },
        { resourceId: 's-3', code: 'SOURCE_SERVER_IN_ACTIVE_JOB', message: 'in job mgnjob-9' },
        { resourceId: 's-other', code: 'X', message: 'not ours' },
      ],
    });
    expect([...conflictingServers(e, ['s-1', 's-2', 's-3'])]).toEqual([
      ['s-1', 'replication is STALLED (REPLICATION_NOT_HEALTHY)'],
      ['s-3', 'in job mgnjob-9 (SOURCE_SERVER_IN_ACTIVE_JOB)'],
    ]);
  });

  it('reads a single resourceId, and names nothing for other errors or a conflict without servers', () => {
    expect([...conflictingServers(conflict({ resourceId: 's-2', code: 'INVALID_LIFECYCLE_STATE' }), ['s-1', 's-2'])]).toEqual([['s-2', '2 of 3 source servers cannot take part (INVALID_LIFECYCLE_STATE)']]);
    expect(conflictingServers(conflict({}), ['s-1']).size).toBe(0);
    expect(conflictingServers(new ThrottlingException({ $metadata: {}, message: 'slow down' }), ['s-1']).size).toBe(0);
  });
});

describe('post-launch waits say what MGN has not listed yet', () => {
  it('before the SSM agent is discovered, after it with a partial list, and while actions run', () => {
    expect(postLaunchWait('i-1', undefined, [], ['acme-a', 'acme-b'])).toBe('post-launch actions: MGN has not discovered the SSM agent on i-1 (no ssmAgentDiscoveryDatetime), so it lists none of acme-a, acme-b yet');
    expect(postLaunchWait('i-1', '2026-01-01T00:50:00.000Z', [{ document: 'acme-a', status: 'IN_PROGRESS' }], ['acme-b'])).toBe(
      'post-launch actions: MGN discovered the SSM agent at 2026-01-01T00:50:00.000Z but lists acme-a: IN_PROGRESS, not acme-b (expected by bootstrap.postLaunch)',
    );
    expect(postLaunchWait('i-1', '2026-01-01T00:50:00.000Z', [{ document: 'acme-a', status: 'IN_PROGRESS' }], [])).toBe('post-launch actions (acme-a: IN_PROGRESS)');
  });
});

describe('next step per lifecycle state', () => {
  const states = ['STOPPED', 'NOT_READY', 'READY_FOR_TEST', 'TESTING', 'READY_FOR_CUTOVER', 'CUTTING_OVER', 'CUTOVER', 'DISCONNECTED', 'DISCOVERED', 'PENDING_INSTALLATION'];
  const server = (state: string, extra: Partial<SourceServer> = {}): SourceServer => ({
    sourceServerID: 's-1',
    lifeCycle: { state: state as never, lastTest: { initiated: { jobID: 'mgnjob-t' } }, lastCutover: { initiated: { jobID: 'mgnjob-c' } } },
    ...extra,
  });

  it('decides every mode × state', () => {
    const table = Object.fromEntries(MODES.map((m: Mode) => [m, Object.fromEntries(states.map((s) => [s, nextStep(m, server(s)).kind]))]));
    expect(table).toEqual({
      test: { STOPPED: 'refuse', NOT_READY: 'refuse', READY_FOR_TEST: 'launch', TESTING: 'verify-launch', READY_FOR_CUTOVER: 'done', CUTTING_OVER: 'refuse', CUTOVER: 'refuse', DISCONNECTED: 'refuse', DISCOVERED: 'refuse', PENDING_INSTALLATION: 'refuse' },
      cutover: { STOPPED: 'refuse', NOT_READY: 'refuse', READY_FOR_TEST: 'refuse', TESTING: 'refuse', READY_FOR_CUTOVER: 'launch', CUTTING_OVER: 'verify-launch', CUTOVER: 'done', DISCONNECTED: 'refuse', DISCOVERED: 'refuse', PENDING_INSTALLATION: 'refuse' },
      finalize: { STOPPED: 'refuse', NOT_READY: 'refuse', READY_FOR_TEST: 'refuse', TESTING: 'refuse', READY_FOR_CUTOVER: 'refuse', CUTTING_OVER: 'finalize', CUTOVER: 'done', DISCONNECTED: 'refuse', DISCOVERED: 'refuse', PENDING_INSTALLATION: 'refuse' },
      revert: { STOPPED: 'refuse', NOT_READY: 'refuse', READY_FOR_TEST: 'done', TESTING: 'revert', READY_FOR_CUTOVER: 'revert', CUTTING_OVER: 'refuse', CUTOVER: 'refuse', DISCONNECTED: 'refuse', DISCOVERED: 'refuse', PENDING_INSTALLATION: 'refuse' },
      archive: { STOPPED: 'refuse', NOT_READY: 'refuse', READY_FOR_TEST: 'refuse', TESTING: 'refuse', READY_FOR_CUTOVER: 'refuse', CUTTING_OVER: 'refuse', CUTOVER: 'archive', DISCONNECTED: 'archive', DISCOVERED: 'refuse', PENDING_INSTALLATION: 'refuse' },
    });
  });

  it('resumes from the job MGN recorded, terminates a leftover test instance, and explains refusals', () => {
    expect(nextStep('test', server('TESTING'))).toEqual({ kind: 'verify-launch', jobID: 'mgnjob-t' });
    expect(nextStep('finalize', server('CUTTING_OVER'))).toEqual({ kind: 'finalize', jobID: 'mgnjob-c' });
    expect(nextStep('revert', server('READY_FOR_TEST', { launchedInstance: { ec2InstanceID: 'i-1' } }))).toEqual({ kind: 'terminate', ec2InstanceID: 'i-1' });
    expect(nextStep('archive', server('CUTOVER', { isArchived: true })).kind).toBe('done');
    expect(nextStep('test', server('CUTOVER', { isArchived: true }))).toEqual({ kind: 'refuse', reason: 'the source server is archived; test is not possible' });
    expect(nextStep('cutover', server('READY_FOR_TEST'))).toEqual({ kind: 'refuse', reason: 'is READY_FOR_TEST (Ready for testing): run mode "test" first; cutover needs READY_FOR_CUTOVER' });
  });
});

describe('retries', () => {
  it('honours retryAfterSeconds and backs off with jitter on throttling', async () => {
    const clock = testClock();
    let n = 0;
    const throttle = Object.assign(new Error('slow down'), { name: 'ThrottlingException', retryAfterSeconds: 7, $metadata: { httpStatusCode: 429 } });
    const ec2 = Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded', Code: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
    const r = await withRetry('op', async () => (++n === 1 ? Promise.reject(throttle) : n === 2 ? Promise.reject(ec2) : 'ok'), { clock, random: () => 0.5 });
    expect(r).toBe('ok');
    expect(clock.sleeps[0]).toBe(7000);
    expect(clock.sleeps[1]).toBe(1000);
    expect(backoffDelay(6, ec2, { random: () => 0.999 })).toBeLessThanOrEqual(60_000);
    expect(backoffDelay(6, ec2, { random: () => 0.999 })).toBeGreaterThan(50_000);
    const bad = Object.assign(new Error('nope'), { name: 'ValidationException', $fault: 'client' });
    await expect(withRetry('op', () => Promise.reject(bad), { clock })).rejects.toBe(bad);
    await expect(withRetry('op', () => Promise.reject(throttle), { clock, maxAttempts: 3 })).rejects.toThrow(/op: gave up after 3 attempts/);
  });

  it('retries a reset connection, also when the SDK only kept its text (an error of another realm)', async () => {
    const clock = testClock();
    // What @smithy/middleware-retry makes of a socket error it does not see as an Error (seen in jest).
    const wrapped = new Error('AWS SDK error wrapper for TimeoutError: read ECONNRESET');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect([errorCode(wrapped), errorCode(reset)]).toEqual(['TimeoutError', 'ECONNRESET']);
    let n = 0;
    expect(await withRetry('op', async () => (++n === 1 ? Promise.reject(wrapped) : n === 2 ? Promise.reject(reset) : 'ok'), { clock })).toBe('ok');
    expect(clock.sleeps).toHaveLength(2);
  });
});

describe('reconciled mutating calls', () => {
  const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
  const conflict = () => Object.assign(new Error('already CUTOVER'), { name: 'ConflictException', $metadata: { httpStatusCode: 409 } });
  const lines: string[] = [];
  const rt = () => ({ clock: testClock(), logger: { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l) }, retry: { random: () => 0.5 } });

  it('adopts a call whose answer was lost once a read shows its effect, without sending it again', async () => {
    let sent = 0;
    let applied = false;
    const value = await reconciled(rt(), {
      call: 'mgn:FinalizeCutover',
      target: 'web01 (s-1)',
      send: async () => {
        sent++;
        applied = true;
        throw reset();
      },
      effect: async () => (applied ? tookEffect('read back') : notYet),
    });
    expect([value, sent]).toEqual(['read back', 1]);
    expect(lines.at(-1)).toBe('mgn:FinalizeCutover on web01 (s-1): ECONNRESET, but a read shows it took effect; going on as if it had answered');
  });

  it('sends again when the read shows no effect, retries throttling without a read, and adopts an effect behind a refusal', async () => {
    let reads = 0;
    const answers = [reset(), throttle(), 'answered'];
    const out = await reconciled(rt(), {
      call: 'mgn:MarkAsArchived',
      target: 'web01 (s-1)',
      send: async () => {
        const a = answers.shift();
        if (a instanceof Error) throw a;
        return a as string;
      },
      effect: async () => (reads++, notYet),
    });
    expect([out, reads]).toEqual(['answered', 1]);
    // A refusal (the state is already reached, by an earlier attempt or by someone else) is read once.
    const adopted = await reconciled(rt(), { call: 'mgn:ChangeServerLifeCycleState', target: 'web01 (s-1)', send: () => Promise.reject(conflict()), effect: async () => tookEffect('READY_FOR_CUTOVER') });
    expect(adopted).toBe('READY_FOR_CUTOVER');
  });

  it('fails after its attempts, or on a refusal, naming the call and what it acted on and keeping the cause', async () => {
    const never = reconciled({ ...rt(), retry: { maxAttempts: 3, random: () => 0 } }, { call: 'mgn:FinalizeCutover', target: 'web01 (s-1)', send: () => Promise.reject(reset()), effect: async () => notYet });
    await expect(never).rejects.toThrow(new MutationFailed('mgn:FinalizeCutover', 'web01 (s-1)', reset(), 3));
    await expect(never).rejects.toThrow('mgn:FinalizeCutover on web01 (s-1) failed after 3 attempts: socket hang up');
    const refused = await reconciled(rt(), { call: 'mgn:StartTest', target: '2 servers (a, b)', send: () => Promise.reject(conflict()), effect: async () => notYet }).catch((e: MutationFailed) => e);
    expect([refused.message, errorCode(refused.cause)]).toEqual(['mgn:StartTest on 2 servers (a, b) failed: already CUTOVER', 'ConflictException']);
    const unreadable = reconciled(rt(), { call: 'mgn:StartTest', target: 'web01 (s-1)', send: () => Promise.reject(reset()), effect: () => Promise.reject(new Error('AccessDenied')) });
    await expect(unreadable).rejects.toThrow('mgn:StartTest on web01 (s-1) failed: socket hang up; reading whether it took effect failed too: AccessDenied');
  });
});

describe('the lifecycle concurrency limit', () => {
  it('halves once per burst of throttling, grows back by one per limit of clean tasks, and never runs more than the limit', async () => {
    const limit = new AdaptiveLimit({ initial: 8, max: 10 });
    let running = 0;
    let peak = 0;
    const task = (throttled: boolean) =>
      limit.run(async (onThrottled) => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setImmediate(r));
        if (throttled) onThrottled();
        running--;
      });
    // A burst: 8 tasks started under the same limit are all throttled; the limit halves once.
    await Promise.all(Array.from({ length: 8 }, () => task(true)));
    expect([limit.limit, peak]).toEqual([4, 8]);
    peak = 0;
    await Promise.all(Array.from({ length: 12 }, () => task(false)));
    expect(peak).toBeLessThanOrEqual(6);
    expect(limit.limit).toBeGreaterThan(4);
    // Throttled again and again: never below 1.
    for (let i = 0; i < 6; i++) await task(true);
    expect([limit.limit, limit.lowest]).toEqual([1, 1]);
    for (let i = 0; i < 200; i++) await task(false);
    expect(limit.limit).toBe(10);
    await limit.idle();
    expect(limit.busy).toBe(0);
  });
});

describe('report rendering', () => {
  const report: WaveReport = {
    estate: 'acme',
    wave: 'wave-1',
    mode: 'test',
    simulated: true,
    dryRun: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:40:00.000Z',
    servers: [
      {
        server: 'web01',
        application: 'intranet',
        sourceServerID: 's-00000000000000001',
        jobID: 'mgnjob-1',
        ec2InstanceID: 'i-1',
        postLaunchActions: [{ document: 'acme-validate-server', status: 'SUCCESS' }],
        phases: [
          { phase: 'launch', start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:20:00.000Z', outcome: 'ok' },
          { phase: 'status-checks', start: '2026-01-01T00:20:00.000Z', end: '2026-01-01T00:21:00.000Z', outcome: 'ok' },
        ],
        outcome: 'succeeded',
      },
      {
        server: 'web02',
        application: 'intranet',
        postLaunchActions: [],
        phases: [{ phase: 'launch', start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:12:00.000Z', outcome: 'failed', detail: 'x' }],
        outcome: 'failed',
        reason: 'launch failed | capacity',
      },
    ],
  };

  it('renders a job-summary table, a Mermaid gantt and merges parts', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('SIMULATION');
    expect(md).toContain('| web01 | intranet | s-00000000000000001 | ✅ succeeded | mgnjob-1 | i-1 | launch 20 min, status-checks 1 min | acme-validate-server: SUCCESS | — |');
    expect(md).toContain('| web02 | intranet | — | ❌ failed | — | — | launch 12 min ❌ | — | launch failed \\| capacity |');
    expect(md).toContain('1 succeeded, 1 failed');
    const gantt = renderGantt(report);
    expect(gantt).toContain('```mermaid\ngantt\n  title wave-1 test\n  dateFormat YYYY-MM-DD HH:mm:ss');
    expect(gantt).toContain('  section web01\n  launch :done, 2026-01-01 00:00:00, 2026-01-01 00:20:00\n  status-checks :done, 2026-01-01 00:20:00, 2026-01-01 00:21:00');
    expect(gantt).toContain('  section web02\n  launch :crit, 2026-01-01 00:00:00, 2026-01-01 00:12:00');
    const plan = { ...report, simulated: false, servers: report.servers.map((s) => ({ ...s, outcome: 'planned' as const, phases: [] })), endedAt: '2026-01-01T00:01:00.000Z' };
    const merged = mergeReports([plan, { ...report, servers: [report.servers[1]] }, { ...report, servers: [report.servers[0]] }]);
    expect(merged.servers.map((s) => s.outcome)).toEqual(['succeeded', 'failed']);
    expect(merged.endedAt).toBe('2026-01-01T00:40:00.000Z');
    expect(JSON.parse(JSON.stringify(merged))).toEqual(merged);
    expect(() => mergeReports([report, { ...report, mode: 'cutover' }])).toThrow(/disagree/);
  });
});
