#!/usr/bin/env node
import { COMMANDS } from './cli/commands';
import { CommandIo } from './cli/options';
import { describeError, isRehostError } from './core/errors';

/**
 * Runs one CLI invocation and returns its exit code (0 ok, 1 failed, 2 invalid input or usage).
 * The one error boundary of the CLI: commands throw, this decides what the user sees. `--debug`
 * (anywhere on the command line) adds the stack trace to an unexpected error.
 */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv.filter((a) => a !== '--debug');
  let usage: string | undefined;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      io.out(help());
      return name ? 0 : 2;
    }
    const load = COMMANDS[name];
    if (!load) {
      io.err(`unknown command "${name}"\n\n${help()}`);
      return 2;
    }
    const command = load();
    usage = command.usage;
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`usage: ${command.usage}\n\n${command.summary}`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (e) {
    const report = describeError(e, { debug });
    io.err(report.bug ? report.message : `error: ${report.message}${isRehostError(e) && e.kind === 'usage' && usage ? `\nusage: ${usage}` : ''}`);
    return report.exitCode;
  }
}

function help(): string {
  const lines = Object.entries(COMMANDS).map(([, load]) => {
    const c = load();
    return `  ${c.usage}\n      ${c.summary}`;
  });
  return `rehost-factory: move fleets of servers to AWS with Application Migration Service\n\ncommands:\n${lines.join('\n')}\n\n--debug with any command prints the stack trace of an unexpected error.`;
}

if (require.main === module) {
  runCli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) => {
    process.exitCode = code;
  });
}
