/**
 * VirtualLinkManager over rtnetlink (RTM_NEWLINK with IFLA_LINKINFO, RTM_DELLINK, RTM_GETLINK dump) and
 * /proc/sys, doing what keepalived 2.2.7 does for use_vmac / use_ipvlan (vrrp_vmac.c, vrrp_if_config.c):
 *
 * macvlan (VMAC), mode private:
 *   - IPv4 instance, link created or changed: net.ipv4.conf.all.rp_filter is cleared (every interface and
 *     `default` first raised to its old value, so nothing else loses filtering; put back when the last VMAC
 *     goes), and
 *       on the VMAC:  arp_ignore=1 accept_local=1 rp_filter=0 promote_secondaries=1
 *       on the base:  arp_ignore=1 arp_filter=1 (old values put back when its last VMAC goes)
 *   - IPv6 disabled on the link (disable_ipv6=1) unless the instance is IPv6 or has eVIPs of the other
 *     family; no EUI-64 link-local (IFLA_INET6_ADDR_GEN_MODE none); an IPv6 instance that sends from the
 *     VMAC gets its source link-local address on it.
 * ipvlan: mode L2 with flags bridge|private|vepa, disable_ipv6 as above, its address added.
 * Every link is brought up and read back; a mismatch or a failed step throws naming it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { LinkFact, VirtualLinkManager, VirtualLinkSpec } from '../../../core/ports/index.ts';
import { linux } from '../native/index.ts';
import { interfaceIndex } from '../native/socket.ts';
import { formatIp, parseIp } from '../net/ip-address.ts';
import { NetlinkError, RtnetlinkSocket } from './address-manager.ts';
import {
  decodeLink,
  encodeAddrGenModeNone,
  encodeDelLink,
  encodeLinkUp,
  encodeNewLink,
  rtmLink,
  type DecodedLink,
} from './link-message.ts';
import {
  concat,
  decodeAttributes,
  decodeIfAddrMsg,
  encodeAttribute,
  encodeIfAddrMsg,
  ifa,
  nl,
  rtm,
  scopes,
} from './message.ts';

/** Alias floatip writes on the links it creates, so a later start can find its leftovers. */
export const ALIAS_PREFIX = 'floatip:';

/**
 * Set on the base of an IPv4 VMAC while it exists. arp_ignore=1 and arp_filter=1 are keepalived's: the
 * base must not answer ARP for the VIPs (they live on the VMAC). arp_announce=2 is floatip's addition:
 * replies from a VIP leave through the base (its route comes first), and without it the base's ARP
 * requests for the peer carry the VIP as sender address with the base's MAC, so every neighbour that
 * talks to the VIP re-learns it at the base MAC instead of the virtual one (keepalived 2.2.7 does that;
 * see test/netns/vrrp/keepalived-vmac.test.ts).
 */
const BASE_SYSCTLS: readonly (readonly [string, number])[] = [
  ['arp_ignore', 1],
  ['arp_filter', 1],
  ['arp_announce', 2],
];

export interface LinkManagerOptions {
  /** Root of the sysctl tree (tests may point it elsewhere). */
  procSys?: string;
}

export function openVirtualLinkManager(options: LinkManagerOptions = {}): VirtualLinkManager {
  const rt = new RtnetlinkSocket();
  const root = options.procSys ?? '/proc/sys';
  const path = (tree: 'ipv4' | 'ipv6', dev: string, key: string) => `${root}/net/${tree}/conf/${dev}/${key}`;
  const readSysctl = (tree: 'ipv4' | 'ipv6', dev: string, key: string): number | undefined => {
    try {
      const n = Number(readFileSync(path(tree, dev, key), 'utf8').trim());
      return Number.isInteger(n) ? n : undefined;
    } catch {
      return undefined;
    }
  };
  const writeSysctl = (tree: 'ipv4' | 'ipv6', dev: string, key: string, value: number) => {
    try {
      writeFileSync(path(tree, dev, key), `${value}\n`);
    } catch (e) {
      throw new Error(`cannot set net.${tree}.conf.${dev}.${key}=${value}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const back = readSysctl(tree, dev, key);
    if (back !== value)
      throw new Error(`net.${tree}.conf.${dev}.${key} reads ${back} after writing ${value}`);
  };

  /** Base interfaces whose arp_ignore/arp_filter we changed: old values and how many VMACs need them. */
  const bases = new Map<string, { saved: Map<string, number>; users: number }>();
  /** all.rp_filter cleared by us: the values to put back, and how many VMACs need it cleared. */
  let rp: { all: number; others: Map<string, number> } | undefined;
  let rpUsers = 0;
  /** IPv4 VMACs whose sysctls (base, rp_filter, IGMP) this manager changed and must put back. */
  const holding = new Map<string, { base?: string }>();

  const dumpLinks = async (): Promise<DecodedLink[]> =>
    (await rt.request(rtmLink.GETLINK, nl.NLM_F_DUMP, new Uint8Array(16), 'list interfaces'))
      .filter((m) => m.type === rtmLink.NEWLINK)
      .map((m) => decodeLink(m.body));

  const list = async (): Promise<LinkFact[]> => {
    const links = await dumpLinks();
    const names = new Map(links.map((l) => [l.index, l.name]));
    const addrs = new Map<number, string[]>();
    for (const m of await rt.request(rtm.GETADDR, nl.NLM_F_DUMP, new Uint8Array(8), 'list addresses')) {
      if (m.type !== rtm.NEWADDR) continue;
      const head = decodeIfAddrMsg(m.body);
      for (const a of decodeAttributes(m.body.subarray(8)))
        if (a.type === ifa.LOCAL || (a.type === ifa.ADDRESS && head.family === linux.AF_INET6)) {
          const list = addrs.get(head.ifIndex) ?? [];
          const text = formatIp(a.data);
          if (!list.includes(text)) list.push(text);
          addrs.set(head.ifIndex, list);
        }
    }
    return links.map((l) => {
      const f: LinkFact = { name: l.name, up: l.up, addresses: addrs.get(l.index) ?? [] };
      if (l.kind !== undefined) f.kind = l.kind;
      if (l.macvlanMode !== undefined) f.macvlanMode = l.macvlanMode;
      if (l.ipvlanMode !== undefined) f.ipvlanMode = l.ipvlanMode;
      if (l.ipvlanFlags !== undefined) f.ipvlanFlags = l.ipvlanFlags;
      const base =
        l.lowerIndex !== undefined && l.lowerIndex !== l.index ? names.get(l.lowerIndex) : undefined;
      if (base !== undefined) f.base = base;
      if (l.mac !== undefined) f.mac = l.mac;
      if (l.alias !== undefined) f.alias = l.alias;
      return f;
    });
  };

  /** One request; the error names the step (NetlinkError's message starts with `what`). */
  const step = async (what: string, body: Uint8Array, type: number, flags = 0) => {
    try {
      await rt.request(type, nl.NLM_F_ACK | flags, body, what);
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === 95)
        throw new Error(`${what}: not supported by this kernel (EOPNOTSUPP)`, { cause: e });
      throw e;
    }
  };

  const clearRpFilter = () => {
    rpUsers++;
    stopLocalIgmp();
    if (rpUsers > 1 || rp) return;
    const all = readSysctl('ipv4', 'all', 'rp_filter');
    if (all === undefined || all === 0) return;
    const others = new Map<string, number>();
    for (const dev of readdirSync(`${root}/net/ipv4/conf`)) {
      if (dev === 'all') continue;
      const v = readSysctl('ipv4', dev, 'rp_filter');
      if (v !== undefined && v < all) {
        writeSysctl('ipv4', dev, 'rp_filter', all);
        others.set(dev, v);
      }
    }
    writeSysctl('ipv4', 'all', 'rp_filter', 0);
    rp = { all, others };
  };
  /**
   * Joining 224.0.0.18 on a VMAC makes the kernel send IGMP reports with the virtual MAC, also from a
   * backup: switches then send the VIP's traffic to the backup until the master's next advert. keepalived
   * re-sends them from the base with an nftables rule (or, with disable_local_igmp, stops reports for
   * 224.0.0.0/24, which RFC 4541 §2.1.2 has switches flood anyway); floatip does the latter.
   */
  let igmpSaved: number | undefined;
  const IGMP_LOCAL = `${root}/net/ipv4/igmp_link_local_mcast_reports`;
  const stopLocalIgmp = () => {
    if (igmpSaved !== undefined) return;
    let old: number;
    try {
      old = Number(readFileSync(IGMP_LOCAL, 'utf8').trim());
    } catch {
      return; // kernel before 4.3: no such switch
    }
    if (old === 0) return;
    writeFileSync(IGMP_LOCAL, '0\n');
    igmpSaved = old;
  };
  const restoreLocalIgmp = () => {
    if (igmpSaved === undefined) return;
    writeFileSync(IGMP_LOCAL, `${igmpSaved}\n`);
    igmpSaved = undefined;
  };
  const restoreRpFilter = () => {
    if (rpUsers > 0) rpUsers--;
    if (rpUsers === 0) restoreLocalIgmp();
    if (rpUsers > 0 || !rp) return;
    const saved = rp;
    rp = undefined;
    if (readSysctl('ipv4', 'all', 'rp_filter') === 0) writeSysctl('ipv4', 'all', 'rp_filter', saved.all);
    for (const [dev, v] of saved.others)
      if (readSysctl('ipv4', dev, 'rp_filter') === saved.all) {
        try {
          writeSysctl('ipv4', dev, 'rp_filter', v);
        } catch {
          // the interface went away meanwhile
        }
      }
  };
  const holdBase = (base: string) => {
    const held = bases.get(base);
    if (held) {
      held.users++;
      return;
    }
    const entry = { saved: new Map<string, number>(), users: 1 };
    bases.set(base, entry);
    for (const [key, value] of BASE_SYSCTLS) {
      const old = readSysctl('ipv4', base, key);
      if (old === undefined || old === value) continue;
      writeSysctl('ipv4', base, key, value);
      entry.saved.set(key, old);
    }
  };
  const releaseBase = (base: string) => {
    const held = bases.get(base);
    if (!held || --held.users > 0) return;
    bases.delete(base);
    for (const [key, old] of held.saved) writeSysctl('ipv4', base, key, old);
  };

  const addAddress = async (spec: VirtualLinkSpec, index: number) => {
    const a = spec.address;
    if (!a) return;
    const bytes = parseIp(a.address);
    const v6 = bytes.length === 16;
    const attrs = [encodeAttribute(ifa.LOCAL, bytes), encodeAttribute(ifa.ADDRESS, bytes)];
    if (v6) attrs.push(encodeAttribute(ifa.FLAGS, new Uint8Array([ifa.F_NODAD, 0, 0, 0])));
    if (v6 && spec.kind === 'macvlan') {
      // keepalived adds a VMAC's link-local deprecated (preferred 0, valid forever): adverts and NAs name
      // it as source explicitly, nothing else should pick it (struct ifa_cacheinfo { prefered, valid, ... });
      // compared with keepalived's in test/netns/vrrp/keepalived-vmac-addr.test.ts.
      const ci = new Uint8Array(16);
      const v = new DataView(ci.buffer);
      v.setUint32(0, 0, true);
      v.setUint32(4, 0xffffffff, true);
      attrs.push(encodeAttribute(ifa.CACHEINFO, ci));
    }
    const body = concat([
      encodeIfAddrMsg({
        family: v6 ? linux.AF_INET6 : linux.AF_INET,
        prefixLength: a.prefixLength,
        flags: v6 ? ifa.F_NODAD : 0,
        scope: v6 && a.address.toLowerCase().startsWith('fe80:') ? scopes.link : scopes.global,
        ifIndex: index,
      }),
      ...attrs,
    ]);
    try {
      await rt.request(
        rtm.NEWADDR,
        nl.NLM_F_ACK | nl.NLM_F_CREATE | nl.NLM_F_EXCL,
        body,
        `add ${a.address}/${a.prefixLength} on ${spec.name}`,
      );
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === 17) return;
      throw e;
    }
  };

  const verify = async (spec: VirtualLinkSpec) => {
    const got = (await list()).find((l) => l.name === spec.name);
    const problems: string[] = [];
    if (!got) problems.push('it does not exist');
    else {
      if (got.kind !== spec.kind) problems.push(`kind ${got.kind ?? 'none'}`);
      if (spec.kind === 'macvlan' && got.macvlanMode !== 'private')
        problems.push(`mode ${got.macvlanMode ?? '?'}`);
      if (spec.kind === 'macvlan' && got.mac !== spec.mac) problems.push(`MAC ${got.mac ?? '?'}`);
      if (spec.kind === 'ipvlan' && got.ipvlanMode !== 'l2') problems.push(`mode ${got.ipvlanMode ?? '?'}`);
      if (spec.kind === 'ipvlan' && (got.ipvlanFlags ?? 'bridge') !== spec.ipvlanFlags)
        problems.push(`flags ${got.ipvlanFlags ?? '?'}`);
      if (got.base !== spec.base) problems.push(`base ${got.base ?? '?'}`);
      if (!got.up) problems.push('it is down');
      if (spec.address && !got.addresses.includes(formatIp(parseIp(spec.address.address))))
        problems.push(`address ${spec.address.address} missing`);
    }
    if (problems.length > 0)
      throw new Error(`${spec.kind} ${spec.name} on ${spec.base} is not as set: ${problems.join(', ')}`);
  };

  const create = async (spec: VirtualLinkSpec) => {
    const need = spec.kind === 'ipvlan' ? 'CONFIG_IPVLAN' : 'CONFIG_MACVLAN';
    await step(
      `create ${spec.kind} ${spec.name} on ${spec.base}`,
      encodeNewLink({
        kind: spec.kind,
        name: spec.name,
        lowerIndex: interfaceIndex(spec.base),
        ...(spec.mac ? { mac: spec.mac, macvlanMode: 'private' } : {}),
        ...(spec.ipvlanFlags ? { ipvlanMode: 'l2', ipvlanFlags: spec.ipvlanFlags } : {}),
        alias: `${ALIAS_PREFIX}${spec.instance}`,
      }),
      rtmLink.NEWLINK,
      nl.NLM_F_CREATE | nl.NLM_F_EXCL,
    ).catch((e: unknown) => {
      if ((e as Error).message.endsWith('(EOPNOTSUPP)'))
        throw new Error(`${(e as Error).message}; the kernel has no ${spec.kind} driver (${need})`, {
          cause: e,
        });
      throw e;
    });
  };

  return {
    list,
    async set(spec) {
      const existing = (await dumpLinks()).find((l) => l.name === spec.name);
      if (spec.action === 'create' || !existing) {
        if (existing)
          throw new Error(`${spec.kind} ${spec.name}: an interface of that name appeared meanwhile`);
        await create(spec);
      } else if (spec.action === 'replace') {
        if (existing.kind !== 'macvlan' && existing.kind !== 'ipvlan')
          throw new Error(
            `refusing to delete ${spec.name}: it is a ${existing.kind ?? 'physical'} interface`,
          );
        await step(
          `delete the old ${existing.kind} ${spec.name}`,
          encodeDelLink(existing.index),
          rtmLink.DELLINK,
        );
        await create(spec);
      } else {
        // update (wrong MAC or mode) or reuse: change it in place and mark it ours.
        await step(
          `${spec.action} ${spec.kind} ${spec.name}`,
          encodeNewLink({
            kind: spec.kind,
            index: existing.index,
            ...(spec.mac ? { mac: spec.mac, macvlanMode: 'private' } : {}),
            ...(spec.ipvlanFlags ? { ipvlanMode: 'l2', ipvlanFlags: spec.ipvlanFlags } : {}),
            alias: `${ALIAS_PREFIX}${spec.instance}`,
          }),
          rtmLink.NEWLINK,
        );
      }
      const index = interfaceIndex(spec.name);
      const changed = spec.action !== 'reuse';
      if (spec.kind === 'macvlan' && spec.family === 'ipv4' && changed) {
        // Made again after a deletion: the base and rp_filter are held already (once per link).
        const again = holding.get(spec.name)?.base === spec.base;
        if (!again) {
          clearRpFilter();
          holding.set(spec.name, {});
        }
        writeSysctl('ipv4', spec.name, 'arp_ignore', 1);
        writeSysctl('ipv4', spec.name, 'accept_local', 1);
        writeSysctl('ipv4', spec.name, 'rp_filter', 0);
        writeSysctl('ipv4', spec.name, 'promote_secondaries', 1);
        if (!again) {
          const held = holding.get(spec.name) ?? {};
          held.base = spec.base; // before holdBase: a failure half-way still gets its writes put back
          holdBase(spec.base);
        }
      }
      writeSysctl('ipv6', spec.name, 'disable_ipv6', spec.ipv6 ? 0 : 1);
      if (spec.kind === 'macvlan')
        await step(`set addr_gen_mode none on ${spec.name}`, encodeAddrGenModeNone(index), rtmLink.NEWLINK);
      await step(`bring ${spec.name} up`, encodeLinkUp(index), rtmLink.NEWLINK);
      await addAddress(spec, index);
      await verify(spec);
    },
    async remove(spec) {
      const existing = (await dumpLinks()).find((l) => l.name === spec.name);
      const held = holding.get(spec.name);
      if (held) {
        holding.delete(spec.name);
        if (held.base !== undefined) releaseBase(held.base);
        restoreRpFilter();
      }
      if (!existing) return;
      if (existing.kind !== 'macvlan' && existing.kind !== 'ipvlan')
        throw new Error(`refusing to delete ${spec.name}: it is a ${existing.kind ?? 'physical'} interface`);
      try {
        await rt.request(rtmLink.DELLINK, nl.NLM_F_ACK, encodeDelLink(existing.index), `delete ${spec.name}`);
      } catch (e) {
        if (e instanceof NetlinkError && e.errno === 19) return; // gone meanwhile
        throw e;
      }
    },
    async removeStale(keep) {
      const removed: string[] = [];
      for (const l of await dumpLinks()) {
        if (!l.alias?.startsWith(ALIAS_PREFIX) || keep.includes(l.name)) continue;
        if (l.kind !== 'macvlan' && l.kind !== 'ipvlan') continue;
        await step(`delete stale ${l.kind} ${l.name}`, encodeDelLink(l.index), rtmLink.DELLINK);
        removed.push(l.name);
      }
      return removed;
    },
    close: () => rt.close(),
  };
}
