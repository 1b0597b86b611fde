import type { Command } from '../command.ts';
import { agentCommand } from './agent.ts';
import { statusCommand } from './status.ts';
import { checkConfig } from './check-config.ts';
import { convert } from './convert.ts';
import { lvsTableCommand } from './status-lvs.ts';
import { serveCommand } from './serve.ts';
import { workerCommand } from './worker.ts';
import { drainCommand } from './drain.ts';
import { controlPlaneCommand } from './serve-control-plane.ts';
import { cloudCommand } from './cloud.ts';
import { leaseAgentCommand } from './lease-agent.ts';

/** Every subcommand, in the order `floatip help` lists them. Add one line per new command. */
export const commands: Command[] = [
  checkConfig,
  convert,
  agentCommand,
  statusCommand,
  lvsTableCommand,
  serveCommand,
  workerCommand,
  drainCommand,
  controlPlaneCommand,
  cloudCommand,
  leaseAgentCommand,
];
