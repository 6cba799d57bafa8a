import { placementFor } from './placement';
import { MAX_TAGS_PER_RESOURCE, tagKeys } from './aws-tags';
import { nameProblem } from './aws-names';
import { MATRIX_LIMIT, MAX_WAVE_SERVERS, WAVE_MATRIX_CHUNKS } from './dispatch';
import { parseCidr, parseIpv4 } from './primitives';
import { derivedNames } from './resource-names';
import { estateTags, RESOURCE_TAG_KEYS, stagingAreaTags } from './resource-tags';
import type { Add, Rule } from './rules';
import type { FactoryConfig } from './schema';
import { reservedInEverySubnet, reservedRole, SUBNET_PREFIX } from './subnet-addresses';

/**
 * AWS's limits that the estate can break, checked where the estate is read rather than at apply or
 * launch time (docs/estate-limits.md). They read defaults and derived names, so they run once the
 * schema accepted the estate; each tolerates what the other rules report (an unknown subnet name).
 */
export const LIMIT_RULES: Rule[] = [
  { name: 'resource-names', needsValid: true, check: resourceNameRules },
  { name: 'tag-counts', needsValid: true, check: tagCountRules },
  { name: 'subnet-addresses', needsValid: true, check: subnetAddressRules },
  { name: 'wave-size', needsValid: true, check: waveSizeRules },
];

/** Every name the stacks would create, against its service's rules, reported at the field it comes from. */
function resourceNameRules(c: FactoryConfig, add: Add): void {
  // One problem per field and service: the three workflow roles are too long together, say it once.
  const seen = new Set<string>();
  for (const d of derivedNames(c)) {
    const problem = nameProblem(d.service, d.name);
    const key = `${d.field.join('.')} ${d.service}`;
    if (!problem || seen.has(key)) continue;
    seen.add(key);
    add(d.field, `${problem} (${d.what})${d.fix ? `: ${d.fix}` : ''}`);
  }
}

/** What the stacks and the runbook put on a resource, against AWS's 50 tags per resource. */
function tagCountRules(c: FactoryConfig, add: Add): void {
  // Every resource of the stacks: the estate's tags, the default tags, and at most the per-resource keys.
  const own = tagKeys(c.tags);
  const defaults = tagKeys(estateTags(c, 'network'));
  const onResource = tagKeys(estateTags(c, 'network'), RESOURCE_TAG_KEYS);
  const tooManyOnResources = onResource.size > MAX_TAGS_PER_RESOURCE;
  if (tooManyOnResources) {
    const added = [...defaults].filter((k) => !own.has(k));
    const perResource = RESOURCE_TAG_KEYS.filter((k) => !defaults.has(k));
    add(
      ['tags'],
      `${own.size} estate tags, the ${added.length} rehost-factory adds to every resource (${added.join(', ')}) and the ${perResource.length} it sets on single resources (${perResource.join(', ')}) make ${onResource.size} tags on a staging subnet; AWS allows ${MAX_TAGS_PER_RESOURCE}: remove ${onResource.size - MAX_TAGS_PER_RESOURCE} from tags`,
    );
  }
  const staging = tagKeys(stagingAreaTags(c));
  if (staging.size > MAX_TAGS_PER_RESOURCE) {
    add(['mgn', 'replication', 'stagingAreaTags'], `the staging area would carry ${staging.size} tags (these and rehost-factory:estate); AWS allows ${MAX_TAGS_PER_RESOURCE}: remove ${staging.size - MAX_TAGS_PER_RESOURCE}`);
  }
  // Launched instances and volumes: the runbook's placement tags (estate, server, placement and its own).
  const subnets = new Set(c.network.targetSubnets.map((s) => s.name));
  let reportedEstate = tooManyOnResources; // the estate's tags are reported once
  c.waves.forEach((w, wi) =>
    w.applications.forEach((a, ai) =>
      a.servers.forEach((s, si) => {
        for (const mode of ['test', 'cutover'] as const) {
          if (!subnets.has(s[mode].subnet)) continue; // reported by the wave rules
          const tags = tagKeys(placementFor(c, s, mode, w.name).tags);
          if (tags.size <= MAX_TAGS_PER_RESOURCE) continue;
          const runbook = [...tags].filter((k) => !(k in c.tags) && !(k in s.tags) && !(k in s[mode].tags));
          const base = ['waves', wi, 'applications', ai, 'servers', si];
          const estateOnly = tagKeys(c.tags, runbook);
          if (estateOnly.size > MAX_TAGS_PER_RESOURCE) {
            if (!reportedEstate) add(['tags'], `every launched instance would carry ${estateOnly.size} tags: ${own.size} estate tags and the ${runbook.length} the runbook adds (${runbook.join(', ')}); AWS allows ${MAX_TAGS_PER_RESOURCE}: remove ${estateOnly.size - MAX_TAGS_PER_RESOURCE} from tags`);
            reportedEstate = true;
            return;
          }
          const at = Object.keys(s[mode].tags).length ? [...base, mode, 'tags'] : [...base, 'tags'];
          add(at, `the ${mode} instance of "${s.name}" would carry ${tags.size} tags (estate, server and ${mode} placement tags, and the ${runbook.length} the runbook adds: ${runbook.join(', ')}); AWS allows ${MAX_TAGS_PER_RESOURCE}: remove ${tags.size - MAX_TAGS_PER_RESOURCE}`);
        }
      }),
    ),
  );
}

/** Subnet sizes AWS allows, and fixed private IPs among the addresses AWS keeps. */
function subnetAddressRules(c: FactoryConfig, add: Add): void {
  const size = (cidr: string | undefined, path: PropertyKey[], what: string) => {
    const r = cidr === undefined ? undefined : parseCidr(cidr);
    if (r && (r.prefix < SUBNET_PREFIX.min || r.prefix > SUBNET_PREFIX.max)) add(path, `${what} must be /${SUBNET_PREFIX.min} to /${SUBNET_PREFIX.max} in AWS, got ${cidr}`);
  };
  if ('create' in c.network.vpc) size(c.network.vpc.create.cidr, ['network', 'vpc', 'create', 'cidr'], 'a VPC CIDR block');
  c.network.stagingSubnets.forEach((s, i) => size(s.cidr, ['network', 'stagingSubnets', i, 'cidr'], 'a subnet CIDR'));
  c.network.targetSubnets.forEach((s, i) => size(s.cidr, ['network', 'targetSubnets', i, 'cidr'], 'a subnet CIDR'));
  c.network.targetVpcs.forEach((v, i) => v.cidrs.forEach((x, j) => size(x, ['network', 'targetVpcs', i, 'cidrs', j], 'a VPC CIDR block')));

  const subnets = new Map<string, FactoryConfig['network']['targetSubnets'][number]>();
  for (const s of c.network.targetSubnets) if (!subnets.has(s.name)) subnets.set(s.name, s);
  c.waves.forEach((w, wi) =>
    w.applications.forEach((a, ai) =>
      a.servers.forEach((s, si) => {
        for (const mode of ['test', 'cutover'] as const) {
          const p = s[mode];
          const sub = subnets.get(p.subnet);
          if (!p.privateIp || !sub) continue;
          const ip = parseIpv4(p.privateIp)!;
          const path = ['waves', wi, 'applications', ai, 'servers', si, mode, 'privateIp'];
          const r = sub.cidr === undefined ? undefined : parseCidr(sub.cidr);
          if (r) {
            if (ip < r.first || ip > r.last) continue; // reported by the wave rules
            const role = reservedRole(ip, r);
            if (role) add(path, `private IP ${p.privateIp} is reserved by AWS in subnet "${sub.name}" (${sub.cidr}) for ${role}: AWS keeps the first four addresses (${ipOf(r.first)}-${ipOf(r.first + 3)}) and the last (${ipOf(r.last)}) of every subnet`);
          } else {
            // Without the subnet's CIDR only the addresses reserved in every possible subnet are known;
            // preflight checks the rest against the subnet's CIDR read from AWS.
            const role = reservedInEverySubnet(ip);
            if (role) add(path, `private IP ${p.privateIp} is reserved by AWS for ${role} in any subnet that can hold it (subnets are /${SUBNET_PREFIX.min} to /${SUBNET_PREFIX.max}); give subnet "${sub.name}" its cidr in network.targetSubnets to check fixed IPs fully`);
          }
        }
      }),
    ),
  );
}

/** A wave the cutover workflow cannot dispatch whole is refused before it is dispatched. */
function waveSizeRules(c: FactoryConfig, add: Add): void {
  c.waves.forEach((w, wi) => {
    const n = w.applications.reduce((sum, a) => sum + a.servers.length, 0);
    if (n > MAX_WAVE_SERVERS) {
      add(['waves', wi, 'name'], `wave "${w.name}" has ${n} servers; one dispatch of the cutover workflow runs at most ${MAX_WAVE_SERVERS} (${WAVE_MATRIX_CHUNKS} matrix chunks of ${MATRIX_LIMIT} server jobs, GitHub's matrix limit): split it into waves of at most ${MAX_WAVE_SERVERS} servers`);
    }
  });
}

function ipOf(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
