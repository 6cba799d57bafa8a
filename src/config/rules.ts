import { InternalError } from '../core/errors';
import { BOOTSTRAP_DOCUMENTS, BootstrapDocumentName, BootstrapDocumentsMissingError, documentDefaultEntries, loadBootstrapDocument, parameterProblem, SsmDocumentContent } from './bootstrap-documents';
import { CidrIndex } from './cidr-index';
import { LIMIT_RULES } from './limits';
import { cidrContains, cidrsOverlap, CidrRange, parseCidr, parseIpv4 } from './primitives';
import { FactoryConfig } from './schema';

/**
 * A cross-field problem: the path of the offending field and what is expected. `reads` are the other
 * fields the rule compared it with ("*" matches any index or key); when the schema refused one of
 * them, the violation is a consequence of that problem and is not reported on its own.
 */
export interface RuleViolation { readonly path: PropertyKey[]; readonly message: string; readonly key?: string; readonly reads?: PropertyKey[][] }

export type Add = (path: PropertyKey[], message: string, reads?: PropertyKey[][]) => void;

/** A named group of rules. `needsValid`: it reads derived values, so it runs only on an estate the schema accepted. */
export interface Rule {
  readonly name: string;
  readonly needsValid?: boolean;
  check(c: FactoryConfig, add: Add): void;
}

/**
 * Rules that span fields and cannot be said in the per-field schema: uniqueness, references between
 * sections, Availability Zone spread, CIDR overlaps, and AWS's limits on what the stacks derive from
 * the estate. They also run when the schema found problems, so that every problem is reported at
 * once: then a rule that stumbles on malformed data is skipped (the schema problems describe it). On
 * an estate the schema accepted, a rule that throws is a bug: an internal error naming the rule,
 * never a silent acceptance.
 */
export function checkRules(raw: unknown, options: { schemaValid?: boolean } = {}): RuleViolation[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return []; // nothing to cross-check
  const valid = options.schemaValid ?? false;
  const out: RuleViolation[] = [];
  const add: Add = (path, message, reads) => out.push(reads ? { path, message, reads } : { path, message });
  const c = valid ? (raw as FactoryConfig) : withDefaults(raw as FactoryConfig);
  for (const rule of RULES) {
    if (rule.needsValid && !valid) continue;
    try {
      rule.check(c, add);
    } catch (e) {
      if (e instanceof BootstrapDocumentsMissingError) throw e; // a broken installation, not the estate
      if (valid) throw new InternalError(`validation rule "${rule.name}" failed on an estate the schema accepted: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }
  return out;
}

/** The defaults the rules rely on, for raw data that did not pass through the schema. */
function withDefaults(c: FactoryConfig): FactoryConfig {
  const net = c?.network ?? ({} as FactoryConfig['network']);
  return {
    ...c,
    accounts: { ...c?.accounts, targets: Array.isArray(c?.accounts?.targets) ? c.accounts.targets : [] },
    network: { ...net, targetSubnets: net.targetSubnets ?? [], targetVpcs: net.targetVpcs ?? [], stagingSubnets: Array.isArray(net.stagingSubnets) ? net.stagingSubnets : [] },
    waves: Array.isArray(c?.waves) ? c.waves : [],
    bootstrap: { ...c?.bootstrap, legacyAgents: c?.bootstrap?.legacyAgents ?? [], postLaunch: c?.bootstrap?.postLaunch ?? [] },
    mgn: { ...c?.mgn, replication: { ...c?.mgn?.replication }, launch: { ...c?.mgn?.launch } } as FactoryConfig['mgn'],
    vmImport: { ...c?.vmImport } as FactoryConfig['vmImport'],
    runbook: { ...c?.runbook, tcpChecks: c?.runbook?.tcpChecks ?? [] } as FactoryConfig['runbook'],
    backend: c?.backend ?? { local: {} },
  };
}

function accountNames(c: FactoryConfig): Set<string> {
  return new Set(c.accounts.targets.map((t) => t.name));
}

const STAGING_NAMES = ['network', 'stagingSubnets', '*', 'name'];
const STAGING_AZS = ['network', 'stagingSubnets', '*', 'availabilityZone'];
const TARGET_SUBNET_NAMES = ['network', 'targetSubnets', '*', 'name'];
const ACCOUNT_NAMES = ['accounts', 'targets', '*', 'name'];
const VPC = ['network', 'vpc'];

function networkRules(c: FactoryConfig, add: Add): void {
  unique(c.accounts.targets.map((t, i) => ({ value: t.name, path: ['accounts', 'targets', i, 'name'] })), 'target account name', add);
  const net = c.network;
  const created = 'create' in net.vpc;
  const vpcCidr = parseCidr(created ? (net.vpc as { create: { cidr: string } }).create.cidr : (net.vpc as { existing: { cidr: string } }).existing.cidr)!;
  const subnetNames = [
    ...net.stagingSubnets.map((s, i) => ({ value: s.name, path: ['network', 'stagingSubnets', i, 'name'] })),
    ...net.targetSubnets.map((s, i) => ({ value: s.name, path: ['network', 'targetSubnets', i, 'name'] })),
  ];
  unique(subnetNames, 'subnet name', add);

  const staging = new CidrIndex<{ cidr: string; path: PropertyKey[] }>();
  net.stagingSubnets.forEach((s, i) => {
    const base = ['network', 'stagingSubnets', i];
    if (!s.availabilityZone.startsWith(c.region)) add([...base, 'availabilityZone'], `expected an Availability Zone of ${c.region}, got "${s.availabilityZone}"`, [['region']]);
    if (created) {
      if (!s.cidr) add(base, 'expected "cidr": the staging VPC is created, so its subnets are created from a CIDR', [VPC]);
      if (s.subnetId) add([...base, 'subnetId'], 'expected no "subnetId": the staging VPC is created, so its subnets are created (use "cidr")', [VPC]);
      if (s.routeTableId) add([...base, 'routeTableId'], 'expected no "routeTableId": the staging VPC is created, so each subnet gets its own route table', [VPC]);
    } else {
      if (!s.subnetId) add(base, 'expected "subnetId": the staging VPC exists, so its subnets are referenced by ID', [VPC]);
      if (!s.routeTableId) add(base, 'expected "routeTableId": the S3 gateway endpoint that replication servers reach S3 through must be on every staging route table', [VPC]);
    }
    if (s.cidr) {
      const r = parseCidr(s.cidr)!;
      if (!cidrContains(vpcCidr, r)) add([...base, 'cidr'], `expected a CIDR inside the VPC CIDR ${formatRange(vpcCidr)}, got ${s.cidr}`, [VPC]);
      const o = staging.firstOverlap(r);
      if (o) add([...base, 'cidr'], `CIDR ${s.cidr} overlaps ${o.cidr} of another staging subnet (${formatPathShort(o.path)})`, [o.path]);
      staging.add(r, { cidr: s.cidr, path: [...base, 'cidr'] });
    }
  });
  unique(net.stagingSubnets.flatMap((s, i) => (s.subnetId ? [{ value: s.subnetId, path: ['network', 'stagingSubnets', i, 'subnetId'] }] : [])), 'subnet ID', add);
  const stagingAzs = new Set(net.stagingSubnets.map((s) => s.availabilityZone));
  if (stagingAzs.size < 2) add(['network', 'stagingSubnets'], `expected staging subnets in at least 2 Availability Zones, got ${[...stagingAzs].join(', ')}`, [STAGING_AZS]);

  const stagingByName = new Map(net.stagingSubnets.map((s) => [s.name, s]));
  if (net.resolverSubnets) {
    const azs = new Set<string>();
    net.resolverSubnets.forEach((n, i) => {
      const s = stagingByName.get(n);
      if (!s) add(['network', 'resolverSubnets', i], `expected the name of a subnet in network.stagingSubnets (${[...stagingByName.keys()].join(', ')}), got "${n}"`, [STAGING_NAMES]);
      else azs.add(s.availabilityZone);
    });
    unique(net.resolverSubnets.map((n, i) => ({ value: n, path: ['network', 'resolverSubnets', i] })), 'resolver subnet', add);
    if (azs.size === 1) add(['network', 'resolverSubnets'], `expected resolver subnets in at least 2 Availability Zones, all are in ${[...azs][0]}`, [STAGING_NAMES, STAGING_AZS]);
  }

  net.onPremises.sourceCidrs.forEach((s, i) => {
    const r = parseCidr(s)!;
    if (cidrsOverlap(r, vpcCidr)) add(['network', 'onPremises', 'sourceCidrs', i], `on-premises CIDR ${s} overlaps the staging VPC CIDR ${formatRange(vpcCidr)}: replication traffic could not be routed`, [VPC]);
  });
  net.onPremises.dnsServers.forEach((ip, i) => {
    const a = parseIpv4(ip)!;
    if (a >= vpcCidr.first && a <= vpcCidr.last) add(['network', 'onPremises', 'dnsServers', i], `on-premises DNS server ${ip} is inside the staging VPC CIDR ${formatRange(vpcCidr)}`, [VPC]);
  });
}

/** Target VPCs and subnets: declared VPCs, subnets inside them, no overlap within one VPC. */
function targetNetworkRules(c: FactoryConfig, add: Add): void {
  const net = c.network;
  unique(net.targetVpcs.map((v, i) => ({ value: v.name, path: ['network', 'targetVpcs', i, 'name'] })), 'target VPC name', add);
  unique(net.targetVpcs.map((v, i) => ({ value: v.vpcId, path: ['network', 'targetVpcs', i, 'vpcId'] })), 'target VPC ID', add);
  // Each VPC's CIDR blocks, indexed: the first declaration of a name counts (a duplicate is reported above).
  const vpcs = new Map<string, { ranges: CidrRange[]; index: CidrIndex<CidrRange> }>();
  net.targetVpcs.forEach((v, i) => {
    const index = new CidrIndex<{ cidr: string; path: PropertyKey[]; range: CidrRange }>();
    const ranges: CidrRange[] = [];
    v.cidrs.forEach((x, j) => {
      const r = parseCidr(x)!;
      const path = ['network', 'targetVpcs', i, 'cidrs', j];
      const o = index.firstOverlap(r);
      if (o) add(path, `CIDR ${x} overlaps ${o.cidr} of another CIDR block of this VPC (${formatPathShort(o.path)})`, [o.path]);
      index.add(r, { cidr: x, path, range: r });
      ranges.push(r);
    });
    if (!vpcs.has(v.name)) {
      const containing = new CidrIndex<CidrRange>();
      for (const r of ranges) containing.add(r, r);
      vpcs.set(v.name, { ranges, index: containing });
    }
  });
  unique(net.targetSubnets.map((s, i) => ({ value: s.subnetId, path: ['network', 'targetSubnets', i, 'subnetId'] })), 'target subnet ID', add);
  // Subnets of two different declared VPCs may reuse ranges (separate accounts often do): a subnet
  // conflicts with subnets of its own VPC and with subnets whose VPC is not declared.
  type Seen = { order: number; cidr: string; vpc?: string; path: PropertyKey[] };
  const byVpc = new Map<string, CidrIndex<Seen>>();
  const withoutVpc = new CidrIndex<Seen>();
  const all = new CidrIndex<Seen>();
  const vpcReads = ['network', 'targetVpcs', '*', 'name'];
  net.targetSubnets.forEach((s, i) => {
    const base = ['network', 'targetSubnets', i];
    const vpc = s.vpc === undefined ? undefined : vpcs.get(s.vpc);
    if (s.vpc !== undefined && !vpc) {
      add([...base, 'vpc'], `expected the name of a VPC in network.targetVpcs (${[...vpcs.keys()].join(', ') || 'none declared'}), got "${s.vpc}"`, [vpcReads]);
    }
    if (!s.cidr) return;
    const r = parseCidr(s.cidr)!;
    if (vpc && !vpc.index.firstContaining(r)) {
      add([...base, 'cidr'], `expected a CIDR inside the CIDR blocks of VPC "${s.vpc}" (${vpc.ranges.map(formatRange).join(', ')}), got ${s.cidr}`, [vpcReads, ['network', 'targetVpcs', '*', 'cidrs']]);
    }
    const candidates = s.vpc === undefined ? [all.firstOverlap(r)] : [byVpc.get(s.vpc)?.firstOverlap(r), withoutVpc.firstOverlap(r)];
    const o = candidates.filter((x): x is Seen => !!x).sort((a, b) => a.order - b.order)[0];
    if (o) {
      const hint = s.vpc !== undefined && s.vpc === o.vpc ? `, both in VPC "${s.vpc}"` : ' (if they are in different VPCs, declare them in network.targetVpcs and name each subnet\'s vpc)';
      add([...base, 'cidr'], `CIDR ${s.cidr} overlaps ${o.cidr} of another target subnet (${formatPathShort(o.path)})${hint}`, [o.path, [...base, 'vpc']]);
    }
    const seen: Seen = { order: i, cidr: s.cidr, vpc: s.vpc, path: [...base, 'cidr'] };
    all.add(r, seen);
    if (s.vpc === undefined) withoutVpc.add(r, seen);
    else {
      if (!byVpc.has(s.vpc)) byVpc.set(s.vpc, new CidrIndex<Seen>());
      byVpc.get(s.vpc)!.add(r, seen);
    }
  });
}

function waveRules(c: FactoryConfig, add: Add): void {
  const accounts = accountNames(c);
  const targetSubnets = new Map<string, FactoryConfig['network']['targetSubnets'][number]>();
  for (const s of c.network.targetSubnets) if (!targetSubnets.has(s.name)) targetSubnets.set(s.name, s);
  const waveNames: Entry[] = [];
  const appNames: Entry[] = [];
  const serverNames: Entry[] = [];
  const ids: Entry[] = [];
  const hosts: Entry[] = [];
  const fqdns: Entry[] = [];
  const ips: Entry[] = [];
  c.waves.forEach((w, wi) => {
    waveNames.push({ value: w.name, path: ['waves', wi, 'name'] });
    w.applications.forEach((a, ai) => {
      appNames.push({ value: a.name, path: ['waves', wi, 'applications', ai, 'name'] });
      a.servers.forEach((s, si) => {
        const base = ['waves', wi, 'applications', ai, 'servers', si];
        serverNames.push({ value: s.name, path: [...base, 'name'], where: `application "${a.name}"` });
        if (s.sourceServerId) ids.push({ value: s.sourceServerId, path: [...base, 'sourceServerId'] });
        if (s.hostname) hosts.push({ value: s.hostname.toLowerCase(), path: [...base, 'hostname'] });
        if (s.fqdn) fqdns.push({ value: s.fqdn.toLowerCase(), path: [...base, 'fqdn'] });
        if (s.ipAddress) ips.push({ value: s.ipAddress, path: [...base, 'ipAddress'] });
        if (!s.sourceServerId && !s.hostname && !s.fqdn && !s.ipAddress) {
          add(base, `server "${s.name}" needs at least one of sourceServerId, fqdn, hostname or ipAddress to be matched to its MGN source server`);
        }
        if (s.targetAccount && !accounts.has(s.targetAccount)) {
          add([...base, 'targetAccount'], `expected the name of an account in accounts.targets (${[...accounts].join(', ')}), got "${s.targetAccount}"`, [ACCOUNT_NAMES]);
        }
        for (const mode of ['test', 'cutover'] as const) {
          const p = s[mode];
          const sub = targetSubnets.get(p.subnet);
          if (!sub) {
            add([...base, mode, 'subnet'], `expected the name of a subnet in network.targetSubnets (${[...targetSubnets.keys()].join(', ') || 'none declared'}), got "${p.subnet}"`, [TARGET_SUBNET_NAMES]);
          } else if (p.privateIp && sub.cidr) {
            const ip = parseIpv4(p.privateIp)!;
            const r = parseCidr(sub.cidr)!;
            if (ip < r.first || ip > r.last) add([...base, mode, 'privateIp'], `private IP ${p.privateIp} is not in subnet "${sub.name}" (${sub.cidr})`, [TARGET_SUBNET_NAMES, ['network', 'targetSubnets', '*', 'cidr']]);
          }
        }
      });
    });
  });
  unique(waveNames, 'wave name', add);
  unique(appNames, 'application name', add, 'an application belongs to exactly one wave');
  unique(serverNames, 'server name', add, 'a server belongs to exactly one application');
  unique(ids, 'sourceServerId', add);
  unique(hosts, 'hostname', add);
  unique(fqdns, 'fqdn', add);
  unique(ips, 'ipAddress', add);
}

/** Keys: an existing key lives in its target account and in the estate's Region. */
function accountRules(c: FactoryConfig, add: Add): void {
  c.accounts.targets.forEach((t, i) => {
    const base = ['accounts', 'targets', i, 'kms'];
    const arn = t.kms?.existingKeyArn;
    const accountId = ['accounts', 'targets', i, 'accountId'];
    if (arn) {
      const [, , , keyRegion, owner] = arn.split(':');
      if (owner !== t.accountId) add([...base, 'existingKeyArn'], `the key belongs to account ${owner}; expected a key of the target account ${t.accountId} ("${t.name}"): key material stays in its account`, [accountId]);
      if (keyRegion !== c.region) add([...base, 'existingKeyArn'], `the key is in ${keyRegion}; expected a key in the estate Region ${c.region} (EBS volumes are encrypted with a key of their own Region)`, [['region']]);
    }
    (t.kms?.crossAccountPrincipals ?? []).forEach((p, j) => {
      if (p === t.accountId) add([...base, 'crossAccountPrincipals', j], `"${p}" is the key's own account ("${t.name}"): it has access already; list other accounts only`, [accountId]);
    });
  });
  const wanted = c.vmImport.targetAccount;
  if (wanted !== undefined && !accountNames(c).has(wanted)) add(['vmImport', 'targetAccount'], `expected the name of an account in accounts.targets (${[...accountNames(c)].join(', ')}), got "${wanted}"`, [ACCOUNT_NAMES]);
  const importKey = c.vmImport.kmsKeyArn;
  if (importKey && importKey.split(':')[3] !== c.region) add(['vmImport', 'kmsKeyArn'], `the key is in ${importKey.split(':')[3]}; expected a key in the estate Region ${c.region}`, [['region']]);
}

/** The replication template's references: a declared staging subnet and target account. */
function mgnRules(c: FactoryConfig, add: Add): void {
  const rep = c.mgn.replication;
  const accounts = accountNames(c);
  if (rep.encryptionKeyAccount !== undefined && !accounts.has(rep.encryptionKeyAccount)) {
    add(['mgn', 'replication', 'encryptionKeyAccount'], `expected the name of an account in accounts.targets (${[...accounts].join(', ')}), got "${rep.encryptionKeyAccount}"`, [ACCOUNT_NAMES]);
  }
  const staging = [...new Set(c.network.stagingSubnets.map((s) => s.name))];
  if (rep.stagingSubnet !== undefined && !staging.includes(rep.stagingSubnet)) {
    add(['mgn', 'replication', 'stagingSubnet'], `expected the name of a subnet in network.stagingSubnets (${staging.join(', ')}), got "${rep.stagingSubnet}"`, [STAGING_NAMES]);
  }
}

/**
 * Post-launch documents: parameters they declare, values their allowedPattern accepts (SSM checks
 * it only when the document runs at launch), and one deployment for all (MGN applies one to the
 * launch template).
 */
function bootstrapRules(c: FactoryConfig, add: Add): void {
  const post = c.bootstrap.postLaunch;
  const first = post[0];
  post.forEach((p, i) => {
    if (first && (p.deployment ?? 'TEST_AND_CUTOVER') !== (first.deployment ?? 'TEST_AND_CUTOVER')) {
      add(['bootstrap', 'postLaunch', i, 'deployment'], `expected deployment ${first.deployment ?? 'TEST_AND_CUTOVER'} like bootstrap.postLaunch[0]: MGN applies one deployment to every post-launch document of the launch template`, [['bootstrap', 'postLaunch', 0, 'deployment']]);
    }
  });
  const docs = new Map<BootstrapDocumentName, SsmDocumentContent>();
  const doc = (name: BootstrapDocumentName) => docs.get(name) ?? docs.set(name, loadBootstrapDocument(name)).get(name)!;
  post.forEach((p, i) => {
    if (!(BOOTSTRAP_DOCUMENTS as readonly string[]).includes(p.document)) return; // the schema reports it
    for (const [param, values] of Object.entries(p.parameters ?? {})) {
      const problem = parameterProblem(doc(p.document), p.document, param, Array.isArray(values) ? values.join(',') : String(values));
      if (problem) add(['bootstrap', 'postLaunch', i, 'parameters', param], problem, [['bootstrap', 'postLaunch', i, 'document']]);
    }
  });
  for (const d of documentDefaultEntries(c.bootstrap)) {
    const problem = parameterProblem(doc(d.document), d.document, d.parameter, d.value);
    if (problem) add(d.path, problem);
  }
}

function otherRules(c: FactoryConfig, add: Add): void {
  const serverNames = c.waves.flatMap((w) => w.applications.flatMap((a) => a.servers.map((s) => s.name)));
  if ('s3' in c.backend && c.backend.s3.locking === 'dynamodb' && !c.backend.s3.dynamodbTable) {
    add(['backend', 's3'], 'expected "dynamodbTable" when locking is "dynamodb"');
  }
  const docs: Entry[] = c.bootstrap.postLaunch.map((p, i) => ({ value: p.document, path: ['bootstrap', 'postLaunch', i, 'document'] }));
  unique(docs, 'post-launch document', add);
  c.bootstrap.postLaunch.forEach((p, i) => {
    if (p.document === 'join-active-directory' && !c.bootstrap.activeDirectory) add(['bootstrap', 'postLaunch', i, 'document'], 'join-active-directory needs bootstrap.activeDirectory (Parameter Store names of domain, user and password)', [['bootstrap', 'activeDirectory']]);
    if (p.document === 'remove-legacy-agents' && c.bootstrap.legacyAgents.length === 0) add(['bootstrap', 'postLaunch', i, 'document'], 'remove-legacy-agents needs bootstrap.legacyAgents (the package or service names to remove)', [['bootstrap', 'legacyAgents']]);
  });
  if (c.bootstrap.postLaunch.length > 10) add(['bootstrap', 'postLaunch'], `expected at most 10 post-launch actions (MGN's limit), got ${c.bootstrap.postLaunch.length}`);
  if (c.mgn.launch.enableMapAutoTagging && !c.mgn.launch.mapAutoTaggingMpeId) add(['mgn', 'launch'], 'expected "mapAutoTaggingMpeId" when enableMapAutoTagging is true');
  const allServers = new Set(serverNames);
  c.runbook.tcpChecks.forEach((t, i) => {
    if (t.server && !allServers.has(t.server)) add(['runbook', 'tcpChecks', i, 'server'], `expected the name of a server in waves, got "${t.server}"`, [['waves']]);
  });
}

interface Entry { value: string; path: PropertyKey[]; where?: string }

function unique(entries: Entry[], what: string, add: Add, rule?: string): void {
  const first = new Map<string, Entry>();
  for (const e of entries) {
    const prev = first.get(e.value);
    if (prev) add(e.path, `duplicate ${what} "${e.value}"${rule ? ` (${rule})` : ''}: already used at ${formatPathShort(prev.path)}${prev.where ? ` in ${prev.where}` : ''}`, [prev.path]);
    else first.set(e.value, e);
  }
}

export function formatPathShort(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

export function formatRange(r: CidrRange): string {
  const ip = [r.first >>> 24, (r.first >>> 16) & 255, (r.first >>> 8) & 255, r.first & 255].join('.');
  return `${ip}/${r.prefix}`;
}

/**
 * Every rule, in the order they run. Exported so that a test can add a rule that throws and see it
 * reported as an internal error; nothing else changes it.
 */
export const RULES: Rule[] = [
  { name: 'network', check: networkRules },
  { name: 'target-network', check: targetNetworkRules },
  { name: 'waves', check: waveRules },
  { name: 'accounts', check: accountRules },
  { name: 'mgn', check: mgnRules },
  { name: 'bootstrap', check: bootstrapRules },
  { name: 'other', check: otherRules },
  ...LIMIT_RULES,
];
