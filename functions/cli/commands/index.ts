import type { Command } from '../command.ts';

/** Every subcommand, in the order `floatip help` lists them. Add one line per new command. */
export const commands: Command[] = [];
