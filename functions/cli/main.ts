import type { CliIo, Command, ListedCommand } from './command.ts';
import { exitCodes } from './command.ts';
import { commands } from './commands/index.ts';

const stdio: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

function help(list: (Command | ListedCommand)[]): string {
  const width = Math.max(...list.map((c) => c.name.length), 4);
  return [
    'usage: floatip <command> [options]',
    '',
    'commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `floatip <command> --help` for the options of one command.',
  ].join('\n');
}

/** Entry point of the `floatip` CLI; returns the exit code. */
export async function main(
  argv: string[],
  io: CliIo = stdio,
  list: (Command | ListedCommand)[] = commands,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(help(list));
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const listed = list.find((c) => c.name === name);
  if (!listed) {
    io.err(`floatip: unknown command '${name}'\n\n${help(list)}`);
    return exitCodes.usage;
  }
  const command = 'load' in listed ? await listed.load() : listed;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${command.usage}\n\n${command.summary}`);
    return exitCodes.ok;
  }
  return command.run(rest, io);
}
