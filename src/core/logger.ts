/** Progress and diagnostics; the CLI prints them, actions send them to the job log. */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined };
