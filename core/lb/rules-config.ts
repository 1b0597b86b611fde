/**
 * From the resolved configuration model to pool-rule configs: the service keys a virtual server
 * programs (one address, a fwmark, or every entry of its virtual_server_group with IPv4 ranges
 * expanded), its real servers with their weights, inhibit and alpha, quorum, sorry server, omega and
 * ha_suspend. Also the stable ids used for real servers across health, rules and the data plane.
 */
import { isIpv6, type VirtualServer, type VirtualServerGroup } from '../model/index.ts';
import type { LbProtocol, LbServiceKey } from '../ports/index.ts';
import type { PoolConfig } from './rules.ts';

/** At most this many services from one group range (a /16); larger ranges are refused. */
export const MAX_GROUP_RANGE = 65_536;

const proto = (vs: VirtualServer): LbProtocol => vs.protocol.toLowerCase() as LbProtocol;

/** keepalived-style text for a virtual server: `[10.0.0.1]:tcp:80`, `FWM 21`, `group web:tcp`. */
export function virtualServerKey(vs: VirtualServer): string {
  const s = vs.service;
  if (s.kind === 'address') return `[${s.address}]:${proto(vs)}:${s.port}`;
  if (s.kind === 'fwmark') return `FWM ${s.fwmark}`;
  return `group ${s.group}:${proto(vs)}`;
}

export const realServerKey = (vs: VirtualServer, rs: { address: string; port: number }): string =>
  `${virtualServerKey(vs)} -> [${rs.address}]:${rs.port}`;

export const sorryServerKey = (vs: VirtualServer, s: { address: string; port: number }): string =>
  `${virtualServerKey(vs)} -> sorry [${s.address}]:${s.port}`;

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}
const intToIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

function groupServices(
  vs: VirtualServer,
  name: string,
  group: VirtualServerGroup,
  errors: string[],
): LbServiceKey[] {
  const out: LbServiceKey[] = [];
  group.entries.forEach((e, i) => {
    const field = `virtual_server_group ${name} entry ${i + 1}`;
    if (e.kind === 'fwmark') {
      out.push({ kind: 'fwmark', family: e.ipFamily ?? 'inet', fwmark: e.fwmark });
      return;
    }
    const family = isIpv6(e.address) ? 'inet6' : 'inet';
    if (e.rangeEnd === undefined || e.rangeEnd === e.address) {
      out.push({ kind: 'addr', family, protocol: proto(vs), addr: e.address, port: e.port });
      return;
    }
    if (family === 'inet6') {
      errors.push(`${field}: IPv6 address ranges are not supported (${e.address}-${e.rangeEnd})`);
      return;
    }
    const from = ipv4ToInt(e.address);
    const to = ipv4ToInt(e.rangeEnd);
    if (to < from) {
      errors.push(`${field}: range ${e.address}-${e.rangeEnd} ends before it starts`);
      return;
    }
    if (to - from + 1 > MAX_GROUP_RANGE) {
      errors.push(`${field}: range ${e.address}-${e.rangeEnd} has more than ${MAX_GROUP_RANGE} addresses`);
      return;
    }
    for (let n = from; n <= to; n++) {
      out.push({ kind: 'addr', family, protocol: proto(vs), addr: intToIpv4(n), port: e.port });
    }
  });
  return out;
}

export function poolFromConfig(
  vs: VirtualServer,
  groups: Readonly<Record<string, VirtualServerGroup>> = {},
): { config: PoolConfig; errors: string[] } {
  const errors: string[] = [];
  const s = vs.service;
  let services: LbServiceKey[];
  if (s.kind === 'address') {
    services = [
      {
        kind: 'addr',
        family: isIpv6(s.address) ? 'inet6' : 'inet',
        protocol: proto(vs),
        addr: s.address,
        port: s.port,
      },
    ];
  } else if (s.kind === 'fwmark') {
    services = [{ kind: 'fwmark', family: vs.ipFamily ?? 'inet', fwmark: s.fwmark }];
  } else {
    const group = groups[s.group];
    if (group === undefined) {
      errors.push(`virtual_server group ${s.group}: no virtual_server_group of that name`);
      services = [];
    } else services = groupServices(vs, s.group, group, errors);
  }
  const sorry = vs.sorryServer;
  const config: PoolConfig = {
    services,
    servers: vs.realServers.map((rs) => ({
      id: realServerKey(vs, rs),
      weight: rs.weight,
      inhibit: rs.inhibitOnFailure,
      // the server starts dead when any of its checkers starts down (keepalived num_failed_checkers)
      alpha: rs.checkers.some((c) => 'alpha' in c && c.alpha === true),
    })),
    quorum: vs.quorum,
    hysteresis: vs.hysteresis,
    ...(vs.quorumUp === undefined ? {} : { quorumUp: vs.quorumUp.argv }),
    ...(vs.quorumDown === undefined ? {} : { quorumDown: vs.quorumDown.argv }),
    ...(sorry === undefined
      ? {}
      : {
          sorryServer: {
            id: sorryServerKey(vs, { address: sorry.address, port: sorry.port ?? 0 }),
            weight: vs.weight,
            inhibit: vs.sorryServerInhibit,
          },
        }),
    omega: vs.omega,
    haSuspend: vs.haSuspend,
  };
  return { config, errors };
}
