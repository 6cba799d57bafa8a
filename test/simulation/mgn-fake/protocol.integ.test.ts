import {
  AccessDeniedException,
  AssociateApplicationsCommand,
  AssociateSourceServersCommand,
  ConflictException,
  CreateApplicationCommand,
  CreateWaveCommand,
  DescribeSourceServersCommand,
  DisassociateSourceServersCommand,
  GetLaunchConfigurationCommand,
  InitializeServiceCommand,
  ListApplicationsCommand,
  ListExportsCommand,
  ListSourceServerActionsCommand,
  ListTagsForResourceCommand,
  ListWavesCommand,
  PutSourceServerActionCommand,
  RemoveSourceServerActionCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  StartTestCommand,
  TagResourceCommand,
  UninitializedAccountException,
  UntagResourceCommand,
  UpdateApplicationCommand,
  UpdateLaunchConfigurationCommand,
  UpdateWaveCommand,
  ValidationException,
  paginateDescribeSourceServers,
} from '@aws-sdk/client-mgn';
import { type MgnFake, startMgnFake } from '../../../src/simulation/mgn-fake';
import { mgnClient, rejection } from './client';

// Round trips of every non-launch operation through the real SDK (serializers and deserializers).
describe('MGN fake protocol', () => {
  let fake: MgnFake;
  let ids: string[];
  const mgn = () => mgnClient(fake);

  beforeAll(async () => {
    fake = await startMgnFake({ quotas: { serversPerApplication: 60 } });
    ids = fake
      .seedServers([
        { hostname: 'web1', fqdn: 'web1.corp.example', ipAddress: '10.1.0.11' },
        { hostname: 'db1', os: 'windows', lifeCycleState: 'READY_FOR_CUTOVER' },
        { hostname: 'legacy1', withHints: false, ipAddress: '10.1.0.13' },
        ...Array.from({ length: 57 }, (_, i) => ({ hostname: `app${i}` })),
      ])
      .map((s) => s.sourceServerID);
  });
  afterAll(() => fake.stop());

  test('DescribeSourceServers renders MGN shapes, hints and network interfaces', async () => {
    const out = await mgn().send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: ids.slice(0, 3) } }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    const [web, db, legacy] = out.items!;
    expect(web).toMatchObject({
      sourceServerID: ids[0],
      arn: `arn:aws:mgn:us-east-1:111111111111:source-server/${ids[0]}`,
      isArchived: false,
      replicationType: 'AGENT_BASED',
      lifeCycle: { state: 'READY_FOR_TEST' },
      dataReplicationInfo: { dataReplicationState: 'CONTINUOUS', lagDuration: 'PT1M' },
      sourceProperties: { identificationHints: { hostname: 'web1', fqdn: 'web1.corp.example' }, networkInterfaces: [{ ips: ['10.1.0.11'], isPrimary: true }] },
    });
    expect(web.sourceServerID).toMatch(/^s-[0-9a-f]{17}$/);
    expect(db.lifeCycle?.state).toBe('READY_FOR_CUTOVER');
    expect(db.sourceProperties?.os?.fullString).toMatch(/Windows/);
    expect(legacy.sourceProperties?.identificationHints).toBeUndefined();
    expect(legacy.sourceProperties?.networkInterfaces?.[0].ips).toEqual(['10.1.0.13']);
  });

  test('DescribeSourceServers filters and paginates', async () => {
    const client = mgn();
    const byState = await client.send(new DescribeSourceServersCommand({ filters: { lifeCycleStates: ['READY_FOR_CUTOVER'] } }));
    expect(byState.items!.map((s) => s.sourceServerID)).toEqual([ids[1]]);
    expect((await client.send(new DescribeSourceServersCommand({ filters: { isArchived: true } }))).items).toEqual([]);
    expect((await client.send(new DescribeSourceServersCommand({ filters: { replicationTypes: ['SNAPSHOT_SHIPPING'] } }))).items).toEqual([]);
    const first = await client.send(new DescribeSourceServersCommand({ maxResults: 7 }));
    expect(first.items).toHaveLength(7);
    expect(first.nextToken).toBeDefined();
    const seen: string[] = [];
    for await (const page of paginateDescribeSourceServers({ client, pageSize: 7 }, {})) seen.push(...page.items!.map((s) => s.sourceServerID!));
    expect(seen).toEqual(ids);
    const bad = await rejection(client.send(new DescribeSourceServersCommand({ nextToken: 'garbage' })));
    expect(bad).toBeInstanceOf(ValidationException);
    expect(bad).toMatchObject({ reason: 'fieldValidationFailed', fieldList: [{ name: 'nextToken' }] });
  });

  test('waves and applications: create, update, associate (<= 50 ids per call), list with filters and aggregated status', async () => {
    const client = mgn();
    const wave = await client.send(new CreateWaveCommand({ name: 'wave-1', description: 'first', tags: { team: 'migration' } }));
    expect(wave.$metadata.httpStatusCode).toBe(201);
    expect(wave.waveID).toMatch(/^wave-/);
    expect(await rejection(client.send(new CreateWaveCommand({ name: 'wave-1' })))).toBeInstanceOf(ConflictException);
    const renamed = await client.send(new UpdateWaveCommand({ waveID: wave.waveID, name: 'Wave 1', description: 'renamed' }));
    expect(renamed).toMatchObject({ name: 'Wave 1', description: 'renamed' });

    const app = await client.send(new CreateApplicationCommand({ name: 'shop' }));
    await client.send(new UpdateApplicationCommand({ applicationID: app.applicationID, description: 'web shop' }));
    await client.send(new AssociateApplicationsCommand({ waveID: wave.waveID, applicationIDs: [app.applicationID!] }));

    const tooMany = await rejection(client.send(new AssociateSourceServersCommand({ applicationID: app.applicationID, sourceServerIDs: ids.slice(0, 51) })));
    expect(tooMany).toBeInstanceOf(ValidationException);
    expect(tooMany).toMatchObject({ fieldList: [{ name: 'sourceServerIDs' }] });
    await client.send(new AssociateSourceServersCommand({ applicationID: app.applicationID, sourceServerIDs: ids.slice(0, 50) }));
    await client.send(new AssociateSourceServersCommand({ applicationID: app.applicationID, sourceServerIDs: ids.slice(50, 60) }));
    const other = await client.send(new CreateApplicationCommand({ name: 'other' }));
    const taken = await rejection(client.send(new AssociateSourceServersCommand({ applicationID: other.applicationID, sourceServerIDs: [ids[0]] })));
    expect(taken).toBeInstanceOf(ConflictException);
    expect((taken as unknown as ConflictException).errors?.[0]).toMatchObject({ resourceId: ids[0], resourceType: 'SOURCE_SERVER' });

    const listed = await client.send(new ListApplicationsCommand({ filters: { waveIDs: [wave.waveID!] } }));
    expect(listed.items!.map((a) => a.name)).toEqual(['shop']);
    expect(listed.items![0]).toMatchObject({ description: 'web shop', waveID: wave.waveID, applicationAggregatedStatus: { totalSourceServers: 60, healthStatus: 'HEALTHY', progressStatus: 'IN_PROGRESS' } });
    const waves = await client.send(new ListWavesCommand({ filters: { waveIDs: [wave.waveID!], isArchived: false } }));
    expect(waves.items![0]).toMatchObject({ name: 'Wave 1', tags: { team: 'migration' }, waveAggregatedStatus: { totalApplications: 1 } });
    const byServer = await client.send(new DescribeSourceServersCommand({ filters: { applicationIDs: [app.applicationID!] }, maxResults: 100 }));
    expect(byServer.items).toHaveLength(60);

    // The fake's per-application quota is lowered to 60 for this suite; `shop` is full.
    const extra = fake.seedServers([{ hostname: 'extra' }])[0].sourceServerID;
    const over = await rejection(client.send(new AssociateSourceServersCommand({ applicationID: app.applicationID, sourceServerIDs: [extra] })));
    expect(over).toBeInstanceOf(ServiceQuotaExceededException);
    expect(over).toMatchObject({ quotaCode: 'SourceServersPerApplication', quotaValue: 60, serviceCode: 'mgn' });
    await client.send(new DisassociateSourceServersCommand({ applicationID: app.applicationID, sourceServerIDs: [ids[59]] }));
    await client.send(new AssociateSourceServersCommand({ applicationID: app.applicationID, sourceServerIDs: [extra] }));
    expect((await client.send(new ListApplicationsCommand({ filters: { applicationIDs: [app.applicationID!] } }))).items![0].applicationAggregatedStatus?.totalSourceServers).toBe(60);
  });

  test('launch configuration: template ID, updates, validation', async () => {
    const client = mgn();
    const config = await client.send(new GetLaunchConfigurationCommand({ sourceServerID: ids[0] }));
    expect(config).toMatchObject({ sourceServerID: ids[0], name: 'web1', launchDisposition: 'STARTED', copyPrivateIp: false, targetInstanceTypeRightSizingMethod: 'BASIC' });
    expect(config.ec2LaunchTemplateID).toMatch(/^lt-[0-9a-f]{17}$/);
    const updated = await client.send(
      new UpdateLaunchConfigurationCommand({
        sourceServerID: ids[0],
        copyPrivateIp: true,
        targetInstanceTypeRightSizingMethod: 'NONE',
        postLaunchActions: { deployment: 'TEST_AND_CUTOVER', ssmDocuments: [{ actionName: 'health', ssmDocumentName: 'Rehost-HealthCheck' }] },
      }),
    );
    expect(updated).toMatchObject({ copyPrivateIp: true, targetInstanceTypeRightSizingMethod: 'NONE', ec2LaunchTemplateID: config.ec2LaunchTemplateID });
    expect((await client.send(new GetLaunchConfigurationCommand({ sourceServerID: ids[0] }))).postLaunchActions?.ssmDocuments).toHaveLength(1);
    const bad = await rejection(client.send(new UpdateLaunchConfigurationCommand({ sourceServerID: ids[0], launchDisposition: 'SIDEWAYS' as never })));
    expect(bad).toBeInstanceOf(ValidationException);
    expect(bad).toMatchObject({ fieldList: [{ name: 'launchDisposition' }] });
    const missing = await rejection(client.send(new GetLaunchConfigurationCommand({ sourceServerID: 's-00000000000000000' })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing).toMatchObject({ resourceId: 's-00000000000000000', resourceType: 'SOURCE_SERVER' });
    const malformed = await rejection(client.send(new GetLaunchConfigurationCommand({ sourceServerID: 'web1' })));
    expect(malformed).toBeInstanceOf(ValidationException);
  });

  test('source server actions: put, list in order, remove', async () => {
    const client = mgn();
    for (const [actionID, order] of [['b-check', 1002], ['a-agent', 1001]] as const) {
      const put = await client.send(new PutSourceServerActionCommand({ sourceServerID: ids[1], actionID, actionName: actionID, documentIdentifier: `Rehost-${actionID}`, order, mustSucceedForCutover: true, category: 'VALIDATION' }));
      expect(put).toMatchObject({ actionID, order, active: true, documentVersion: '$DEFAULT' });
    }
    const listed = await client.send(new ListSourceServerActionsCommand({ sourceServerID: ids[1] }));
    expect(listed.items!.map((a) => a.actionID)).toEqual(['a-agent', 'b-check']);
    expect((await client.send(new ListSourceServerActionsCommand({ sourceServerID: ids[1], filters: { actionIDs: ['b-check'] } }))).items).toHaveLength(1);
    const removed = await client.send(new RemoveSourceServerActionCommand({ sourceServerID: ids[1], actionID: 'b-check' }));
    expect(removed.$metadata.httpStatusCode).toBe(204);
    expect(await rejection(client.send(new RemoveSourceServerActionCommand({ sourceServerID: ids[1], actionID: 'b-check' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new PutSourceServerActionCommand({ sourceServerID: ids[1], actionID: 'x', actionName: 'x', documentIdentifier: 'Doc-x', order: 5 })))).toBeInstanceOf(ValidationException);
  });

  test('tags: TagResource, ListTagsForResource, UntagResource on a source server ARN', async () => {
    const client = mgn();
    const arn = `arn:aws:mgn:us-east-1:111111111111:source-server/${ids[2]}`;
    await client.send(new TagResourceCommand({ resourceArn: arn, tags: { wave: '1', owner: 'team-a' } }));
    await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['owner'] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ wave: '1' });
    expect((await client.send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: [ids[2]] } }))).items![0].tags).toEqual({ wave: '1' });
    expect(await rejection(client.send(new ListTagsForResourceCommand({ resourceArn: arn.replace(ids[2], 's-00000000000000000') })))).toBeInstanceOf(ResourceNotFoundException);
  });

  test('unknown operations, foreign accounts and unknown servers get MGN error shapes', async () => {
    const client = mgn();
    const unknown = await rejection(client.send(new ListExportsCommand({})));
    expect(unknown).toBeInstanceOf(ValidationException);
    expect(unknown).toMatchObject({ reason: 'unknownOperation', message: expect.stringContaining('ListExports') });
    const foreign = await rejection(client.send(new DescribeSourceServersCommand({ accountID: '999999999999' })));
    expect(foreign).toBeInstanceOf(AccessDeniedException);
    const missing = await rejection(client.send(new StartTestCommand({ sourceServerIDs: [ids[0], 's-00000000000000000'] })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing).toMatchObject({ resourceId: 's-00000000000000000' });
    expect(fake.launches(ids[0])).toBe(0);
    const parse = await fetch(`${fake.url}/DescribeSourceServers`, { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } });
    expect(parse.status).toBe(400);
    expect(parse.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(await parse.json()).toMatchObject({ reason: 'cannotParse' });
  });

  test('an uninitialized account answers UninitializedAccountException until InitializeService', async () => {
    const fresh = await startMgnFake({ uninitialized: true });
    try {
      const client = mgnClient(fresh);
      const err = await rejection(client.send(new DescribeSourceServersCommand({})));
      expect(err).toBeInstanceOf(UninitializedAccountException);
      expect(err.$metadata).toMatchObject({ httpStatusCode: 400 });
      expect((await client.send(new InitializeServiceCommand({}))).$metadata.httpStatusCode).toBe(204);
      expect((await client.send(new DescribeSourceServersCommand({}))).items).toEqual([]);
      expect(fresh.calls('DescribeSourceServers')).toBe(2);
      expect(fresh.calls()).toBe(3);
    } finally {
      await fresh.stop();
    }
  });
});
