import type { Command } from '../command.ts';
import { agentCommand } from './agent.ts';
import { statusCommand } from './status.ts';
import { checkConfig } from './check-config.ts';
import { convert } from './convert.ts';
import { lvsTableCommand } from './status-lvs.ts';

/** Every subcommand, in the order `floatip help` lists them. Add one line per new command. */
export const commands: Command[] = [checkConfig, convert, agentCommand, statusCommand, lvsTableCommand];
