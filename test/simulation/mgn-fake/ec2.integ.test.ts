import {
  CreateLaunchTemplateVersionCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
  type Instance,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import { ChangeServerLifeCycleStateCommand, DescribeJobLogItemsCommand, DescribeJobsCommand, GetLaunchConfigurationCommand, StartCutoverCommand, StartTestCommand, TerminateTargetInstancesCommand } from '@aws-sdk/client-mgn';
import { type MgnFake, startMgnFake } from '../../../src/simulation/mgn-fake';
import { type MotoServer, motoClientConfig, startMoto } from '../../support/moto';
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
    const [web, db, broken, misplaced] = fake.seedServers([{ hostname: 'web' }, { hostname: 'db' }, { hostname: 'broken' }, { hostname: 'misplaced' }]).map((s) => s.sourceServerID);
    const mgn = mgnClient(fake);
    const templates: Record<string, string> = {};
    for (const id of [web, db, broken, misplaced]) templates[id] = (await mgn.send(new GetLaunchConfigurationCommand({ sourceServerID: id }))).ec2LaunchTemplateID!;
    const described = await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: Object.values(templates) }));
    expect(described.LaunchTemplates!.map((t) => t.LaunchTemplateName).sort()).toEqual([web, db, broken, misplaced].map((id) => `mgn-${id}`).sort());

    // web: a new version made default is used (type and placement); db: a version NOT made default is ignored.
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: 'test-launch', Description: 'test launch' }))).GroupId!;
    const placement = { NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnet, Groups: [sg], PrivateIpAddress: '10.20.1.50' }] };
    for (const id of [web, db]) await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templates[id], LaunchTemplateData: { InstanceType: 'm5.large', ...placement } }));
    await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templates[web], DefaultVersion: '2' }));
    // misplaced: the default version names a subnet that does not exist, so EC2 refuses the launch.
    await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templates[misplaced], LaunchTemplateData: { NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: 'subnet-0123456789abcdef0' }] } }));
    await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templates[misplaced], DefaultVersion: '2' }));

    const { job } = await mgn.send(new StartTestCommand({ sourceServerIDs: [web, db, broken, misplaced] }));
    await fake.clock.sleep(20 * MINUTE);
    const done = (await mgn.send(new DescribeJobsCommand({ filters: { jobIDs: [job!.jobID!] } }))).items![0];
    expect(done.participatingServers!.map((p) => p.launchStatus)).toEqual(['LAUNCHED', 'LAUNCHED', 'FAILED', 'FAILED']);
    const log = (await mgn.send(new DescribeJobLogItemsCommand({ jobID: job!.jobID }))).items!;
    expect(log.find((i) => i.event === 'LAUNCH_FAILED' && i.eventData?.sourceServerID === misplaced)?.eventData?.rawError).toMatch(/misplaced: .*subnet/i);

    const [webTest] = await instancesOf(web);
    const [dbTest] = await instancesOf(db);
    expect(webTest.InstanceId).toBe(done.participatingServers![0].launchedEc2InstanceID);
    expect(webTest).toMatchObject({ InstanceType: 'm5.large', State: { Name: 'running' }, SubnetId: subnet, VpcId: vpc, PrivateIpAddress: '10.20.1.50' });
    // moto lists the groups on the primary interface only (real EC2 lists them in both places).
    expect(webTest.NetworkInterfaces?.[0].Groups?.map((g) => g.GroupId)).toEqual([sg]);
    expect(webTest.Tags).toEqual(expect.arrayContaining([{ Key: 'aws:ec2launchtemplate:version', Value: '2' }]));
    expect(dbTest).toMatchObject({ InstanceType: 't3.medium', InstanceId: done.participatingServers![1].launchedEc2InstanceID });
    expect(dbTest.SubnetId).not.toBe(subnet);
    expect(dbTest.Tags).toEqual(expect.arrayContaining([{ Key: 'aws:ec2launchtemplate:version', Value: '1' }, { Key: 'Name', Value: 'db' }]));
    expect(await instancesOf(broken)).toEqual([]);
    const status = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [webTest.InstanceId!] }));
    expect(status.InstanceStatuses![0].InstanceState?.Name).toBe('running');

    // Cutover of web (its own template version, as the runbook writes one per mode) replaces the test
    // instance; revert of db terminates its test instance.
    await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templates[web], LaunchTemplateData: { InstanceType: 'm5.xlarge', NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnet, Groups: [sg], PrivateIpAddress: '10.20.1.60' }] } }));
    await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templates[web], DefaultVersion: '3' }));
    await mgn.send(new ChangeServerLifeCycleStateCommand({ sourceServerID: web, lifeCycle: { state: 'READY_FOR_CUTOVER' } }));
    await mgn.send(new StartCutoverCommand({ sourceServerIDs: [web] }));
    await mgn.send(new ChangeServerLifeCycleStateCommand({ sourceServerID: db, lifeCycle: { state: 'READY_FOR_TEST' } }));
    await mgn.send(new TerminateTargetInstancesCommand({ sourceServerIDs: [db] }));
    await fake.clock.sleep(20 * MINUTE);
    await mgn.send(new DescribeJobsCommand({}));
    const webInstances = await instancesOf(web);
    expect(webInstances.map((i) => [i.InstanceId === webTest.InstanceId ? 'test' : 'cutover', i.State?.Name, i.InstanceType]).sort()).toEqual([
      ['cutover', 'running', 'm5.xlarge'],
      ['test', 'terminated', 'm5.large'],
    ]);
    expect((await instancesOf(db)).map((i) => i.State?.Name)).toEqual(['terminated']);
    expect(fake.launches(web)).toBe(2);
    expect(fake.launches(db)).toBe(1);
  });
});
