import type { FactoryConfig } from './schema';

/**
 * The tags rehost-factory adds, besides the estate's own. Free of the provider bindings: the stacks
 * write these and `validate` counts them against AWS's 50 tags per resource.
 */

/** The tag naming the estate on each of its resources. */
export const ESTATE_TAG = 'rehost-factory:estate';
/** The tag naming the stack (concern) a resource belongs to. */
export const STACK_TAG = 'rehost-factory:stack';
/** The tag naming the staging subnet a subnet resource is. */
export const SUBNET_TAG = 'rehost-factory:subnet';

/** Tags every resource of a stack carries, through the provider's default_tags. */
export function estateTags(config: Pick<FactoryConfig, 'tags' | 'name'>, concern: string): Record<string, string> {
  return {
    ...config.tags,
    [ESTATE_TAG]: config.name,
    [STACK_TAG]: concern,
    ManagedBy: 'rehost-factory',
  };
}

/**
 * Keys the stacks set on single resources on top of the default tags: Name (VPC, subnets, route
 * tables, security groups, endpoints, the Resolver endpoint) and the subnet tag. A test reads every
 * synthesized stack and checks that no resource carries another key.
 */
export const RESOURCE_TAG_KEYS: readonly string[] = ['Name', SUBNET_TAG];

/** A staging subnet's own tags. */
export function stagingSubnetTags(name: string, subnet: string): Record<string, string> {
  return { Name: name, [SUBNET_TAG]: subnet };
}

/** Tags MGN puts on the staging area (replication servers, staging volumes and snapshots). */
export function stagingAreaTags(config: Pick<FactoryConfig, 'name'> & { mgn: { replication: { stagingAreaTags: Record<string, string> } } }): Record<string, string> {
  return { ...config.mgn.replication.stagingAreaTags, [ESTATE_TAG]: config.name };
}
