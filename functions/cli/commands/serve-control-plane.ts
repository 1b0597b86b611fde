/** `floatip control-plane --config FILE [--demo]`: API + worker + scheduled sweeps in one process. */
import type { Command } from '../command.ts';
import { runMode } from './serve-shared.ts';

export const controlPlaneCommand: Command = {
  name: 'control-plane',
  summary: 'run the whole control plane locally (API + worker + sweeps); --demo shows a failover',
  usage:
    'floatip control-plane --config FILE [--host ADDR] [--port N] [--demo] [--exit-after-demo]\n' +
    '  --demo             reset the config prefix, fire a sample alert, print the failover (memory providers only)\n' +
    '  --exit-after-demo  stop after the demo failover is printed',
  run: (args, io) => runMode('control-plane', 'all', args, io),
};
