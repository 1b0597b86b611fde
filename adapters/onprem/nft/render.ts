/**
 * LB table -> one nftables transaction (`nft -f -` input) for floatip's own table. Pure text generation.
 *
 * Layout, per virtual service (NAT only, IPv4):
 *   prerouting/output (nat hooks):  ip daddr VIP tcp dport P jump vs_<svc>
 *   vs_<svc>:   persistence first:  ip saddr & MASK @p_<svc>__<rs>  goto rs_<svc>__<rs>   (one per real server)
 *               then the scheduler: numgen inc mod N vmap { slot : goto rs_... }   (rr, wrr)
 *                                   jhash ip saddr [. sport] mod 256 seed S vmap {...} (sh; dh on ip daddr)
 *   rs_<svc>__<rs>:  update @p_... { ip saddr & MASK }  (persistent services) ; dnat to RIP:PORT
 * Only a connection's first packet reaches nat chains; conntrack carries the rest, as IPVS's connection
 * table does.
 *
 * Transaction: `flush table` drops every rule but keeps named sets and their elements, so persistence
 * survives a weight or health change; chains and sets that no longer exist are deleted in the same
 * transaction. On the first apply (nothing known about the table), the table is deleted and recreated.
 */
import type { LbDestination, LbService, LbServiceKey, LbTable } from '../../../core/ports/index.ts';
import { HASH_TABLE_SIZE, slotMap } from './schedule-map.ts';

export interface RenderOptions {
  /** nftables table name (family ip). */
  table: string;
  /** The table installed before, or null when unknown (then the table is recreated). */
  previous: LbTable | null;
  /** jhash seed, fixed so a re-render keeps clients in their buckets. */
  seed: number;
}

const tag = (text: string): string => text.replace(/[^A-Za-z0-9]/g, '_');

function serviceTag(key: LbServiceKey): string {
  return key.kind === 'fwmark' ? `fwm_${key.fwmark}` : tag(`${key.protocol}_${key.addr}_${key.port}`);
}
const destTag = (d: LbDestination): string => tag(`${d.addr}_${d.port}`);

export const vsChain = (svc: LbService): string => `vs_${serviceTag(svc.key)}`;
export const rsChain = (svc: LbService, d: LbDestination): string =>
  `rs_${serviceTag(svc.key)}__${destTag(d)}`;
/** Persistence parameters are in the name, so a change makes a new (empty) set instead of an edit. */
export const persistSet = (svc: LbService, d: LbDestination): string | null =>
  svc.persistence
    ? `p_${serviceTag(svc.key)}__${destTag(d)}_${svc.persistence.timeout}_${svc.persistence.prefix}`
    : null;

function maskText(prefix: number): string {
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 0xff).join('.');
}

/** Every named chain and set the table holds for these services. */
export function objectNames(table: LbTable): { chains: Set<string>; sets: Set<string> } {
  const chains = new Set<string>();
  const sets = new Set<string>();
  for (const svc of table.services) {
    chains.add(vsChain(svc));
    for (const d of svc.destinations) {
      chains.add(rsChain(svc, d));
      const s = persistSet(svc, d);
      if (s) sets.add(s);
    }
  }
  return { chains, sets };
}

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

function schedulerRule(svc: LbService, seed: number): string | null {
  const map = slotMap(svc);
  if (!map) throw new Error(`scheduler "${svc.scheduler}" has no nftables form`);
  if (map.slots.every((s) => s === null)) return null; // no destination: traffic goes on as if unbalanced
  const elements = vmapElements(map.slots, (i) => rsChain(svc, svc.destinations[i] as LbDestination));
  if (map.source === 'numgen') return `numgen inc mod ${map.slots.length} vmap { ${elements} }`;
  const proto = svc.key.kind === 'addr' ? svc.key.protocol : 'tcp';
  const hashed =
    svc.scheduler === 'dh' ? 'ip daddr' : svc.flags.flag2 ? `ip saddr . ${proto} sport` : 'ip saddr';
  return `jhash ${hashed} mod ${HASH_TABLE_SIZE} seed 0x${seed.toString(16)} vmap { ${elements} }`;
}

/** The whole transaction text. Throws when a service cannot be expressed (callers check capabilities first). */
export function renderRuleset(next: LbTable, opts: RenderOptions): string {
  const t = `ip ${opts.table}`;
  const lines: string[] = [`add table ${t}`];
  if (opts.previous === null) lines.push(`delete table ${t}`, `add table ${t}`);
  lines.push(`flush table ${t}`);
  if (opts.previous) {
    const before = objectNames(opts.previous);
    const after = objectNames(next);
    for (const c of before.chains) if (!after.chains.has(c)) lines.push(`delete chain ${t} ${c}`);
    for (const s of before.sets) if (!after.sets.has(s)) lines.push(`delete set ${t} ${s}`);
  }
  lines.push(
    `add chain ${t} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    `add chain ${t} output { type nat hook output priority -100; policy accept; }`,
  );
  for (const svc of next.services) {
    lines.push(`add chain ${t} ${vsChain(svc)}`);
    for (const d of svc.destinations) {
      lines.push(`add chain ${t} ${rsChain(svc, d)}`);
      const set = persistSet(svc, d);
      if (set && svc.persistence) {
        lines.push(
          `add set ${t} ${set} { type ipv4_addr; flags dynamic,timeout; timeout ${svc.persistence.timeout}s; }`,
        );
      }
    }
  }
  for (const svc of next.services) {
    if (svc.key.kind !== 'addr') throw new Error('fwmark services have no nftables form here');
    const { addr, port, protocol } = svc.key;
    const match = `ip daddr ${addr} ${protocol} dport ${port}`;
    lines.push(`add rule ${t} prerouting ${match} jump ${vsChain(svc)}`);
    lines.push(`add rule ${t} output ${match} jump ${vsChain(svc)}`);
    const client = svc.persistence ? `ip saddr & ${maskText(svc.persistence.prefix)}` : '';
    for (const d of svc.destinations) {
      const set = persistSet(svc, d);
      if (set) lines.push(`add rule ${t} ${vsChain(svc)} ${client} @${set} goto ${rsChain(svc, d)}`);
    }
    const sched = schedulerRule(svc, opts.seed);
    if (sched) lines.push(`add rule ${t} ${vsChain(svc)} ${sched}`);
    for (const d of svc.destinations) {
      const set = persistSet(svc, d);
      if (set) lines.push(`add rule ${t} ${rsChain(svc, d)} update @${set} { ${client} }`);
      lines.push(`add rule ${t} ${rsChain(svc, d)} meta l4proto ${protocol} dnat to ${d.addr}:${d.port}`);
    }
  }
  return lines.join('\n') + '\n';
}
