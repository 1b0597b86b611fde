/**
 * LB table -> one nftables transaction (`nft -f -` input) for floatip's own table. Pure text generation.
 *
 * Layout, per virtual service (NAT only, IPv4):
 *   prerouting/output (nat hooks):  ip daddr . meta l4proto . th dport vmap @services
 *                                   meta mark vmap @marks                  (fwmark services)
 *   @services / @marks element:     VIP . tcp . P : jump vs_<svc>  /  MARK : jump vs_fwm_<mark>
 *   vs_<svc>:   persistence first:  ip saddr & MASK @p_<svc>__<rs>  goto rs_<svc>__<rs>   (one per real server)
 *               then the scheduler: numgen inc mod N vmap { slot : goto rs_... }   (rr, wrr)
 *                                   jhash ip saddr [. sport] mod 256|4093 seed S vmap {...} (sh, mh; dh on ip daddr)
 *   rs_<svc>__<rs>:  update @p_... { ip saddr & MASK }  (persistent services) ; dnat to RIP:PORT
 * Only a connection's first packet reaches nat chains; conntrack carries the rest, as IPVS's connection
 * table does.
 *
 * lvs_timeouts (IPVS's tcp / tcpfin / udp connection timeouts): conntrack `ct timeout` objects named by
 * their values (lvs_tcp_<established>_<fin_wait>, lvs_udp_<seconds>), attached to each address service's
 * new connections in mangle-priority chains (ct_timeouts on prerouting, ct_timeouts_out on output): after
 * conntrack has made the entry (the kernel only attaches a timeout to an unconfirmed entry, so a raw-hook
 * rule matches and does nothing) and before DNAT rewrites the VIP. Those chains are refilled on every
 * apply (one rule per service); new values add objects with the new names and delete the old ones in the
 * same transaction. tcp sets ESTABLISHED, tcpfin FIN_WAIT, udp both UDP states (IPVS has one UDP
 * timeout). Differences from IPVS: fwmark services keep conntrack's defaults (their mark may be set by
 * rules this table does not order against), and conntrack's other TCP states (TIME_WAIT, CLOSE_WAIT, ...)
 * keep theirs.
 *
 * Counters (`status --lvs --stats`): three named counters per real server: cn_* counts connections (a
 * rule in its rs_ chain, which only a connection's first packet reaches), ci_* / co_* count packets and
 * bytes in each direction on the forward hook: lvs_stats sends a connection by its original destination
 * address (`@stats`) to that VIP's st_<vip> chain, which looks the conntrack tuple up (per transport
 * protocol: original destination port, reply source address and port) in the VIP's sm_<vip>_<proto> map,
 * whose element for each real server jumps to its own sd_ chain of two counting rules. A real server that
 * comes or goes adds or deletes its element and chain; nothing else is touched. A service's counters
 * are the sum of its real servers'; those of a real server that stays survive every apply. Differences from
 * IPVS: traffic of local clients (output hook) and of fwmark services is counted in connections only.
 *
 * Transaction: the first apply (nothing known about the table) deletes and recreates the table. After
 * that only what changed is touched: a new service gets its chains, sets and @services element; a gone
 * one loses them; a changed one has its vs_ chain refilled and the objects of the real servers that come
 * or go added or deleted (see changeService). Untouched services and real servers, and the named
 * persistence sets of every real server that stays, keep their state, so a health change costs one
 * real server's objects and its service's vs_ rules whatever the size of the table.
 */
import type { LbDestination, LbFamily, LbService, LbServiceKey, LbTable } from '../../../core/ports/index.ts';
import { formatIpv6 } from '../../../core/model/index.ts';
import { slotMap } from './schedule-map.ts';

export interface RenderOptions {
  /** nftables table name; IPv4 services live in `ip NAME`, IPv6 ones in `ip6 NAME`. */
  table: string;
  /** The table installed before, or null when unknown (then the table is recreated). */
  previous: LbTable | null;
  /** jhash seed, fixed so a re-render keeps clients in their buckets. */
  seed: number;
  /** lvs_timeouts of the table being rendered (set by renderRuleset). */
  timeouts?: LbTable['timeouts'];
}

const tag = (text: string): string => text.replace(/[^A-Za-z0-9]/g, '_');

function serviceTag(key: LbServiceKey): string {
  return key.kind === 'fwmark' ? `fwm_${key.fwmark}` : tag(`${key.protocol}_${key.addr}_${key.port}`);
}
const destTag = (d: LbDestination): string => tag(`${d.addr}_${d.port}`);

// Names of a real server's objects from its service's tag (`st`) and its own (`dt`). A render computes
// each tag once per service and once per real server and loop, not once per name: at 10,000 real
// servers the names were ~40 MB of short-lived strings per full render (bench/checker/rss.bench.ts).
const rsChainOf = (st: string, dt: string): string => `rs_${st}__${dt}`;
const countersOf = (st: string, dt: string): { conns: string; in: string; out: string } => {
  const id = `${st}__${dt}`;
  return { conns: `cn_${id}`, in: `ci_${id}`, out: `co_${id}` };
};
const persistSetOf = (svc: LbService, st: string, dt: string): string | null =>
  svc.persistence ? `p_${st}__${dt}_${svc.persistence.timeout}_${svc.persistence.prefix}` : null;

export const vsChain = (svc: LbService): string => `vs_${serviceTag(svc.key)}`;
/** Names of a real server's counters: connections, packets/bytes in, packets/bytes out. */
export const destCounters = (svc: LbService, d: LbDestination): { conns: string; in: string; out: string } =>
  countersOf(serviceTag(svc.key), destTag(d));
export const rsChain = (svc: LbService, d: LbDestination): string =>
  rsChainOf(serviceTag(svc.key), destTag(d));
/** Persistence parameters are in the name, so a change makes a new (empty) set instead of an edit. */
export const persistSet = (svc: LbService, d: LbDestination): string | null =>
  svc.persistence ? persistSetOf(svc, serviceTag(svc.key), destTag(d)) : null;

/** nftables words for a service's address family. */
const fam = (f: LbFamily): { ip: 'ip' | 'ip6'; addrType: string } =>
  f === 'inet' ? { ip: 'ip', addrType: 'ipv4_addr' } : { ip: 'ip6', addrType: 'ipv6_addr' };

function maskText(prefix: number, family: LbFamily): string {
  if (family === 'inet6') {
    const b = new Uint8Array(16);
    for (let i = 0; i < 16; i++)
      b[i] = prefix >= (i + 1) * 8 ? 0xff : prefix <= i * 8 ? 0 : (0xff << (8 - (prefix - i * 8))) & 0xff;
    return formatIpv6(b);
  }
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 0xff).join('.');
}

const dnatTarget = (d: LbDestination): string =>
  d.family === 'inet6'
    ? d.port === 0
      ? d.addr
      : `[${d.addr}]:${d.port}`
    : d.port === 0
      ? d.addr
      : `${d.addr}:${d.port}`;

/** `0-2 : goto a, 3 : drop, ...` with consecutive equal slots folded into intervals. */
function vmapElements(slots: Array<number | null>, target: (i: number) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < slots.length;) {
    let j = i;
    while (j + 1 < slots.length && slots[j + 1] === slots[i]) j++;
    const slot = slots[i];
    const verdict = slot === null || slot === undefined ? 'drop' : `goto ${target(slot)}`;
    parts.push(`${i === j ? i : `${i}-${j}`} : ${verdict}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function schedulerRule(svc: LbService, st: string, seed: number): string | null {
  const map = slotMap(svc);
  if (!map) throw new Error(`scheduler "${svc.scheduler}" has no nftables form`);
  if (map.slots.every((s) => s === null)) return null; // no destination: traffic goes on as if unbalanced
  const elements = vmapElements(map.slots, (i) =>
    rsChainOf(st, destTag(svc.destinations[i] as LbDestination)),
  );
  if (map.source === 'numgen') return `numgen inc mod ${map.slots.length} vmap { ${elements} }`;
  const proto = svc.key.kind === 'addr' ? svc.key.protocol : 'th';
  const ip = fam(svc.key.family).ip;
  const hashed =
    svc.scheduler === 'dh' ? `${ip} daddr` : svc.flags.flag2 ? `${ip} saddr . ${proto} sport` : `${ip} saddr`;
  return `jhash ${hashed} mod ${map.slots.length} seed 0x${seed.toString(16)} vmap { ${elements} }`;
}

const sameService = (a: LbService, b: LbService): boolean =>
  JSON.stringify([a.scheduler, a.flags, a.onePacket, a.persistence, a.destinations.map(destSettings)]) ===
  JSON.stringify([b.scheduler, b.flags, b.onePacket, b.persistence, b.destinations.map(destSettings)]);
const destSettings = (d: LbDestination): unknown[] => [d.addr, d.port, d.forwarding, d.weight];

/** The service's entry: `@services` by address, protocol and port, or `@marks` by firewall mark. */
function entry(svc: LbService): { map: 'services' | 'marks'; key: string } {
  if (svc.key.kind === 'fwmark') return { map: 'marks', key: String(svc.key.fwmark) };
  return { map: 'services', key: `${svc.key.addr} . ${svc.key.protocol} . ${svc.key.port}` };
}

/** Rules of a service's chains (the chains and sets exist already). */
function* serviceRules(t: string, svc: LbService, seed: number): Generator<string> {
  // A fwmark service covers every protocol its mark does: dnat needs a transport match for a port.
  const l4 = svc.key.kind === 'addr' ? svc.key.protocol : '{ tcp, udp, sctp }';
  const { ip } = fam(svc.key.family);
  const client = svc.persistence ? `${ip} saddr & ${maskText(svc.persistence.prefix, svc.key.family)}` : '';
  const st = serviceTag(svc.key);
  yield* vsRules(t, svc, st, client, seed);
  for (const d of svc.destinations) yield* rsRules(t, svc, st, destTag(d), d, ip, l4, client);
}

/** The vs_ chain's rules: persistence lookups first, then the scheduler's map. */
function* vsRules(t: string, svc: LbService, st: string, client: string, seed: number): Generator<string> {
  const vs = `vs_${st}`;
  if (svc.persistence)
    for (const d of svc.destinations) {
      const dt = destTag(d);
      yield `add rule ${t} ${vs} ${client} @${persistSetOf(svc, st, dt)} goto ${rsChainOf(st, dt)}`;
    }
  const sched = schedulerRule(svc, st, seed);
  if (sched) yield `add rule ${t} ${vs} ${sched}`;
}

/** One real server's rs_ chain rules: remember the client (persistence), count, DNAT. */
function* rsRules(
  t: string,
  svc: LbService,
  st: string,
  dt: string,
  d: LbDestination,
  ip: 'ip' | 'ip6',
  l4: string,
  client: string,
): Generator<string> {
  const rs = rsChainOf(st, dt);
  const set = persistSetOf(svc, st, dt);
  if (set) yield `add rule ${t} ${rs} update @${set} { ${client} }`;
  yield `add rule ${t} ${rs} counter name "${countersOf(st, dt).conns}"`;
  yield d.port === 0
    ? `add rule ${t} ${rs} dnat ${ip} to ${dnatTarget(d)}`
    : `add rule ${t} ${rs} meta l4proto ${l4} dnat ${ip} to ${dnatTarget(d)}`;
}

/** `add chain` / `add set` for the named objects of a service (no-ops for those that exist). */
function* serviceObjects(t: string, svc: LbService): Generator<string> {
  const st = serviceTag(svc.key);
  yield `add chain ${t} vs_${st}`;
  for (const d of svc.destinations) {
    const dt = destTag(d);
    yield `add chain ${t} ${rsChainOf(st, dt)}`;
    const c = countersOf(st, dt);
    yield* [`add counter ${t} ${c.conns}`, `add counter ${t} ${c.in}`, `add counter ${t} ${c.out}`];
    const set = persistSetOf(svc, st, dt);
    if (set && svc.persistence) {
      yield `add set ${t} ${set} { type ${fam(svc.key.family).addrType}; flags dynamic,timeout; timeout ${svc.persistence.timeout}s; }`;
    }
  }
}

function* addService(t: string, svc: LbService, seed: number): Generator<string> {
  yield* serviceObjects(t, svc);
  yield* serviceRules(t, svc, seed);
  yield `add element ${t} ${entry(svc).map} { ${entry(svc).key} : jump ${vsChain(svc)} }`;
}

/** A leaving real server's rs_ chain (emptied before) and counters (its counting chain went before). */
function* dropDest(t: string, st: string, dt: string): Generator<string> {
  const c = countersOf(st, dt);
  yield `delete chain ${t} ${rsChainOf(st, dt)}`;
  yield* [`delete counter ${t} ${c.conns}`, `delete counter ${t} ${c.in}`, `delete counter ${t} ${c.out}`];
}

/** A removed service's objects: its chains emptied first (rules reference the chains and sets), then deleted. */
function* dropObjects(t: string, old: LbService): Generator<string> {
  const st = serviceTag(old.key);
  yield `flush chain ${t} vs_${st}`;
  for (const d of old.destinations) yield `flush chain ${t} ${rsChainOf(st, destTag(d))}`;
  for (const d of old.destinations) yield* dropDest(t, st, destTag(d));
  yield `delete chain ${t} vs_${st}`;
  if (old.persistence)
    for (const d of old.destinations) yield `delete set ${t} ${persistSetOf(old, st, destTag(d))}`;
}

const serviceKeyId = (svc: LbService): string => `${entry(svc).map} ${entry(svc).key}`;

const destKey = (d: LbDestination): string => `${d.addr} ${d.port}`;
/**
 * A service whose settings changed (same key): its vs_ chain is refilled (scheduler map, persistence
 * lookups); a real server that stays keeps its rs_ chain, counters and persistence set untouched unless the
 * persistence parameters changed (its rs_ rules name the set); one that leaves loses them; one that comes
 * gets them. A weight change of one real server among 10,000 is thus one rule, not the service's 40,000
 * lines (test/adapters/onprem/nft/render-diff.test.ts).
 */
function* changeService(t: string, old: LbService, svc: LbService, seed: number): Generator<string> {
  const st = serviceTag(svc.key);
  const samePersistence = JSON.stringify(old.persistence) === JSON.stringify(svc.persistence);
  const stays = new Set(svc.destinations.map(destKey));
  const had = new Set(old.destinations.map(destKey));
  yield `flush chain ${t} vs_${st}`;
  for (const d of old.destinations)
    if (!samePersistence || !stays.has(destKey(d))) yield `flush chain ${t} ${rsChainOf(st, destTag(d))}`;
  for (const d of old.destinations) if (!stays.has(destKey(d))) yield* dropDest(t, st, destTag(d));
  if (old.persistence)
    for (const d of old.destinations)
      if (!samePersistence || !stays.has(destKey(d)))
        yield `delete set ${t} ${persistSetOf(old, st, destTag(d))}`;
  // Objects of the real servers that come (and new persistence sets), then the rules.
  const fresh = samePersistence ? svc.destinations.filter((d) => !had.has(destKey(d))) : svc.destinations;
  const l4 = svc.key.kind === 'addr' ? svc.key.protocol : '{ tcp, udp, sctp }';
  const { ip } = fam(svc.key.family);
  const client = svc.persistence ? `${ip} saddr & ${maskText(svc.persistence.prefix, svc.key.family)}` : '';
  for (const d of fresh) {
    const dt = destTag(d);
    if (!had.has(destKey(d))) {
      yield `add chain ${t} ${rsChainOf(st, dt)}`;
      const c = countersOf(st, dt);
      yield* [`add counter ${t} ${c.conns}`, `add counter ${t} ${c.in}`, `add counter ${t} ${c.out}`];
    }
    const set = persistSetOf(svc, st, dt);
    if (set && svc.persistence)
      yield `add set ${t} ${set} { type ${fam(svc.key.family).addrType}; flags dynamic,timeout; timeout ${svc.persistence.timeout}s; }`;
  }
  yield* vsRules(t, svc, st, client, seed);
  for (const d of fresh) yield* rsRules(t, svc, st, destTag(d), d, ip, l4, client);
}

/** One family's part of the transaction (its own table), line by line. */
function* renderFamily(
  family: LbFamily,
  next: LbService[],
  previous: LbService[] | null,
  opts: RenderOptions,
): Generator<string> {
  const { ip, addrType } = fam(family);
  const t = `${ip} ${opts.table}`;
  const timeouts = opts.timeouts ?? null;
  if (previous === null) {
    yield* [
      `add table ${t}`,
      `delete table ${t}`,
      `add table ${t}`,
      `add chain ${t} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
      `add chain ${t} output { type nat hook output priority -100; policy accept; }`,
      `add map ${t} services { type ${addrType} . inet_proto . inet_service : verdict; }`,
      `add map ${t} marks { type mark : verdict; }`,
      `add rule ${t} prerouting ${ip} daddr . meta l4proto . th dport vmap @services`,
      `add rule ${t} prerouting meta mark vmap @marks`,
      `add rule ${t} output ${ip} daddr . meta l4proto . th dport vmap @services`,
      `add rule ${t} output meta mark vmap @marks`,
      `add chain ${t} ct_timeouts { type filter hook prerouting priority mangle; policy accept; }`,
      `add chain ${t} ct_timeouts_out { type filter hook output priority mangle; policy accept; }`,
      `add map ${t} stats { type ${addrType} : verdict; }`,
      `add chain ${t} lvs_stats { type filter hook forward priority filter; policy accept; }`,
      `add rule ${t} lvs_stats ct original ${ip} daddr vmap @stats`,
    ];
    for (const svc of next) yield* addService(t, svc, opts.seed);
    yield* statsAdd(t, family, next, []);
    yield* timeoutLines(t, family, next, timeouts, null);
    return;
  }
  const before = new Map(previous.map((s) => [serviceKeyId(s), s]));
  const after = new Set(next.map(serviceKeyId));
  // The counting chains of leaving real servers go first: their rules name counters deleted below.
  yield* statsDrop(t, next, previous);
  for (const old of previous) {
    if (after.has(serviceKeyId(old))) continue;
    yield `delete element ${t} ${entry(old).map} { ${entry(old).key} }`;
    yield* dropObjects(t, old);
  }
  for (const svc of next) {
    const old = before.get(serviceKeyId(svc));
    if (!old) yield* addService(t, svc, opts.seed);
    else if (!sameService(old, svc)) yield* changeService(t, old, svc, opts.seed);
  }
  yield* statsAdd(t, family, next, previous);
  yield* timeoutLines(t, family, next, timeouts, opts.previous?.timeouts ?? null);
}

const vipsOf = (services: LbService[]): Set<string> =>
  new Set(services.flatMap((svc) => (svc.key.kind === 'addr' ? [svc.key.addr] : [])));
const statsChain = (vip: string): string => `st_${tag(vip)}`;
const STATS_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
/** A VIP's map for one transport protocol: service port . real server . its port -> jump sd_... */
const statsMap = (vip: string, protocol: string): string => `sm_${tag(vip)}_${protocol}`;

/** One real server of an address service, as the counting part sees it. */
interface Counted {
  element: string;
  map: string;
  chain: string;
  conns: { in: string; out: string };
}

/**
 * The counted real servers of address services, produced as they are read (a first render of 10,000 real
 * servers never holds them all). The element key is the connection's original destination port, the
 * reply's source address and port: a real server of port 0 (DNAT to the address alone) answers from the
 * service's port.
 */
function* counted(services: LbService[]): Generator<Counted> {
  for (const svc of services) {
    const k = svc.key;
    if (k.kind !== 'addr') continue;
    const st = serviceTag(k);
    const map = statsMap(k.addr, k.protocol);
    for (const d of svc.destinations) {
      const dt = destTag(d);
      const c = countersOf(st, dt);
      yield {
        element: `${k.port} . ${d.addr} . ${d.port === 0 ? k.port : d.port}`,
        map,
        chain: `sd_${st}__${dt}`,
        conns: { in: c.in, out: c.out },
      };
    }
  }
}
/** The sd_ chain names (unique per service and real server) of `services`. */
const countedChains = (services: LbService[]): Set<string> => {
  const out = new Set<string>();
  for (const c of counted(services)) out.add(c.chain);
  return out;
};

/**
 * Counting (lvs_stats): each VIP has an st_ chain with one rule per transport protocol, a lookup of the
 * connection's tuple in that protocol's map, whose elements jump to a chain of each real server's own
 * (sd_: its two counting rules). A real server that comes or goes is an element and a chain; nobody
 * else's rules are touched, and a forwarded packet costs one lookup, not two rules per real server of
 * the VIP (test/adapters/onprem/nft/render-diff.test.ts; counts through a real kernel in
 * test/netns/lvs/nft-stats.test.ts).
 */
function* statsDrop(t: string, next: LbService[], previous: LbService[]): Generator<string> {
  const stays = countedChains(next);
  for (const c of counted(previous)) {
    if (stays.has(c.chain)) continue;
    yield* [
      `delete element ${t} ${c.map} { ${c.element} }`,
      `flush chain ${t} ${c.chain}`,
      `delete chain ${t} ${c.chain}`,
    ];
  }
  const has = vipsOf(next);
  for (const vip of vipsOf(previous)) {
    if (has.has(vip)) continue;
    yield* [`delete element ${t} stats { ${vip} }`, `flush chain ${t} ${statsChain(vip)}`];
    for (const p of STATS_PROTOCOLS) yield `delete map ${t} ${statsMap(vip, p)}`;
    yield `delete chain ${t} ${statsChain(vip)}`;
  }
}

function* statsAdd(t: string, family: LbFamily, next: LbService[], previous: LbService[]): Generator<string> {
  const { ip, addrType } = fam(family);
  const had = vipsOf(previous);
  for (const vip of vipsOf(next)) {
    if (had.has(vip)) continue;
    const st = statsChain(vip);
    yield `add chain ${t} ${st}`;
    for (const p of STATS_PROTOCOLS) {
      yield `add map ${t} ${statsMap(vip, p)} { type inet_service . ${addrType} . inet_service : verdict; }`;
      yield `add rule ${t} ${st} ct original protocol ${p} ct original proto-dst . ct reply ${ip} saddr . ct reply proto-src vmap @${statsMap(vip, p)}`;
    }
    yield `add element ${t} stats { ${vip} : jump ${st} }`;
  }
  const before = countedChains(previous);
  for (const c of counted(next)) {
    if (before.has(c.chain)) continue;
    yield* [
      `add chain ${t} ${c.chain}`,
      `add rule ${t} ${c.chain} ct direction original counter name "${c.conns.in}"`,
      `add rule ${t} ${c.chain} ct direction reply counter name "${c.conns.out}"`,
      `add element ${t} ${c.map} { ${c.element} : jump ${c.chain} }`,
    ];
  }
}

type Timeouts = NonNullable<LbTable['timeouts']>;
const timeoutNames = (to: Timeouts): { tcp: string; udp: string } => ({
  tcp: `lvs_tcp_${to.tcp}_${to.tcpFin}`,
  udp: `lvs_udp_${to.udp}`,
});

/** lvs_timeouts: the ct timeout objects and the raw-hook rules attaching them (see the header). */
function timeoutLines(
  t: string,
  family: LbFamily,
  services: LbService[],
  next: Timeouts | null,
  before: Timeouts | null,
): string[] {
  if (next === null && before === null) return [];
  const lines = ['flush chain ' + t + ' ct_timeouts', 'flush chain ' + t + ' ct_timeouts_out'];
  const l3 = family === 'inet' ? 'ip' : 'ip6';
  const changed = JSON.stringify(next) !== JSON.stringify(before);
  if (next && changed) {
    const n = timeoutNames(next);
    lines.push(
      `add ct timeout ${t} ${n.tcp} { protocol tcp; l3proto ${l3}; policy = { established: ${next.tcp}, fin_wait: ${next.tcpFin} }; }`,
      `add ct timeout ${t} ${n.udp} { protocol udp; l3proto ${l3}; policy = { unreplied: ${next.udp}, replied: ${next.udp} }; }`,
    );
  }
  if (next) {
    const n = timeoutNames(next);
    for (const svc of services) {
      const k = svc.key;
      if (k.kind !== 'addr' || k.protocol === 'sctp') continue;
      const match = `${fam(k.family).ip} daddr ${k.addr} ${k.protocol} dport ${k.port}`;
      const obj = k.protocol === 'tcp' ? n.tcp : n.udp;
      for (const chain of ['ct_timeouts', 'ct_timeouts_out'])
        lines.push(`add rule ${t} ${chain} ${match} counter ct timeout set "${obj}"`);
    }
  }
  if (before && changed) {
    const o = timeoutNames(before);
    lines.push(`delete ct timeout ${t} ${o.tcp}`, `delete ct timeout ${t} ${o.udp}`);
  }
  return lines;
}

/**
 * The whole transaction, line by line (without newlines), as it is read: IPv4 services in `ip NAME`,
 * IPv6 ones in `ip6 NAME`, one transaction. The apply writes it to `nft -f -` in chunks, so a first
 * apply of 10,000 real servers never holds its 80,000 lines at once (bench/checker/rss.bench.ts).
 * Throws, while being read, when a service cannot be expressed (callers check capabilities first).
 */
export function* rulesetLines(next: LbTable, opts: RenderOptions): Generator<string> {
  const of = (t: LbTable | null, f: LbFamily): LbService[] | null =>
    t === null ? null : t.services.filter((s) => s.key.family === f);
  const withTimeouts = { ...opts, timeouts: next.timeouts };
  let any = false;
  for (const family of ['inet', 'inet6'] as const) {
    for (const line of renderFamily(
      family,
      of(next, family) ?? [],
      of(opts.previous, family),
      withTimeouts,
    )) {
      any = true;
      yield line;
    }
  }
  if (!any) yield `add table ip ${opts.table}`; // nothing changed: an empty, valid transaction
}

/** The whole transaction text (rulesetLines joined). */
export function renderRuleset(next: LbTable, opts: RenderOptions): string {
  return [...rulesetLines(next, opts)].join('\n') + '\n';
}
