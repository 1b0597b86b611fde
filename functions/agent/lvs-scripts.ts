/**
 * keepalived's LVS scripts: quorum_up / quorum_down of a virtual server and notify_up / notify_down of a
 * real server, run one after another (never blocking the agent), each killed after a timeout. Each runs as
 * its own `user U [G]`, else script_user, else keepalived_script when it exists, else the agent's user; a
 * user that does not resolve means the script does not run (logged), never that it runs as root.
 */
import { spawn } from 'node:child_process';
import type { Config, RunAs, ScriptCommand } from '../../core/model/index.ts';
import { scriptRunAs, type RunAsIds } from '../../adapters/probes/run-as.ts';
import type { Logger } from '../../core/ports/index.ts';
import type { PoolEffect } from '../../core/lb/rules.ts';
import { countAndFirst } from '../../core/app/log-summary.ts';
import { rsId, vsKey } from './lvs-desired.ts';

export interface LvsScripts {
  /** Runs what a pool effect asks for; logs the rest. */
  onEffect(effect: PoolEffect): void;
  /** Resolves when every queued script has finished. */
  idle(): Promise<void>;
}

export function lvsScripts(config: () => Config, log: Logger, timeoutSec = 10): LvsScripts {
  let queue: Promise<void> = Promise.resolve();

  const run = (argv: readonly string[], why: string, who: RunAs | undefined): void => {
    const [cmd, ...args] = argv;
    if (!cmd) return;
    let ids: RunAsIds | undefined;
    try {
      ids = scriptRunAs(who ?? config().globalDefs.scriptUser);
    } catch (e) {
      log.warn(`lvs: ${why} script ${argv.join(' ')} will not run: ${(e as Error).message}`);
      return;
    }
    const job = (): Promise<void> =>
      new Promise((resolve) => {
        let child: ReturnType<typeof spawn>;
        try {
          child = spawn(cmd, args, { stdio: 'ignore', ...(ids ?? {}) });
        } catch (e) {
          log.warn(`lvs: ${why} script ${cmd} could not start: ${(e as Error).message}`);
          resolve();
          return;
        }
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
  const notifyScript = (id: string, up: boolean): ScriptCommand | undefined => {
    for (const vs of config().virtualServers) {
      const key = vsKey(vs);
      for (const rs of vs.realServers) {
        if (rsId(key, rs) === id) return up ? rs.notifyUp : rs.notifyDown;
      }
    }
    return undefined;
  };

  /** The user of a quorum script: the effect carries only argv, so the first VS with that command. */
  const quorumUser = (script: 'quorum_up' | 'quorum_down', argv: readonly string[]): RunAs | undefined => {
    const same = (c: ScriptCommand | undefined) =>
      c !== undefined && c.argv.length === argv.length && c.argv.every((a, i) => a === argv[i]);
    for (const vs of config().virtualServers) {
      const c = script === 'quorum_up' ? vs.quorumUp : vs.quorumDown;
      if (same(c)) return userOf(c);
    }
    return undefined;
  };

  return {
    onEffect(effect) {
      switch (effect.kind) {
        case 'run-script':
          log.info(`lvs: ${effect.script}`, { argv: effect.argv });
          run(effect.argv, effect.script, quorumUser(effect.script, effect.argv));
          return;
        case 'notify-rs': {
          log.info(`lvs: real server ${effect.rs} ${effect.up ? 'up' : 'down'}`);
          const script = notifyScript(effect.rs, effect.up);
          if (script) run(script.argv, effect.up ? 'notify_up' : 'notify_down', userOf(script));
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
          log.info(`lvs: ${effect.kind} for ${countAndFirst('real servers', effect.rs)}`);
          return;
      }
    },
    idle: () => queue,
  };
}

/** A script's inline `user [group]`, or undefined. */
function userOf(c: ScriptCommand | undefined): RunAs | undefined {
  if (c?.user === undefined) return undefined;
  return c.group === undefined ? { user: c.user } : { user: c.user, group: c.group };
}
