/**
 * rehost-factory as a library: load and validate an estate, build or synthesize its cdktf app, use
 * the constructs on their own, and drive waves (runbook) and plan reviews from your own code.
 * The CLI (lib/cli.js) and the GitHub actions are thin layers over the same modules.
 */

// Errors by kind (usage, invalid input, refusal, internal) and how the CLI and the actions report them.
export { describeError, InternalError, isExpectedError, isRehostError, RehostError } from './core/errors';
export type { ErrorKind, ErrorReport } from './core/errors';

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
export { buildApp, summarizeOutdir, synthesizeEstate, synthesizeInto } from './infra/app';
export type { StackSummary } from './infra/app';
export * from './infra/stacks/factory-stack';
export * from './infra/stacks/access-stack';
export * from './infra/stacks/estate-names';
export * from './infra/stacks/network-stack';
export * from './infra/stacks/security-stack';
export * from './infra/stacks/mgn-stack';
export * from './infra/stacks/automation-stack';
export * from './infra/stacks/vm-import-stack';

// Constructs, usable without an estate file.
export * from './infra/constructs/ebs-key';
export * from './infra/constructs/estate-key';
export * from './infra/constructs/bootstrap-secrets-key';
export * from './infra/constructs/permissions-boundary';
export * from './infra/constructs/target-account-roles';
export * from './infra/constructs/workflow-policies/apply';
export * from './infra/constructs/workflow-policies/cutover';
export * from './infra/constructs/workflow-policies/plan';
export * from './infra/constructs/workflow-policies/terraform-actions';
export * from './infra/constructs/workflow-policies/vm-import';
export * from './infra/constructs/endpoint-policies';
export * from './infra/constructs/github-oidc-roles';
export * from './infra/constructs/mgn-templates';
export * from './infra/constructs/policy-document';
export * from './infra/constructs/resolver-inbound-endpoint';
export * from './infra/constructs/ssm-bootstrap-documents';
export * from './infra/constructs/staging-security-groups';
export * from './infra/constructs/target-account-provider';
export * from './infra/constructs/vpc-endpoints';
export * from './infra/constructs/vm-import';
export { NotificationTopic } from './infra/constructs/automation/notification-topic';
export type { NotificationTopicProps } from './infra/constructs/automation/notification-topic';
export { PipelineFunction } from './infra/constructs/automation/pipeline-function';
export type { PipelineFunctionProps } from './infra/constructs/automation/pipeline-function';
export { PipelineStateMachine } from './infra/constructs/automation/pipeline-state-machine';
export type { PipelineStateMachineProps } from './infra/constructs/automation/pipeline-state-machine';

// MGN set-up, the wave runbook and VM Import (plain TypeScript over AWS SDK clients).
export { initializeMgn } from './runbook/mgn-init';
export type { InitializeOptions, InitializeOutcome } from './runbook/mgn-init';
export { createClient } from './core/aws/clients';
export type { AwsClientSettings } from './core/aws/clients';
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
