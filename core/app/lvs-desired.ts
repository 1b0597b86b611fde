/**
 * keepalived.conf virtual servers -> pool-rule configs (core/lb/rules.ts) and, from the pools' current
 * state, the desired LB table handed to the planner. A virtual server is known by its key (`TCP
 * 10.0.0.1:80`, `FWM 21`, `group NAME`), stable across reloads as keepalived matches them; real-server
 * ids are `<vs key>/<addr>:<port>`, shared by the health engine, the pool rules and the table.
 */
import type { Config, RealServer, VirtualServer } from '../model/index.ts';
import type { Outcome } from '../model/index.ts';
import type {
  LbCapabilities,
  LbDestination,
  LbFamily,
  LbOp,
  LbService,
  LbServiceKey,
  LbTable,
} from '../ports/index.ts';
import { planLb } from '../lb/plan.ts';
import { desiredPool, initialPool, stepPool, type DesiredPool, type PoolConfig } from '../lb/rules.ts';

/** What the LVS side reads of a real server once its checkers run: destinations and notify scripts. */
export type LvsRealServer = Pick<
  RealServer,
  'address' | 'port' | 'weight' | 'uthreshold' | 'lthreshold' | 'forwarding' | 'notifyUp' | 'notifyDown'
>;
export type LvsVirtualServer = Omit<VirtualServer, 'realServers'> & {
  readonly realServers: readonly LvsRealServer[];
};
/**
 * The part of a configuration the LVS side keeps between reloads (desiredTable, lvs-effects.ts). A whole
 * Config is one; lvsView makes a smaller one.
 */
export interface LvsConfig {
  readonly globalDefs: Pick<Config['globalDefs'], 'lvsTimeouts' | 'scriptUser'>;
  readonly virtualServers: readonly LvsVirtualServer[];
}

function lvsRealServer(rs: RealServer): LvsRealServer {
  const { address, port, weight, uthreshold, lthreshold, forwarding, notifyUp, notifyDown } = rs;
  // One literal shape for the usual real server without notify scripts (its fields in the object).
  return notifyUp === undefined && notifyDown === undefined
    ? { address, port, weight, uthreshold, lthreshold, forwarding }
    : { address, port, weight, uthreshold, lthreshold, forwarding, notifyUp, notifyDown };
}

/**
 * What the LVS side keeps of `config` once its checkers run: each real server without its checkers and
 * the other fields only they read. At 10,000 real servers the parsed real servers and their checkers
 * held ~3 MB of the agent's heap for as long as the configuration ran (bench/checker/rss.bench.ts).
 */
export function lvsView(config: Config): LvsConfig {
  const { lvsTimeouts, scriptUser } = config.globalDefs;
  return {
    globalDefs: { lvsTimeouts, scriptUser },
    virtualServers: config.virtualServers.map((vs) => ({
      ...vs,
      realServers: vs.realServers.map(lvsRealServer),
    })),
  };
}

const familyOf = (addr: string): LbFamily => (addr.includes(':') ? 'inet6' : 'inet');
const forwardingOf = (m: 'NAT' | 'DR' | 'TUN'): LbDestination['forwarding'] =>
  m === 'NAT' ? 'nat' : m === 'DR' ? 'dr' : 'tun';

/** How a virtual server is matched across reloads. */
export function vsKey(vs: Pick<VirtualServer, 'protocol' | 'service'>): string {
  const s = vs.service;
  if (s.kind === 'address') return `${vs.protocol} ${s.address}:${s.port}`;
  if (s.kind === 'fwmark') return `FWM ${s.fwmark}`;
  return `${vs.protocol} group ${s.group}`;
}

export const rsId = (vs: string, rs: { address: string; port: number }): string =>
  `${vs}/${rs.address}:${rs.port}`;
const sorryId = (vs: string, addr: string, port: number): string => `${vs}/sorry/${addr}:${port}`;

/** IPv4 dotted mask or IPv6 prefix length -> prefix length. */
export function granularityPrefix(text: string | undefined, family: LbFamily): number {
  if (text === undefined) return family === 'inet' ? 32 : 128;
  if (/^\d+$/.test(text)) return Number(text);
  const parts = text.split('.').map(Number);
  const mask = parts.reduce((m, p) => ((m << 8) | (p & 0xff)) >>> 0, 0);
  let bits = 0;
  while (bits < 32 && mask & (0x80000000 >>> bits)) bits++;
  return bits;
}

function ipv4Range(first: string, last: string): string[] {
  const n = (a: string): number => a.split('.').reduce((v, p) => v * 256 + Number(p), 0);
  const s = (v: number): string => [24, 16, 8, 0].map((sh) => Math.floor(v / 2 ** sh) % 256).join('.');
  const out: string[] = [];
  for (let v = n(first); v <= n(last) && out.length < 65536; v++) out.push(s(v));
  return out;
}

/** The IPVS service keys one virtual server programs (a virtual_server_group expands to its entries). */
export function serviceKeys(config: Config, vs: VirtualServer): LbServiceKey[] {
  const protocol = vs.protocol.toLowerCase() as 'tcp' | 'udp' | 'sctp';
  const s = vs.service;
  if (s.kind === 'address')
    return [{ kind: 'addr', family: familyOf(s.address), protocol, addr: s.address, port: s.port }];
  if (s.kind === 'fwmark') return [{ kind: 'fwmark', family: vs.ipFamily ?? 'inet', fwmark: s.fwmark }];
  const group = config.virtualServerGroups[s.group];
  if (!group) return [];
  return group.entries.flatMap((e): LbServiceKey[] => {
    if (e.kind === 'fwmark') return [{ kind: 'fwmark', family: e.ipFamily ?? 'inet', fwmark: e.fwmark }];
    const addrs =
      e.rangeEnd && familyOf(e.address) === 'inet' ? ipv4Range(e.address, e.rangeEnd) : [e.address];
    return addrs.map((addr) => ({ kind: 'addr', family: familyOf(addr), protocol, addr, port: e.port }));
  });
}

export function poolConfig(config: Config, vs: VirtualServer): PoolConfig {
  const key = vsKey(vs);
  const sorry = vs.sorryServer;
  return {
    services: serviceKeys(config, vs),
    servers: vs.realServers.map((rs) => ({
      id: rsId(key, rs),
      weight: rs.weight,
      inhibit: rs.inhibitOnFailure,
      alpha: rs.alpha ?? vs.alpha,
    })),
    quorum: vs.quorum,
    hysteresis: vs.hysteresis,
    ...(vs.quorumUp ? { quorumUp: vs.quorumUp.argv } : {}),
    ...(vs.quorumDown ? { quorumDown: vs.quorumDown.argv } : {}),
    ...(sorry
      ? {
          sorryServer: {
            id: sorryId(key, sorry.address, sorry.port ?? portOf(vs)),
            weight: 1,
            inhibit: vs.sorryServerInhibit,
          },
        }
      : {}),
    omega: vs.omega,
    haSuspend: vs.haSuspend,
  };
}

const portOf = (vs: Pick<VirtualServer, 'service'>): number =>
  vs.service.kind === 'address' ? vs.service.port : 0;

function destination(
  vs: LvsVirtualServer,
  rs: Pick<RealServer, 'address' | 'port' | 'uthreshold' | 'lthreshold'> & {
    forwarding: VirtualServer['forwarding'];
  },
  weight: number,
): LbDestination {
  const f = rs.forwarding;
  return {
    addr: rs.address,
    port: rs.port,
    family: familyOf(rs.address),
    forwarding: forwardingOf(f.method),
    weight,
    uThreshold: rs.uthreshold,
    lThreshold: rs.lthreshold,
    tunnel:
      f.method === 'TUN' && (f.tunnelType || f.tunnelPort || f.tunnelChecksum)
        ? { type: f.tunnelType ?? 'ipip', port: f.tunnelPort ?? 0, csum: f.tunnelChecksum ?? 'nocsum' }
        : null,
  };
}

/**
 * The services of one virtual server holding the pool's destinations, in config order. Each destination
 * object is made once, at its pool weight (a service beyond the first, of a virtual_server_group, gets
 * copies): a reconcile of 10,000 real servers made three objects per real server before.
 */
export function servicesFor(vs: LvsVirtualServer, pool: DesiredPool): LbService[] {
  const key = vsKey(vs);
  type Source = Parameters<typeof destination>[1];
  const byId = new Map<string, Source>();
  for (const rs of vs.realServers) byId.set(rsId(key, rs), rs);
  const sorry = vs.sorryServer;
  if (sorry) {
    const port = sorry.port ?? portOf(vs);
    const forwarding = vs.sorryServerForwarding ?? vs.forwarding;
    byId.set(sorryId(key, sorry.address, port), {
      address: sorry.address,
      port,
      uthreshold: 0,
      lthreshold: 0,
      forwarding,
    });
  }
  const destinations: LbDestination[] = [];
  for (const [id, weight] of pool.destinations) {
    const source = byId.get(id);
    if (source) destinations.push(destination(vs, source, weight));
  }
  return pool.services.map((key, i) => ({
    key,
    scheduler: vs.lvsSched,
    flags: { ...vs.schedulerFlags },
    onePacket: vs.ops,
    persistence:
      vs.persistenceTimeout === undefined
        ? null
        : {
            timeout: vs.persistenceTimeout,
            prefix: granularityPrefix(vs.persistenceGranularity, key.family),
            engine: vs.persistenceEngine ?? null,
          },
    destinations: i === 0 ? destinations : destinations.map((d) => ({ ...d })),
  }));
}

/** The whole desired table from every pool, plus lvs_timeouts when the config sets them. */
export function desiredTable(config: LvsConfig, pools: readonly DesiredPool[]): LbTable {
  const services = config.virtualServers.flatMap((vs, i) => {
    const pool = pools[i];
    return pool ? servicesFor(vs, pool) : [];
  });
  const t = config.globalDefs.lvsTimeouts;
  return t
    ? { services, timeouts: { tcp: t.tcp ?? 0, tcpFin: t.tcpfin ?? 0, udp: t.udp ?? 0 } }
    : { services };
}

/**
 * The table a config programs at start, before any check has run: every pool started with its address
 * present (real servers alive unless alpha), as the agent's first reconcile plans it. `floatip lvs-table`.
 */
export function startTable(config: Config): LbTable {
  const pools = config.virtualServers.map((vs) =>
    desiredPool(stepPool(initialPool(poolConfig(config, vs)), { kind: 'start', addressPresent: true }).state),
  );
  return desiredTable(config, pools);
}

/**
 * The operations that install `table` on an empty data plane with these capabilities (`floatip lvs-table
 * --nft` previews them), or why that data plane refuses the table.
 */
export function installPlan(table: LbTable, caps: LbCapabilities, plane: string): Outcome<LbOp[]> {
  return planLb(table, { services: [] }, caps, plane);
}
