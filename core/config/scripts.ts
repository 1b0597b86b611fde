/**
 * Every script a configuration makes the daemon run, with where it sits in the model and whom it runs as
 * (keepalived.md §1: `script_user`, `user U [G]`). Feeds the host-side script security check (`floatip
 * check-config`, agent start and reload), which needs the file system and so lives outside core.
 */
import type { Config, RunAs, ScriptCommand } from '../model/index.ts';

export interface ConfiguredScript {
  /** Model path of the command, for locating its line (e.g. `['vrrpInstances', 'VI_1', 'notifyMaster']`). */
  path: Array<string | number>;
  /** The keyword as written in keepalived.conf. */
  keyword: string;
  /** The block it belongs to, e.g. `vrrp_instance VI_1`. */
  owner: string;
  command: ScriptCommand;
  /** The script's own user, else `script_user`; undefined = keepalived's default (see run-as adapter). */
  runAs?: RunAs;
}

const notifyKeywords = [
  ['notifyMaster', 'notify_master'],
  ['notifyBackup', 'notify_backup'],
  ['notifyFault', 'notify_fault'],
  ['notifyStop', 'notify_stop'],
  ['notify', 'notify'],
  ['notifyMasterRxLowerPri', 'notify_master_rx_lower_pri'],
] as const;

/** Lists the scripts in file-independent model order: global, vrrp_script, instances, groups, LVS. */
export function configuredScripts(config: Config): ConfiguredScript[] {
  const fallback = config.globalDefs.scriptUser;
  const out: ConfiguredScript[] = [];
  const add = (
    path: Array<string | number>,
    keyword: string,
    owner: string,
    command: ScriptCommand | undefined,
    blockUser?: RunAs,
  ) => {
    if (command === undefined) return;
    const own: RunAs | undefined =
      command.user !== undefined
        ? { user: command.user, ...(command.group !== undefined ? { group: command.group } : {}) }
        : blockUser;
    const runAs = own ?? fallback;
    out.push({ path, keyword, owner, command, ...(runAs ? { runAs } : {}) });
  };
  const g = config.globalDefs;
  add(['globalDefs', 'notifyFifoScript'], 'notify_fifo_script', 'global_defs', g.notifyFifoScript);
  add(
    ['globalDefs', 'vrrpNotifyFifoScript'],
    'vrrp_notify_fifo_script',
    'global_defs',
    g.vrrpNotifyFifoScript,
  );
  add(['globalDefs', 'lvsNotifyFifoScript'], 'lvs_notify_fifo_script', 'global_defs', g.lvsNotifyFifoScript);
  add(['globalDefs', 'startupScript'], 'startup_script', 'global_defs', g.startupScript);
  add(['globalDefs', 'shutdownScript'], 'shutdown_script', 'global_defs', g.shutdownScript);
  for (const [name, s] of Object.entries(config.vrrpScripts))
    add(['vrrpScripts', name, 'script'], 'script', `vrrp_script ${name}`, s.script, s.user);
  for (const [name, i] of Object.entries(config.vrrpInstances)) {
    for (const [field, keyword] of notifyKeywords)
      add(['vrrpInstances', name, field], keyword, `vrrp_instance ${name}`, i[field]);
    add(
      ['vrrpInstances', name, 'notifyDeleted'],
      'notify_deleted',
      `vrrp_instance ${name}`,
      i.notifyDeleted?.script,
    );
  }
  for (const [name, sg] of Object.entries(config.vrrpSyncGroups))
    for (const [field, keyword] of notifyKeywords)
      if (field !== 'notifyMasterRxLowerPri')
        add(['vrrpSyncGroups', name, field], keyword, `vrrp_sync_group ${name}`, sg[field]);
  for (const [v, vs] of config.virtualServers.entries()) {
    const vsName = `virtual_server #${v + 1}`;
    add(['virtualServers', v, 'quorumUp'], 'quorum_up', vsName, vs.quorumUp);
    add(['virtualServers', v, 'quorumDown'], 'quorum_down', vsName, vs.quorumDown);
    vs.realServers.forEach((rs, r) => {
      // Names and paths only for a real server with a script: at 10,000 real servers building them for
      // every one was ~8 MB of short-lived allocations at each (re)load (bench/checker/rss.bench.ts).
      if (!rs.notifyUp && !rs.notifyDown && !rs.checkers.some((ck) => ck.type === 'MISC_CHECK')) return;
      const rsName = `real_server ${rs.address} ${rs.port ?? ''}`.trimEnd();
      const at = ['virtualServers', v, 'realServers', r];
      add([...at, 'notifyUp'], 'notify_up', rsName, rs.notifyUp);
      add([...at, 'notifyDown'], 'notify_down', rsName, rs.notifyDown);
      for (const [c, ck] of rs.checkers.entries())
        if (ck.type === 'MISC_CHECK')
          add([...at, 'checkers', c, 'miscPath'], 'misc_path', rsName, ck.miscPath, ck.user);
    });
  }
  return out;
}
