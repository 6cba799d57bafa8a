import {
  CreateLaunchTemplateVersionCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
  type Instance,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import { ChangeServerLifeCycleStateCommand, DescribeJobsCommand, GetLaunchConfigurationCommand, StartCutoverCommand, StartTestCommand, TerminateTargetInstancesCommand } from '@aws-sdk/client-mgn';
import { type MgnFake, startMgnFake } from '../../src/mgn-fake';
import { type MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { mgnClient } from './client';

const MINUTE = 60_000;

// Launches as real EC2 calls: templates and instances live in moto, so the runbook's launch
// template writes and status checks go through the real EC2 API.
describe('MGN fake launches into moto EC2', () => {
  let moto: MotoServer;
  let fake: MgnFake;
  let ec2: EC2Client;

  beforeAll(async () => {
    moto = await startMoto({ accountId: '111111111111' });
    ec2 = new EC2Client(motoClientConfig(moto.url, 'us-east-1'));
    fake = await startMgnFake({ ec2Endpoint: moto.url, faults: { failLaunchFor: ['broken'] } });
  });
  afterAll(async () => {
    await fake?.stop();
    await moto?.stop();
  });

  async function instancesOf(sourceServerID: string): Promise<Instance[]> {
    const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:AWSApplicationMigrationServiceSourceServerID', Values: [sourceServerID] }] }));
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  }

  test('test launch, cutover and revert create and terminate instances from the default launch template version', async () => {
    const [web, db, broken] = fake.seedServers([{ hostname: 'web' }, { hostname: 'db' }, { hostname: 'broken' }]).map((s) => s.sourceServerID);
    const mgn = mgnClient(fake);
    const templates: Record<string, string> = {};
    for (const id of [web, db, broken]) templates[id] = (await mgn.send(new GetLaunchConfigurationCommand({ sourceServerID: id }))).ec2LaunchTemplateID!;
    const described = await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: Object.values(templates) }));
    expect(described.LaunchTemplates!.map((t) => t.LaunchTemplateName).sort()).toEqual([web, db, broken].map((id) => `mgn-${id}`).sort());

    // web: a new version made default is used; db: a new version NOT made default is ignored.
    for (const id of [web, db]) await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templates[id], SourceVersion: '1', LaunchTemplateData: { InstanceType: 'm5.large' } }));
    await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templates[web], DefaultVersion: '2' }));

    const { job } = await mgn.send(new StartTestCommand({ sourceServerIDs: [web, db, broken] }));
    await fake.clock.sleep(20 * MINUTE);
    const done = (await mgn.send(new DescribeJobsCommand({ filters: { jobIDs: [job!.jobID!] } }))).items![0];
    expect(done.participatingServers!.map((p) => p.launchStatus)).toEqual(['LAUNCHED', 'LAUNCHED', 'FAILED']);

    const [webTest] = await instancesOf(web);
    const [dbTest] = await instancesOf(db);
    expect(webTest.InstanceId).toBe(done.participatingServers![0].launchedEc2InstanceID);
    expect(webTest).toMatchObject({ InstanceType: 'm5.large', State: { Name: 'running' } });
    expect(webTest.Tags).toEqual(expect.arrayContaining([{ Key: 'aws:ec2launchtemplate:version', Value: '2' }]));
    expect(dbTest).toMatchObject({ InstanceType: 't3.medium', InstanceId: done.participatingServers![1].launchedEc2InstanceID });
    expect(dbTest.Tags).toEqual(expect.arrayContaining([{ Key: 'aws:ec2launchtemplate:version', Value: '1' }, { Key: 'Name', Value: 'db' }]));
    expect(await instancesOf(broken)).toEqual([]);
    const status = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [webTest.InstanceId!] }));
    expect(status.InstanceStatuses![0].InstanceState?.Name).toBe('running');

    // Cutover of web replaces its test instance; revert of db terminates its test instance.
    await mgn.send(new ChangeServerLifeCycleStateCommand({ sourceServerID: web, lifeCycle: { state: 'READY_FOR_CUTOVER' } }));
    await mgn.send(new StartCutoverCommand({ sourceServerIDs: [web] }));
    await mgn.send(new ChangeServerLifeCycleStateCommand({ sourceServerID: db, lifeCycle: { state: 'READY_FOR_TEST' } }));
    await mgn.send(new TerminateTargetInstancesCommand({ sourceServerIDs: [db] }));
    await fake.clock.sleep(20 * MINUTE);
    await mgn.send(new DescribeJobsCommand({}));
    const webInstances = await instancesOf(web);
    expect(webInstances.map((i) => [i.InstanceId === webTest.InstanceId ? 'test' : 'cutover', i.State?.Name]).sort()).toEqual([
      ['cutover', 'running'],
      ['test', 'terminated'],
    ]);
    expect((await instancesOf(db)).map((i) => i.State?.Name)).toEqual(['terminated']);
    expect(fake.launches(web)).toBe(2);
    expect(fake.launches(db)).toBe(1);
  });
});
