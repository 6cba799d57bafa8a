import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { UsageError } from './options';

/**
 * Appends step outputs to the file GitHub Actions names in $GITHUB_OUTPUT: `name=value`, or a
 * heredoc with a random delimiter for a value with a line break (GitHub's multiline syntax).
 */
export function appendGithubOutputs(values: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) throw new UsageError('--github-output: $GITHUB_OUTPUT is not set (it is set in a GitHub Actions step)');
  const text = Object.entries(values).map(([name, value]) => {
    if (!/^[A-Za-z_][\w-]*$/.test(name)) throw new UsageError(`output name "${name}": expected letters, digits, "-" or "_"`);
    if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
    const delimiter = `ghadelimiter_${randomUUID()}`;
    return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }).join('');
  appendFileSync(file, text);
}
