/** The wave runbook: plain TypeScript over AWS clients, a clock and a logger; no GitHub here. */
export * from './batching';
export * from './clients';
export * from './context';
export * from './duration';
export * from './lifecycle';
export * from './outcome';
export * from './preflight';
export * from './reconcile';
export * from './report';
export * from './resolve';
export * from '../core/retry';
export * from './runtime';
export * from './select';
export * from './wave/options';
export * from './wave/run';
export { describeStep, postLaunchWait } from './wave/presentation';
export { RunInterrupted } from '../core/interrupt';
