import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AssociateVpcCidrBlockCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateInstanceProfileCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { UpdateLaunchConfigurationCommand } from '@aws-sdk/client-mgn';
import { CreateDocumentCommand } from '@aws-sdk/client-ssm';
import type { FactoryConfig, Server } from '../config/schema';
import { RehostError } from '../core/errors';
import { startMotoProcess } from './moto';
import { type FaultOptions, type MgnFake, type MgnFakeOptions, type SeedServer, VirtualClock, startMgnFake } from './mgn-fake';
import { createRunbookClients } from '../runbook/clients';
import type { RunbookClients } from '../runbook/context';
import { kmsKeyFor, ssmDocumentName } from '../config/placement';

const MOTO_INSTALL = "python3 -m pip install 'moto[server]==5.2.1'";

export interface SimulationProps {
  readonly config: FactoryConfig;
  /** An EC2/IAM/KMS/SSM emulator to use instead of starting moto. @default a new moto_server */
  readonly motoUrl?: string;
  /** @default a new VirtualClock */
  readonly clock?: VirtualClock;
  /** Simulated minutes per MGN job. @default 20 */
  readonly jobDurationMinutes?: number;
  readonly faults?: FaultOptions;
  /** Waves whose servers are seeded into the fake. @default every wave */
  readonly waves?: readonly string[];
  /** Per-server changes to the seeded source server (state, replication, lag...). */
  readonly seed?: (server: Server) => Partial<SeedServer>;
  /** MGN quotas the fake enforces (lowered to reach them with few servers). @default MGN's published values */
  readonly quotas?: MgnFakeOptions['quotas'];
}

/** A running rehearsal: the MGN fake, moto, and a copy of the estate pointing at both. */
export interface Simulation {
  /** The estate with target subnet, security group and key IDs replaced by the simulated ones. */
  readonly config: FactoryConfig;
  readonly fake: MgnFake;
  readonly clock: VirtualClock;
  readonly motoUrl: string;
  readonly clients: RunbookClients;
  /** Simulated ID per configured ID ("subnet-0a1b…" → "subnet-1234…"), for the log. */
  readonly idMap: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'simulation', secretAccessKey: 'simulation' };

/**
 * Starts the MGN fake and moto and builds, in moto, the target network, security groups,
 * instance profiles, KMS keys and SSM documents the estate names, then seeds the estate's servers
 * into the fake as replicating source servers. Nothing here touches AWS.
 */
export async function startSimulation(props: SimulationProps): Promise<Simulation> {
  const moto = props.motoUrl ? undefined : await spawnMoto(props.config.accounts.staging);
  const motoUrl = props.motoUrl ?? moto!.url;
  const clock = props.clock ?? new VirtualClock();
  let fake: MgnFake | undefined;
  try {
    fake = await startMgnFake({
      ec2Endpoint: motoUrl,
      region: props.config.region,
      accountId: props.config.accounts.staging,
      clock,
      jobDurationMinutes: props.jobDurationMinutes,
      quotas: props.quotas,
    });
    const overrides = { credentials: CREDENTIALS };
    const env = { AWS_ENDPOINT_URL: motoUrl, AWS_ENDPOINT_URL_MGN: fake.url };
    const clients = createRunbookClients(props.config, { overrides, env });
    const idMap = new Map<string, string>();
    const config = await buildEstate(props.config, clients, idMap);
    await seed(config, fake, clients, props);
    // Faults start after seeding: they are the rehearsal's weather, not the estate's setup.
    if (props.faults) fake.faults = { ...props.faults };
    const f = fake;
    return {
      config,
      fake,
      clock,
      motoUrl,
      clients,
      idMap,
      stop: async () => {
        for (const c of Object.values(clients)) (c as { destroy(): void }).destroy();
        await f.stop();
        await moto?.stop();
      },
    };
  } catch (e) {
    await fake?.stop();
    await moto?.stop();
    throw e;
  }
}

/** Creates what the estate names and returns the estate rewritten to the simulated IDs. */
async function buildEstate(config: FactoryConfig, clients: RunbookClients, idMap: Map<string, string>): Promise<FactoryConfig> {
  const { ec2, iam, kms, ssm } = clients;
  const subnets = config.network.targetSubnets;
  const slash16 = (cidr: string) => cidr.split('.').slice(0, 2).join('.') + '.0.0/16';
  const blocks = [...new Set(subnets.map((s, i) => slash16(s.cidr ?? `10.250.${i}.0/24`)))];
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: blocks[0] ?? '10.250.0.0/16' }))).Vpc!.VpcId!;
  for (const block of blocks.slice(1)) await ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: vpc, CidrBlock: block }));
  for (const [i, s] of subnets.entries()) {
    const created = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpc, CidrBlock: s.cidr ?? `10.250.${i}.0/24`, AvailabilityZone: s.availabilityZone ?? `${config.region}a`, TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: s.name }] }] }),
    );
    idMap.set(s.subnetId, created.Subnet!.SubnetId!);
  }
  const servers = config.waves.flatMap((w) => w.applications.flatMap((a) => a.servers));
  const placements = servers.flatMap((s) => [s.test, s.cutover]);
  for (const sg of new Set(placements.flatMap((p) => p.securityGroups))) {
    const created = await ec2.send(new CreateSecurityGroupCommand({ GroupName: `sim-${sg}`, Description: `simulated ${sg}`, VpcId: vpc }));
    idMap.set(sg, created.GroupId!);
  }
  for (const profile of new Set(placements.map((p) => p.instanceProfile).filter((p): p is string => !!p))) {
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: profile })).catch(ignore('EntityAlreadyExists'));
  }
  const keyArns = new Map<string, string>();
  for (const target of config.accounts.targets) {
    const key = await kms.send(new CreateKeyCommand({ Description: `simulated EBS key of ${target.name}` }));
    const alias = kmsKeyFor(config, { targetAccount: target.name } as Server).keyId;
    if (alias.startsWith('alias/')) await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyMetadata!.KeyId! })).catch(ignore('AlreadyExistsException'));
    keyArns.set(target.name, alias.startsWith('alias/') ? alias : key.KeyMetadata!.Arn!);
  }
  for (const action of config.bootstrap.postLaunch) {
    const name = ssmDocumentName(config, action.document);
    const content = JSON.stringify({ schemaVersion: '2.2', description: `simulated ${action.document}`, mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['true'] } }] });
    await ssm.send(new CreateDocumentCommand({ Name: name, Content: content, DocumentType: 'Command' })).catch(ignore('DocumentAlreadyExists'));
  }
  const swap = (id: string) => idMap.get(id) ?? id;
  const rewritePlacement = <P extends Server['test']>(p: P): P => ({ ...p, securityGroups: p.securityGroups.map(swap) });
  return {
    ...config,
    network: { ...config.network, targetSubnets: subnets.map((s) => ({ ...s, subnetId: swap(s.subnetId) })) },
    accounts: {
      ...config.accounts,
      targets: config.accounts.targets.map((t) => ({ ...t, kms: { ...t.kms, ...(keyArns.get(t.name)?.startsWith('arn:') ? { existingKeyArn: keyArns.get(t.name) } : {}) } })),
    },
    waves: config.waves.map((w) => ({
      ...w,
      applications: w.applications.map((a) => ({ ...a, servers: a.servers.map((s) => ({ ...s, test: rewritePlacement(s.test), cutover: rewritePlacement(s.cutover) })) })),
    })),
  };
}

/** Seeds the servers as replicating source servers, with the estate's post-launch documents. */
async function seed(config: FactoryConfig, fake: MgnFake, clients: RunbookClients, props: SimulationProps): Promise<void> {
  const servers = config.waves.filter((w) => !props.waves || props.waves.includes(w.name)).flatMap((w) => w.applications.flatMap((a) => a.servers));
  const seeded = fake.seedServers(
    servers.map((s) => ({
      hostname: s.hostname ?? s.fqdn?.split('.')[0] ?? s.name,
      fqdn: s.fqdn,
      ipAddress: s.ipAddress,
      sourceServerId: s.sourceServerId,
      os: s.os,
      // A server known only by IP stands for an imported one without identificationHints.
      withHints: !!(s.hostname || s.fqdn),
      ...props.seed?.(s),
    })),
  );
  const documents = config.bootstrap.postLaunch.map((a) => ({ actionName: a.document, ssmDocumentName: ssmDocumentName(config, a.document), mustSucceedForCutover: a.mustSucceedForCutover }));
  if (!documents.length) return;
  // As the MGN launch configuration template of the estate would set them on every new server.
  for (const { sourceServerID } of seeded) {
    await clients.mgn.send(new UpdateLaunchConfigurationCommand({ sourceServerID, postLaunchActions: { deployment: 'TEST_AND_CUTOVER', ssmDocuments: documents } }));
  }
}

function ignore(code: string) {
  return (e: unknown) => {
    if (!(e as { name?: string }).name?.startsWith(code)) throw e;
  };
}

/** A python that can run moto_server, or an error with the install command. */
function motoPython(): string {
  // A virtual environment of the working directory (where the test suite provisions moto) is the fallback.
  for (const py of ['python3', resolve(process.cwd(), '.venv', 'bin', 'python')]) {
    if (py !== 'python3' && !existsSync(py)) continue;
    if (spawnSync(py, ['-c', 'import moto, flask, werkzeug'], { encoding: 'utf8' }).status === 0) return py;
  }
  throw new RehostError('refusal', `--simulate needs moto (server mode) for EC2, IAM, KMS and SSM.\nInstall it with:\n  ${MOTO_INSTALL}`);
}

/** Starts moto_server on loopback for the simulation and waits (bounded) until it answers. */
function spawnMoto(accountId: string): Promise<{ url: string; stop(): Promise<void> }> {
  return startMotoProcess({ python: motoPython(), accountId });
}


