import { parseFactory } from '../../src/config/load';
import type { FactoryConfig } from '../../src/config/schema';

/**
 * A generated estate for the end-to-end tests: one wave of `servers` servers in applications of
 * 10, placed in test-a/app-a with the example's network. Servers are named srv001...; the first
 * of every application is matched by hostname, the others by FQDN, every tenth by IP only.
 */
export function generatedEstate(servers: number, options: { postLaunch?: boolean; tcpPort?: number } = {}): FactoryConfig {
  const apps: string[] = [];
  for (let a = 0; a * 10 < servers; a++) {
    const lines = [`      - name: app${String(a).padStart(3, '0')}`, '        servers:'];
    for (let i = a * 10; i < Math.min(servers, a * 10 + 10); i++) {
      const n = `srv${String(i + 1).padStart(3, '0')}`;
      const id = i % 10 === 9 ? `ipAddress: 192.168.${Math.floor(i / 250)}.${(i % 250) + 1}` : i % 10 === 0 ? `hostname: ${n.toUpperCase()}` : `fqdn: ${n}.corp.example.com`;
      lines.push(
        `          - { name: ${n}, ${id}, os: linux,`,
        `              test: { subnet: test-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium, instanceProfile: rehost-linux },`,
        `              cutover: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: m6i.large, instanceProfile: rehost-linux } }`,
      );
    }
    apps.push(...lines);
  }
  const yaml = `
version: 1
name: e2e
region: eu-west-1
accounts:
  staging: "111111111111"
  targets: [{ name: prod, accountId: "222222222222" }]
network:
  vpc: { create: { cidr: 10.90.0.0/22 } }
  stagingSubnets:
    - { name: staging-a, availabilityZone: eu-west-1a, cidr: 10.90.0.0/24 }
    - { name: staging-b, availabilityZone: eu-west-1b, cidr: 10.90.1.0/24 }
  targetSubnets:
    - { name: app-a, subnetId: subnet-0a1b2c3d4e5f60001, availabilityZone: eu-west-1a, cidr: 10.100.8.0/22 }
    - { name: test-a, subnetId: subnet-0a1b2c3d4e5f60003, availabilityZone: eu-west-1a, cidr: 10.100.16.0/22 }
  onPremises: { sourceCidrs: [192.168.0.0/16], dnsServers: [192.168.10.53] }
bootstrap:
  postLaunch:
${options.postLaunch === false ? '    []' : '    - document: cloudwatch-agent\n    - document: validate-server'}
runbook:
  maxReplicationLag: PT10M
  tcpChecks: [${options.tcpPort ? `{ port: ${options.tcpPort} }` : ''}]
waves:
  - name: big
    applications:
${apps.join('\n')}
  - name: other
    applications:
      - name: elsewhere
        servers:
          - { name: lone01, hostname: lone01, os: linux, test: { subnet: test-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium }, cutover: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium } }
`;
  return parseFactory(yaml, 'generated.yaml');
}
