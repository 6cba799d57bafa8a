/**
 * An error whose `name` Step Functions reports as the task's error (the Lambda `errorType`), so
 * that the state machine's catchers and the failure notification name the real reason.
 */
export class PipelineError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Reads a JSON settings variable of a handler, naming the variable when it is missing or malformed. */
export function settingsFromEnv<T>(variable: string, env: NodeJS.ProcessEnv = process.env): T {
  const raw = env[variable];
  if (!raw) throw new PipelineError('MisconfiguredFunction', `environment variable ${variable} is not set`);
  try {
    return JSON.parse(raw) as T;
  } catch (e) {
    throw new PipelineError('MisconfiguredFunction', `environment variable ${variable} is not JSON: ${(e as Error).message}`);
  }
}

/** Value of a tag in an EC2/ASG tag list. */
export function tagValue(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}
