/**
 * keepalived's LVS scripts: quorum_up / quorum_down of a virtual server and notify_up / notify_down of a
 * real server, run one after another (never blocking the agent), each killed after a timeout.
 */
import { spawn } from 'node:child_process';
import type { Config } from '../../core/model/index.ts';
import type { Logger } from '../../core/ports/index.ts';
import type { PoolEffect } from '../../core/lb/rules.ts';
import { rsId, vsKey } from './lvs-desired.ts';

export interface LvsScripts {
  /** Runs what a pool effect asks for; logs the rest. */
  onEffect(effect: PoolEffect): void;
  /** Resolves when every queued script has finished. */
  idle(): Promise<void>;
}

export function lvsScripts(config: () => Config, log: Logger, timeoutSec = 10): LvsScripts {
  let queue: Promise<void> = Promise.resolve();

  const run = (argv: readonly string[], why: string): void => {
    const [cmd, ...args] = argv;
    if (!cmd) return;
    const job = (): Promise<void> =>
      new Promise((resolve) => {
        const child = spawn(cmd, args, { stdio: 'ignore' });
        const timer = setTimeout(() => {
          log.warn(`lvs: ${why} script ${argv.join(' ')} ran over ${timeoutSec} s; killing it`);
          child.kill('SIGKILL');
        }, timeoutSec * 1000);
        child.once('error', (e) => {
          clearTimeout(timer);
          log.warn(`lvs: ${why} script ${cmd} could not start: ${e.message}`);
          resolve();
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          if (code !== 0) log.warn(`lvs: ${why} script ${argv.join(' ')} exited ${signal ?? code}`);
          resolve();
        });
      });
    queue = queue.then(job, job);
  };

  /** notify_up / notify_down of the real server with this id. */
  const notifyArgv = (id: string, up: boolean): readonly string[] | undefined => {
    for (const vs of config().virtualServers) {
      const key = vsKey(vs);
      for (const rs of vs.realServers) {
        if (rsId(key, rs) === id) return (up ? rs.notifyUp : rs.notifyDown)?.argv;
      }
    }
    return undefined;
  };

  return {
    onEffect(effect) {
      switch (effect.kind) {
        case 'run-script':
          log.info(`lvs: ${effect.script}`, { argv: effect.argv });
          run(effect.argv, effect.script);
          return;
        case 'notify-rs': {
          log.info(`lvs: real server ${effect.rs} ${effect.up ? 'up' : 'down'}`);
          const argv = notifyArgv(effect.rs, effect.up);
          if (argv) run(argv, effect.up ? 'notify_up' : 'notify_down');
          return;
        }
        case 'notify-vs':
          log.info(`lvs: ${effect.message}`);
          return;
        case 'log':
          log.info(`lvs: ${effect.message}`);
          return;
        case 'suspend-checks':
        case 'resume-checks':
          log.info(`lvs: ${effect.kind} ${effect.rs.join(' ')}`);
          return;
      }
    },
    idle: () => queue,
  };
}
