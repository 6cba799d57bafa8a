import { CidrRange, parseCidr, parseIpv4 } from './primitives';

/**
 * The addresses AWS keeps in every subnet (docs/estate-limits.md): the first four (network address,
 * VPC router, DNS, future use) and the last. An instance asked to take one fails at launch.
 */

/** Subnet sizes AWS allows. */
export const SUBNET_PREFIX = { min: 16, max: 28 } as const;

const ROLES = ['the network address', 'the VPC router', 'the Amazon DNS server', 'future use'];

/** What AWS keeps `ip` for in `subnet`, or undefined when an instance may take it. */
export function reservedRole(ip: number, subnet: CidrRange): string | undefined {
  const offset = ip - subnet.first;
  if (offset >= 0 && offset < ROLES.length) return ROLES[offset];
  if (ip === subnet.last) return 'the broadcast address';
  return undefined;
}

/**
 * What `ip` is reserved for whatever subnet holds it, or undefined: subnets are /16 to /28, so an
 * address whose last 16 bits are 0-3 or all ones is reserved in every subnet it can be in.
 */
export function reservedInEverySubnet(ip: number): string | undefined {
  const low = ip % 65536;
  if (low < ROLES.length) return ROLES[low];
  if (low === 65535) return 'the broadcast address';
  return undefined;
}

/** A fixed IP that AWS reserves in the subnet, in words (for checks that read the subnet from AWS). */
export function reservedAddressProblem(ip: string, cidr: string): string | undefined {
  const a = parseIpv4(ip);
  const r = parseCidr(cidr);
  if (a === undefined || !r || a < r.first || a > r.last) return undefined;
  const role = reservedRole(a, r);
  return role ? `private IP ${ip} is reserved by AWS in subnet ${cidr} (${role}): AWS keeps the first four and the last address of every subnet` : undefined;
}
