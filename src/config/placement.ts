import { bootstrapDocumentName, bootstrapDocumentPrefix } from './resource-names';
import type { FactoryConfig, Placement, Server } from './schema';
import type { Mode } from './modes';

/** A placement with the subnet name replaced by what EC2 needs. */
export interface ResolvedPlacement {
  readonly subnetName: string;
  readonly subnetId: string;
  readonly availabilityZone?: string;
  readonly cidr?: string;
  readonly securityGroups: readonly string[];
  readonly instanceType: string;
  readonly instanceProfile?: string;
  readonly privateIp?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The placement a launch of `mode` uses for `server` (test placement for test, cutover placement otherwise). */
export function placementFor(config: FactoryConfig, server: Server, mode: Mode, wave: string): ResolvedPlacement {
  const p: Placement = mode === 'test' ? server.test : server.cutover;
  const subnet = config.network.targetSubnets.find((s) => s.name === p.subnet);
  if (!subnet) throw new Error(`server ${server.name}: ${mode} placement names subnet "${p.subnet}", which is not in network.targetSubnets`);
  return {
    subnetName: subnet.name,
    subnetId: subnet.subnetId,
    availabilityZone: subnet.availabilityZone,
    cidr: subnet.cidr,
    securityGroups: p.securityGroups,
    instanceType: p.instanceType,
    instanceProfile: p.instanceProfile,
    privateIp: p.privateIp,
    tags: {
      ...config.tags,
      ...server.tags,
      ...p.tags,
      Name: server.name,
      'rehost-factory:estate': config.name,
      'rehost-factory:wave': wave,
      'rehost-factory:server': server.name,
      'rehost-factory:launch': mode === 'test' ? 'test' : 'cutover',
    },
  };
}

/** Name of a bootstrap SSM document as the estate deploys it. */
export function ssmDocumentName(config: FactoryConfig, document: string): string {
  return bootstrapDocumentName(bootstrapDocumentPrefix(config), document);
}

/** An SSM document's name, whether MGN holds it by name or by ARN (arn:aws:ssm:<region>:<account>:document/<name>). */
export function documentName(nameOrArn: string): string {
  return nameOrArn.replace(/^arn:[^:]+:ssm:[^:]*:[^:]*:document\//, '');
}

/** The SSM post-launch documents that run for a launch of `mode`. */
export function postLaunchDocuments(config: FactoryConfig, mode: Mode): string[] {
  const launch = mode === 'test' ? 'TEST_ONLY' : 'CUTOVER_ONLY';
  return config.bootstrap.postLaunch.filter((a) => a.deployment === 'TEST_AND_CUTOVER' || a.deployment === launch).map((a) => ssmDocumentName(config, a.document));
}

/** The KMS key that encrypts a server's volumes in its target account (ARN or alias). */
export function kmsKeyFor(config: FactoryConfig, server: Server): { account: string; keyId: string } {
  const target = config.accounts.targets.find((t) => t.name === (server.targetAccount ?? config.accounts.targets[0].name)) ?? config.accounts.targets[0];
  return { account: target.name, keyId: target.kms.existingKeyArn ?? target.kms.alias ?? `alias/rehost-factory/${config.name}/${target.name}` };
}
