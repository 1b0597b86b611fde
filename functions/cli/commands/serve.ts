/** `floatip serve --config FILE`: the control plane's HTTP API (webhooks, manual failover, state, metrics). */
import type { Command } from '../command.ts';
import { defaultControlConfig, runMode } from './serve-shared.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the control-plane HTTP API (webhooks, manual failover, state, metrics, OpenAPI)',
  usage: `floatip serve [--config FILE] [--host ADDR] [--port N]\n  --config  control-plane config (default ${defaultControlConfig})`,
  run: (args, io) => runMode('serve', 'serve', args, io),
};
