import type { getOctokit } from '@actions/github';

/**
 * What actions/github-script hands a script, as far as the workflow scripts use it: an
 * authenticated Octokit, the run's context and the toolkit's core functions.
 */
export interface ScriptContext {
  readonly github: ReturnType<typeof getOctokit>;
  readonly context: {
    readonly repo: { readonly owner: string; readonly repo: string };
    readonly sha: string;
    readonly ref: string;
    readonly serverUrl: string;
    readonly runId: number;
  };
  readonly core: {
    setFailed(message: string): void;
    setOutput(name: string, value: string): void;
    info(message: string): void;
  };
}

/** A workflow script: what one github-script step runs. */
export type WorkflowScript = (ctx: ScriptContext) => Promise<void>;
