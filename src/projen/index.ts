/**
 * rehost-factory's projen component (`rehost-factory/projen`): what an estate repository's
 * .projenrc.ts uses.
 */
export { RehostEstateProject, RehostEstateProjectOptions } from './estate-project';
export { RehostEstate, RehostEstateProps } from './rehost-estate';
export { RehostWorkflows, RehostWorkflowsProps, WorkflowRolesOptions, DEFAULT_INFRA_PATHS } from './rehost-workflows';
export { WorkflowEnvironments, WorkflowRole } from './environments';
export { VENDORED_ACTIONS_DIR } from './vendored-actions';
