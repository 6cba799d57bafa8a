import { BOOTSTRAP_DOCUMENTS, BootstrapDocumentName, BootstrapDocumentsMissingError, documentDefaultEntries, loadBootstrapDocument, parameterProblem, SsmDocumentContent } from './bootstrap-documents';
import { cidrContains, cidrsOverlap, CidrRange, parseCidr, parseIpv4 } from './primitives';
import { FactoryConfig } from './schema';

/** A cross-field problem: the path of the offending field and what is expected. */
export interface RuleViolation { readonly path: PropertyKey[]; readonly message: string; readonly key?: string }

/**
 * Rules that span fields and cannot be said in the per-field schema: uniqueness, references between
 * sections, Availability Zone spread and CIDR overlaps. They also run when the schema found problems,
 * so that every problem is reported at once: each group of rules reads the raw data defensively and
 * is skipped when the part it reads is malformed (the schema has reported that part already).
 */
export function checkRules(raw: unknown): RuleViolation[] {
  const out: RuleViolation[] = [];
  const add = (path: PropertyKey[], message: string) => out.push({ path, message });
  const c = withDefaults(raw as FactoryConfig);
  for (const group of [networkRules, targetNetworkRules, waveRules, accountRules, mgnRules, bootstrapRules, otherRules]) {
    try {
      group(c, add);
    } catch (e) {
      // malformed input in this part: the schema problems describe it; a broken installation is not that
      if (e instanceof BootstrapDocumentsMissingError) throw e;
    }
  }
  return out;
}

type Add = (path: PropertyKey[], message: string) => void;

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

  const stagingRanges: Array<{ range: CidrRange; path: PropertyKey[]; cidr: string }> = [];
  net.stagingSubnets.forEach((s, i) => {
    const base = ['network', 'stagingSubnets', i];
    if (!s.availabilityZone.startsWith(c.region)) add([...base, 'availabilityZone'], `expected an Availability Zone of ${c.region}, got "${s.availabilityZone}"`);
    if (created) {
      if (!s.cidr) add(base, 'expected "cidr": the staging VPC is created, so its subnets are created from a CIDR');
      if (s.subnetId) add([...base, 'subnetId'], 'expected no "subnetId": the staging VPC is created, so its subnets are created (use "cidr")');
      if (s.routeTableId) add([...base, 'routeTableId'], 'expected no "routeTableId": the staging VPC is created, so each subnet gets its own route table');
    } else {
      if (!s.subnetId) add(base, 'expected "subnetId": the staging VPC exists, so its subnets are referenced by ID');
      if (!s.routeTableId) add(base, 'expected "routeTableId": the S3 gateway endpoint that replication servers reach S3 through must be on every staging route table');
    }
    if (s.cidr) {
      const r = parseCidr(s.cidr)!;
      if (!cidrContains(vpcCidr, r)) add([...base, 'cidr'], `expected a CIDR inside the VPC CIDR ${formatRange(vpcCidr)}, got ${s.cidr}`);
      for (const o of stagingRanges) {
        if (cidrsOverlap(o.range, r)) add([...base, 'cidr'], `CIDR ${s.cidr} overlaps ${o.cidr} of another staging subnet (${formatPathShort(o.path)})`);
      }
      stagingRanges.push({ range: r, path: [...base, 'cidr'], cidr: s.cidr });
    }
  });
  unique(net.stagingSubnets.filter((s) => s.subnetId).map((s) => ({ value: s.subnetId!, path: ['network', 'stagingSubnets', net.stagingSubnets.indexOf(s), 'subnetId'] })), 'subnet ID', add);
  const stagingAzs = new Set(net.stagingSubnets.map((s) => s.availabilityZone));
  if (stagingAzs.size < 2) add(['network', 'stagingSubnets'], `expected staging subnets in at least 2 Availability Zones, got ${[...stagingAzs].join(', ')}`);

  const stagingByName = new Map(net.stagingSubnets.map((s) => [s.name, s]));
  if (net.resolverSubnets) {
    const azs = new Set<string>();
    net.resolverSubnets.forEach((n, i) => {
      const s = stagingByName.get(n);
      if (!s) add(['network', 'resolverSubnets', i], `expected the name of a subnet in network.stagingSubnets (${[...stagingByName.keys()].join(', ')}), got "${n}"`);
      else azs.add(s.availabilityZone);
    });
    unique(net.resolverSubnets.map((n, i) => ({ value: n, path: ['network', 'resolverSubnets', i] })), 'resolver subnet', add);
    if (azs.size === 1) add(['network', 'resolverSubnets'], `expected resolver subnets in at least 2 Availability Zones, all are in ${[...azs][0]}`);
  }

  net.onPremises.sourceCidrs.forEach((s, i) => {
    const r = parseCidr(s)!;
    if (cidrsOverlap(r, vpcCidr)) add(['network', 'onPremises', 'sourceCidrs', i], `on-premises CIDR ${s} overlaps the staging VPC CIDR ${formatRange(vpcCidr)}: replication traffic could not be routed`);
  });
  net.onPremises.dnsServers.forEach((ip, i) => {
    const a = parseIpv4(ip)!;
    if (a >= vpcCidr.first && a <= vpcCidr.last) add(['network', 'onPremises', 'dnsServers', i], `on-premises DNS server ${ip} is inside the staging VPC CIDR ${formatRange(vpcCidr)}`);
  });
}

/** Target VPCs and subnets: declared VPCs, subnets inside them, no overlap within one VPC. */
function targetNetworkRules(c: FactoryConfig, add: Add): void {
  const net = c.network;
  unique(net.targetVpcs.map((v, i) => ({ value: v.name, path: ['network', 'targetVpcs', i, 'name'] })), 'target VPC name', add);
  unique(net.targetVpcs.map((v, i) => ({ value: v.vpcId, path: ['network', 'targetVpcs', i, 'vpcId'] })), 'target VPC ID', add);
  const vpcs = new Map(net.targetVpcs.map((v) => [v.name, v.cidrs.map((x) => parseCidr(x)!)]));
  net.targetVpcs.forEach((v, i) => overlapping(v.cidrs.map((x, j) => ({ cidr: x, path: ['network', 'targetVpcs', i, 'cidrs', j] })), 'another CIDR block of this VPC', add));
  unique(net.targetSubnets.map((s, i) => ({ value: s.subnetId, path: ['network', 'targetSubnets', i, 'subnetId'] })), 'target subnet ID', add);
  const ranges: Array<{ range: CidrRange; cidr: string; vpc?: string; path: PropertyKey[] }> = [];
  net.targetSubnets.forEach((s, i) => {
    const base = ['network', 'targetSubnets', i];
    const vpcRanges = s.vpc === undefined ? undefined : vpcs.get(s.vpc);
    if (s.vpc !== undefined && !vpcRanges) {
      add([...base, 'vpc'], `expected the name of a VPC in network.targetVpcs (${[...vpcs.keys()].join(', ') || 'none declared'}), got "${s.vpc}"`);
    }
    if (!s.cidr) return;
    const r = parseCidr(s.cidr)!;
    if (vpcRanges && !vpcRanges.some((v) => cidrContains(v, r))) {
      add([...base, 'cidr'], `expected a CIDR inside the CIDR blocks of VPC "${s.vpc}" (${vpcRanges.map(formatRange).join(', ')}), got ${s.cidr}`);
    }
    for (const o of ranges) {
      // Subnets of two different declared VPCs may reuse ranges (separate accounts often do).
      if (cidrsOverlap(o.range, r) && (s.vpc === undefined || o.vpc === undefined || s.vpc === o.vpc)) {
        const hint = s.vpc !== undefined && s.vpc === o.vpc ? `, both in VPC "${s.vpc}"` : ' (if they are in different VPCs, declare them in network.targetVpcs and name each subnet\'s vpc)';
        add([...base, 'cidr'], `CIDR ${s.cidr} overlaps ${o.cidr} of another target subnet (${formatPathShort(o.path)})${hint}`);
      }
    }
    ranges.push({ range: r, cidr: s.cidr, vpc: s.vpc, path: [...base, 'cidr'] });
  });
}

/** Reports each CIDR that overlaps an earlier one of the same list. */
function overlapping(cidrs: Array<{ cidr: string; path: PropertyKey[] }>, what: string, add: Add): void {
  const seen: Array<{ range: CidrRange; cidr: string; path: PropertyKey[] }> = [];
  for (const x of cidrs) {
    const r = parseCidr(x.cidr)!;
    const o = seen.find((p) => cidrsOverlap(p.range, r));
    if (o) add(x.path, `CIDR ${x.cidr} overlaps ${o.cidr} of ${what} (${formatPathShort(o.path)})`);
    seen.push({ range: r, cidr: x.cidr, path: x.path });
  }
}

function waveRules(c: FactoryConfig, add: Add): void {
  const accounts = accountNames(c);
  const targetSubnets = new Map(c.network.targetSubnets.map((s) => [s.name, s]));
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
          add([...base, 'targetAccount'], `expected the name of an account in accounts.targets (${[...accounts].join(', ')}), got "${s.targetAccount}"`);
        }
        for (const mode of ['test', 'cutover'] as const) {
          const p = s[mode];
          const sub = targetSubnets.get(p.subnet);
          if (!sub) {
            add([...base, mode, 'subnet'], `expected the name of a subnet in network.targetSubnets (${[...targetSubnets.keys()].join(', ') || 'none declared'}), got "${p.subnet}"`);
          } else if (p.privateIp && sub.cidr) {
            const ip = parseIpv4(p.privateIp)!;
            const r = parseCidr(sub.cidr)!;
            if (ip < r.first || ip > r.last) add([...base, mode, 'privateIp'], `private IP ${p.privateIp} is not in subnet "${sub.name}" (${sub.cidr})`);
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
    if (arn) {
      const [, , , keyRegion, owner] = arn.split(':');
      if (owner !== t.accountId) add([...base, 'existingKeyArn'], `the key belongs to account ${owner}; expected a key of the target account ${t.accountId} ("${t.name}"): key material stays in its account`);
      if (keyRegion !== c.region) add([...base, 'existingKeyArn'], `the key is in ${keyRegion}; expected a key in the estate Region ${c.region} (EBS volumes are encrypted with a key of their own Region)`);
    }
    (t.kms?.crossAccountPrincipals ?? []).forEach((p, j) => {
      if (p === t.accountId) add([...base, 'crossAccountPrincipals', j], `"${p}" is the key's own account ("${t.name}"): it has access already; list other accounts only`);
    });
  });
  const wanted = c.vmImport.targetAccount;
  if (wanted !== undefined && !accountNames(c).has(wanted)) add(['vmImport', 'targetAccount'], `expected the name of an account in accounts.targets (${[...accountNames(c)].join(', ')}), got "${wanted}"`);
  const importKey = c.vmImport.kmsKeyArn;
  if (importKey && importKey.split(':')[3] !== c.region) add(['vmImport', 'kmsKeyArn'], `the key is in ${importKey.split(':')[3]}; expected a key in the estate Region ${c.region}`);
}

/** The replication template's references: a declared staging subnet and target account. */
function mgnRules(c: FactoryConfig, add: Add): void {
  const rep = c.mgn.replication;
  const accounts = accountNames(c);
  if (rep.encryptionKeyAccount !== undefined && !accounts.has(rep.encryptionKeyAccount)) {
    add(['mgn', 'replication', 'encryptionKeyAccount'], `expected the name of an account in accounts.targets (${[...accounts].join(', ')}), got "${rep.encryptionKeyAccount}"`);
  }
  const staging = c.network.stagingSubnets.map((s) => s.name);
  if (rep.stagingSubnet !== undefined && !staging.includes(rep.stagingSubnet)) {
    add(['mgn', 'replication', 'stagingSubnet'], `expected the name of a subnet in network.stagingSubnets (${staging.join(', ')}), got "${rep.stagingSubnet}"`);
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
      add(['bootstrap', 'postLaunch', i, 'deployment'], `expected deployment ${first.deployment ?? 'TEST_AND_CUTOVER'} like bootstrap.postLaunch[0]: MGN applies one deployment to every post-launch document of the launch template`);
    }
  });
  const docs = new Map<BootstrapDocumentName, SsmDocumentContent>();
  const doc = (name: BootstrapDocumentName) => docs.get(name) ?? docs.set(name, loadBootstrapDocument(name)).get(name)!;
  post.forEach((p, i) => {
    if (!(BOOTSTRAP_DOCUMENTS as readonly string[]).includes(p.document)) return; // the schema reports it
    for (const [param, values] of Object.entries(p.parameters ?? {})) {
      const problem = parameterProblem(doc(p.document), p.document, param, Array.isArray(values) ? values.join(',') : String(values));
      if (problem) add(['bootstrap', 'postLaunch', i, 'parameters', param], problem);
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
    if (p.document === 'join-active-directory' && !c.bootstrap.activeDirectory) add(['bootstrap', 'postLaunch', i, 'document'], 'join-active-directory needs bootstrap.activeDirectory (Parameter Store names of domain, user and password)');
    if (p.document === 'remove-legacy-agents' && c.bootstrap.legacyAgents.length === 0) add(['bootstrap', 'postLaunch', i, 'document'], 'remove-legacy-agents needs bootstrap.legacyAgents (the package or service names to remove)');
  });
  if (c.bootstrap.postLaunch.length > 10) add(['bootstrap', 'postLaunch'], `expected at most 10 post-launch actions (MGN's limit), got ${c.bootstrap.postLaunch.length}`);
  if (c.mgn.launch.enableMapAutoTagging && !c.mgn.launch.mapAutoTaggingMpeId) add(['mgn', 'launch'], 'expected "mapAutoTaggingMpeId" when enableMapAutoTagging is true');
  if (c.github) {
    // IAM role names: <prefix>-<estate>-plan|apply|cutover|vm-import, at most 64 characters.
    const longest = `${c.github.roleNamePrefix ?? 'rehost-factory'}-${c.name}-vm-import`;
    if (longest.length > 64) add(['github', 'roleNamePrefix'], `workflow role name "${longest}" has ${longest.length} characters; IAM allows 64: shorten github.roleNamePrefix or the estate name`);
  }
  const allServers = new Set(serverNames);
  c.runbook.tcpChecks.forEach((t, i) => {
    if (t.server && !allServers.has(t.server)) add(['runbook', 'tcpChecks', i, 'server'], `expected the name of a server in waves, got "${t.server}"`);
  });
}

interface Entry { value: string; path: PropertyKey[]; where?: string }

function unique(entries: Entry[], what: string, add: Add, rule?: string): void {
  const first = new Map<string, Entry>();
  for (const e of entries) {
    const prev = first.get(e.value);
    if (prev) add(e.path, `duplicate ${what} "${e.value}"${rule ? ` (${rule})` : ''}: already used at ${formatPathShort(prev.path)}${prev.where ? ` in ${prev.where}` : ''}`);
    else first.set(e.value, e);
  }
}

function formatPathShort(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function formatRange(r: CidrRange): string {
  const ip = [r.first >>> 24, (r.first >>> 16) & 255, (r.first >>> 8) & 255, r.first & 255].join('.');
  return `${ip}/${r.prefix}`;
}
