/** A short account of what a configuration defines (for `floatip check-config` and `npm start`). */
import type { Config } from '../model/index.ts';

export interface ConfigSummary {
  vrrpInstances: number;
  syncGroups: number;
  vips: number;
  vrrpScripts: number;
  virtualServers: number;
  realServers: number;
  checkers: Record<string, number>;
  lines: string[];
}

export function summarizeConfig(c: Config): ConfigSummary {
  const lines: string[] = [];
  let vips = 0;
  for (const [name, i] of Object.entries(c.vrrpInstances)) {
    vips += i.virtualIpaddress.length;
    const addrs = i.virtualIpaddress.map((v) => `${v.address}/${v.prefix}`).join(', ') || 'no VIPs';
    const mode =
      i.unicastPeers.length > 0 ? `unicast to ${i.unicastPeers.length} peer(s)` : `multicast ${i.mcastDstIp}`;
    lines.push(
      `vrrp_instance ${name}: ${i.state} on ${i.interface ?? '(no interface)'}, VRID ${i.virtualRouterId}, priority ${i.priority}, ` +
        `VRRPv${i.version} every ${i.advertInt}s, ${mode}; VIPs: ${addrs}`,
    );
  }
  for (const [name, g] of Object.entries(c.vrrpSyncGroups))
    lines.push(`vrrp_sync_group ${name}: ${g.group.join(', ')}`);
  let realServers = 0;
  const checkers: Record<string, number> = {};
  for (const vs of c.virtualServers) {
    const svc =
      vs.service.kind === 'address'
        ? `${vs.service.address}:${vs.service.port}`
        : vs.service.kind === 'fwmark'
          ? `fwmark ${vs.service.fwmark}`
          : `group ${vs.service.group}`;
    realServers += vs.realServers.length;
    const kinds = new Set<string>();
    for (const rs of vs.realServers) {
      for (const ck of rs.checkers) {
        checkers[ck.type] = (checkers[ck.type] ?? 0) + 1;
        kinds.add(ck.type);
      }
    }
    const persist = vs.persistenceTimeout !== undefined ? `, persistent ${vs.persistenceTimeout}s` : '';
    lines.push(
      `virtual_server ${svc} ${vs.protocol}: ${vs.lvsSched}/${vs.forwarding.method}${persist}, ` +
        `${vs.realServers.length} real server(s) [${vs.realServers.map((r) => `${r.address}:${r.port} w${r.weight}`).join(', ')}], ` +
        `checks: ${[...kinds].join(', ') || 'none'} every ${vs.delayLoop}s`,
    );
  }
  return {
    vrrpInstances: Object.keys(c.vrrpInstances).length,
    syncGroups: Object.keys(c.vrrpSyncGroups).length,
    vips,
    vrrpScripts: Object.keys(c.vrrpScripts).length,
    virtualServers: c.virtualServers.length,
    realServers,
    checkers,
    lines,
  };
}
