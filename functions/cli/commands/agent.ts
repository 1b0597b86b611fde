/** `floatip agent --config FILE`: the on-prem VRRP daemon (keepalived.conf compatible). */
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { exitCodes } from '../command.ts';
import { defaultControlSocket } from '../../agent/control-server.ts';

export const agentCommand: Command = {
  name: 'agent',
  summary: 'run the VRRP side of a keepalived.conf (VIPs, adverts, GARP, notify scripts)',
  usage:
    'floatip agent [--config FILE] [--socket PATH] [--script-timeout SECONDS] [--metrics HOST:PORT]\n' +
    `  --config   keepalived.conf to run (default /etc/keepalived/keepalived.conf)\n` +
    `  --socket   control socket for \`floatip status\` (default ${defaultControlSocket})\n` +
    '  --metrics  serve Prometheus metrics at http://HOST:PORT/metrics (off by default)\n' +
    '  signals: SIGHUP reloads the config, SIGTERM/SIGINT stop (priority 0 sent, VIPs removed)',
  async run(args, io) {
    let values: { config?: string; socket?: string; 'script-timeout'?: string; metrics?: string };
    try {
      ({ values } = parseArgs({
        args,
        options: {
          config: { type: 'string', short: 'f' },
          socket: { type: 'string' },
          'script-timeout': { type: 'string' },
          metrics: { type: 'string' },
        },
        strict: true,
      }));
    } catch (e) {
      io.err(`floatip agent: ${(e as Error).message}`);
      return exitCodes.usage;
    }
    const timeout = values['script-timeout'] === undefined ? 10 : Number(values['script-timeout']);
    if (!Number.isFinite(timeout) || timeout <= 0) {
      io.err(`floatip agent: --script-timeout must be a positive number of seconds`);
      return exitCodes.usage;
    }
    let agent;
    try {
      // Loaded here, not at the top: `floatip help` and `status` must not pay for the agent's modules.
      const { startAgent } = await import('../../agent/run-agent.ts');
      agent = await startAgent({
        configPath: values.config ?? '/etc/keepalived/keepalived.conf',
        socketPath: values.socket ?? defaultControlSocket,
        scriptTimeoutSec: timeout,
        ...(values.metrics === undefined ? {} : { metricsListen: values.metrics }),
      });
    } catch (e) {
      io.err(`floatip agent: ${(e as Error).message}`);
      return exitCodes.configInvalid;
    }
    const onStop = () => void agent.stop();
    const onHup = () => void agent.reload();
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    process.on('SIGHUP', onHup);
    await agent.done;
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
    return exitCodes.ok;
  },
};
