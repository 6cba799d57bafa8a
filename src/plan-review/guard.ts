import { changeKind } from './counts';
import { ResourceChange } from './plan';

/**
 * The migration-critical guard: resources whose deletion or replacement in the middle of a
 * migration breaks replication or cutover (the staging network's endpoints and subnets, the KMS
 * keys the replicated disks are encrypted with, the MGN templates). A plan that would destroy one
 * fails the review unless the pull request carries the override label.
 */
export interface CriticalRule {
  /** Glob (`*` = any characters) on the stack name. @default any stack */
  readonly stack?: string;
  /** Glob on the resource type, e.g. `aws_kms_key`. @default any type */
  readonly type?: string;
  /** Glob on the resource address, e.g. `aws_subnet.staging*`. @default any address */
  readonly address?: string;
  /** Why it matters, shown in the review. */
  readonly why: string;
}

export const DEFAULT_CRITICAL_RULES: readonly CriticalRule[] = [
  { type: 'aws_kms_key', why: 'KMS key: replicated disks and launched volumes are encrypted with it' },
  { type: 'aws_kms_alias', why: 'KMS alias: the MGN templates and AMI pipelines refer to the key by it' },
  { type: 'aws_vpc_endpoint', why: 'VPC endpoint: replication servers reach MGN, EC2 and S3 privately through it' },
  { type: 'aws_route53_resolver_endpoint', why: 'Resolver endpoint: on-premises sources resolve the endpoints through it' },
  { stack: 'mgn', type: 'aws_cloudformation_stack', why: 'MGN templates stack: replication and launch templates of every source server' },
  { stack: 'network', type: 'aws_subnet', why: 'staging subnet: replication servers and their disks live in it' },
];

/** The default override label; the action's `override-label` input changes it. */
export const DEFAULT_OVERRIDE_LABEL = 'allow-critical-infra-change';

export interface CriticalChange {
  readonly stack: string;
  readonly address: string;
  readonly action: 'delete' | 'replace';
  readonly why: string;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function matches(rule: CriticalRule, stack: string, rc: ResourceChange): boolean {
  const type = rc.type ?? rc.address.replace(/^(module\.[^.]+(\[[^\]]*\])?\.)*/, '').split('.')[0];
  return (!rule.stack || globToRegExp(rule.stack).test(stack))
    && (!rule.type || globToRegExp(rule.type).test(type))
    && (!rule.address || globToRegExp(rule.address).test(rc.address));
}

/** The deletes and replacements of a stack's plan that hit a critical rule (data sources never do). */
export function criticalChanges(stack: string, changes: readonly ResourceChange[], rules: readonly CriticalRule[]): CriticalChange[] {
  const out: CriticalChange[] = [];
  for (const rc of changes) {
    if (rc.mode === 'data' || !rc.change.actions.includes('delete')) continue;
    const rule = rules.find((r) => matches(r, stack, rc));
    if (rule) out.push({ stack, address: rc.address, action: changeKind(rc.change.actions) === 'replace' ? 'replace' : 'delete', why: rule.why });
  }
  return out;
}

/**
 * Parses a rule from its one-line form, `key=glob[,key=glob...][ # why]`, keys `stack`, `type`,
 * `address`; e.g. `stack=network,type=aws_route_table # staging route tables`.
 */
export function parseCriticalRule(text: string): CriticalRule {
  const [spec, ...comment] = text.split('#');
  const rule: { stack?: string; type?: string; address?: string } = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(stack|type|address)=(.+)$/.exec(part);
    if (!m) throw new Error(`critical rule ${JSON.stringify(text)}: expected key=glob pairs with keys stack, type, address (e.g. "type=aws_kms_key"), got "${part}"`);
    rule[m[1] as 'stack' | 'type' | 'address'] = m[2].trim();
  }
  if (!rule.stack && !rule.type && !rule.address) throw new Error(`critical rule ${JSON.stringify(text)}: names no stack, type or address`);
  return { ...rule, why: comment.join('#').trim() || `matches ${spec.trim()}` };
}
