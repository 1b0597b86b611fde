/**
 * What the LVS pools' effects mean for the agent: keepalived's LVS scripts (quorum_up / quorum_down of a
 * virtual server, notify_up / notify_down of a real server) go to the script queue port, which runs them
 * one after another (never blocking the agent); everything else is logged. A script runs as its own
 * `user U [G]`, else script_user; the queue resolves that (or keepalived_script, or the agent's user), and
 * a user that does not resolve means the script does not run, never that it runs as root
 * (test/functions/agent/script-user.test.ts).
 */
import type { RunAs, ScriptCommand } from '../model/index.ts';
import type { Logger, ScriptQueue } from '../ports/index.ts';
import type { PoolEffect } from '../lb/rules.ts';
import { countAndFirst } from './log-summary.ts';
import { rsId, vsKey, type LvsConfig } from './lvs-desired.ts';

/** Runs what a pool effect asks for; logs the rest. */
export type LvsEffectHandler = (effect: PoolEffect) => void;

export function lvsEffects(config: () => LvsConfig, log: Logger, scripts?: ScriptQueue): LvsEffectHandler {
  const run = (argv: readonly string[], why: string, who: RunAs | undefined): void =>
    scripts?.run(argv, why, who ?? config().globalDefs.scriptUser);

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

  return (effect) => {
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
  };
}

/** A script's inline `user [group]`, or undefined. */
function userOf(c: ScriptCommand | undefined): RunAs | undefined {
  if (c?.user === undefined) return undefined;
  return c.group === undefined ? { user: c.user } : { user: c.user, group: c.group };
}
