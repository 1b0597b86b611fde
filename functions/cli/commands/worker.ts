/** `floatip worker --config FILE`: the long-lived BullMQ worker plus the sweep scheduler. */
import type { Command } from '../command.ts';
import { defaultControlConfig, runMode } from './serve-shared.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run the control-plane worker (failover and sweep jobs; schedules sweeps)',
  usage: `floatip worker [--config FILE] [--no-schedule]\n  --config       control-plane config (default ${defaultControlConfig})\n  --no-schedule  do not (re)register the sweep schedule`,
  run: (args, io) => runMode('worker', 'worker', args, io),
};
