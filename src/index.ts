/**
 * rehost-factory as a library: load and validate an estate, build or synthesize its cdktf app, use
 * the constructs on their own, and drive waves (runbook) and plan reviews from your own code.
 * The CLI (lib/cli.js) and the GitHub actions are thin layers over the same modules.
 */

// Errors by kind (usage, invalid input, refusal, internal) and how the CLI and the actions report them.
export { describeError, InternalError, isExpectedError, isRehostError, RehostError } from './errors';
export type { ErrorKind, ErrorReport } from './errors';

// The estate file: parse, validate (every problem located), types, JSON Schema.
export { loadFactoryFile, parseFactory } from './config/load';
export type { LoadedFactory } from './config/load';
export { ConfigError, formatProblem } from './config/errors';
export type { ConfigProblem } from './config/errors';
export { checkRules } from './config/rules';
export type { RuleViolation } from './config/rules';
export { factorySchema, factoryJsonSchema } from './config/schema';
export type { Application, FactoryConfig, FactoryInput, Placement, Server, StagingSubnet, TargetAccount, Wave } from './config/schema';
export type { NetworkConfig } from './config/sections/network';
export type { AmiReEncryptionSettings, AmiSwapSettings, AutomationSettings, PollingSettings } from './config/sections/automation';
export type { VmImportConfig } from './config/sections/vm-import';

// The cdktf app and its stacks.
export { buildApp, summarizeOutdir, synthesizeEstate, synthesizeInto } from './app';
export type { StackSummary } from './app';
export * from './stacks/factory-stack';
export * from './stacks/access-stack';
export * from './stacks/estate-names';
export * from './stacks/network-stack';
export * from './stacks/security-stack';
export * from './stacks/mgn-stack';
export * from './stacks/automation-stack';
export * from './stacks/vm-import-stack';

// Constructs, usable without an estate file.
export * from './constructs/ebs-key';
export * from './constructs/estate-key';
export * from './constructs/bootstrap-secrets-key';
export * from './constructs/permissions-boundary';
export * from './constructs/target-account-roles';
export * from './constructs/workflow-policies/apply';
export * from './constructs/workflow-policies/cutover';
export * from './constructs/workflow-policies/plan';
export * from './constructs/workflow-policies/terraform-actions';
export * from './constructs/workflow-policies/vm-import';
export * from './constructs/endpoint-policies';
export * from './constructs/github-oidc-roles';
export * from './constructs/mgn-templates';
export * from './constructs/policy-document';
export * from './constructs/resolver-inbound-endpoint';
export * from './constructs/ssm-bootstrap-documents';
export * from './constructs/staging-security-groups';
export * from './constructs/target-account-provider';
export * from './constructs/vpc-endpoints';
export * from './constructs/vm-import';
export { NotificationTopic } from './constructs/automation/notification-topic';
export type { NotificationTopicProps } from './constructs/automation/notification-topic';
export { PipelineFunction } from './constructs/automation/pipeline-function';
export type { PipelineFunctionProps } from './constructs/automation/pipeline-function';
export { PipelineStateMachine } from './constructs/automation/pipeline-state-machine';
export type { PipelineStateMachineProps } from './constructs/automation/pipeline-state-machine';

// MGN set-up, the wave runbook and VM Import (plain TypeScript over AWS SDK clients).
export { initializeMgn } from './mgn/initialize';
export type { InitializeOptions, InitializeOutcome } from './mgn/initialize';
export { createClient } from './aws/clients';
export type { AwsClientSettings } from './aws/clients';
export * as runbook from './runbook';
export { runVmImport } from './vm-import/run';
export type { VmImportClients, VmImportContext } from './vm-import/run';

// Plan review: read terraform plans, render the pull-request review, compare a reviewed plan.
export { readPlanFile, readPlanSpec, readStackPlans, reviewPlans, commentMarker } from './plan-review/review';
export type { Review, ReviewOptions, ReviewSummary, StackPlan } from './plan-review/review';
export { compareResourceChanges } from './plan-review/compare';
export type { PlanDifference } from './plan-review/compare';
export { parsePlan, PlanInputError } from './plan-review/plan';
export type { TerraformPlan } from './plan-review/plan';
export { DEFAULT_CRITICAL_RULES, parseCriticalRule } from './plan-review/guard';
export type { CriticalRule } from './plan-review/guard';
export { octokitComments, upsertStickyComments } from './plan-review/sticky-comments';
