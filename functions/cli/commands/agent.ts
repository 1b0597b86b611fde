/** `floatip agent --config FILE`: the on-prem VRRP daemon (keepalived.conf compatible). */
import nodeModule from 'node:module';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { exitCodes } from '../command.ts';
import { defaultControlSocket } from '../../../adapters/system/control-server.ts';

export const agentCommand: Command = {
  name: 'agent',
  summary: 'run the VRRP side of a keepalived.conf (VIPs, adverts, GARP, notify scripts)',
  usage:
    'floatip agent [--config FILE] [--socket PATH] [--script-timeout SECONDS] [--metrics HOST:PORT]\n' +
    `  --config   keepalived.conf to run (default /etc/keepalived/keepalived.conf)\n` +
    `  --socket   control socket for \`floatip status\` (default ${defaultControlSocket})\n` +
    '  --metrics  serve Prometheus metrics at http://HOST:PORT/metrics (off by default)\n' +
    '  --report-to URL  post the status to a control plane every --report-interval s (default 5) as\n' +
    '                   --report-name (default the host name); token from FLOATIP_REPORT_TOKEN\n' +
    '  signals: SIGHUP reloads the config, SIGTERM/SIGINT stop (priority 0 sent, VIPs removed)',
  async run(args, io) {
    let values: {
      config?: string;
      socket?: string;
      'script-timeout'?: string;
      metrics?: string;
      'report-to'?: string;
      'report-name'?: string;
      'report-interval'?: string;
    };
    try {
      ({ values } = parseArgs({
        args,
        options: {
          config: { type: 'string', short: 'f' },
          socket: { type: 'string' },
          'script-timeout': { type: 'string' },
          'report-to': { type: 'string' },
          'report-name': { type: 'string' },
          'report-interval': { type: 'string' },
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
    const socketPath = values.socket ?? defaultControlSocket;
    const { reporterOptions, startStatusReporter } = await import('../../agent/status-reporter.ts');
    const report = reporterOptions(values, socketPath, process.env, (level, m) =>
      io.err(`floatip agent: ${level}: ${m}`),
    );
    if (typeof report === 'string') {
      io.err(`floatip agent: ${report}`);
      return exitCodes.usage;
    }
    let agent;
    try {
      // Loaded here, not at the top: `floatip help` and `status` must not pay for the agent's modules.
      const { startAgent } = await import('../../agent/run-agent.ts');
      agent = await startAgent({
        configPath: values.config ?? '/etc/keepalived/keepalived.conf',
        socketPath,
        scriptTimeoutSec: timeout,
        ...(values.metrics === undefined ? {} : { metricsListen: values.metrics }),
      });
    } catch (e) {
      io.err(`floatip agent: ${(e as Error).message}`);
      return exitCodes.configInvalid;
    }
    // Node writes its compile cache (bin/floatip.mjs) only at exit; a daemon that is killed, or runs for
    // months, would leave it unwritten and type-strip every module again at its next start, which keeps the
    // type stripper (~17 MB) resident for the whole run. Written now, every later start finds it.
    nodeModule.flushCompileCache?.();
    const onStop = () => void agent.stop();
    const onHup = () => void agent.reload();
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    process.on('SIGHUP', onHup);
    const reporter = report ? startStatusReporter(report) : null;
    await agent.done;
    await reporter?.stop();
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
    return exitCodes.ok;
  },
};
