#!/usr/bin/env node
import { COMMANDS } from './cli/commands';
import { CommandIo } from './cli/options';

/** Runs one CLI invocation and returns its exit code (0 ok, 1 failed, 2 invalid input). */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
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
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    const err = e as Error & { exitCode?: number };
    if (err.name === 'UsageError') {
      io.err(`error: ${err.message}\nusage: ${command.usage}`);
      return 2;
    }
    io.err(err.exitCode === 2 ? err.message : `error: ${err.stack ?? err.message}`);
    return err.exitCode ?? 1;
  }
}

function help(): string {
  const lines = Object.entries(COMMANDS).map(([, load]) => {
    const c = load();
    return `  ${c.usage}\n      ${c.summary}`;
  });
  return `rehost-factory: move fleets of servers to AWS with Application Migration Service\n\ncommands:\n${lines.join('\n')}`;
}

if (require.main === module) {
  runCli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
