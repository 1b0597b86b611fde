/** Reads a lab node's interfaces the way `ip -d -j link show` reports them, plus their sysctls. */
import type { Lab, LabNode } from '../../../helpers/netns.ts';

export interface LinkView {
  name: string;
  kind?: string;
  mode?: string;
  flags?: string;
  mac: string;
  up: boolean;
  base?: string;
  addresses: string[];
}

interface IpLink {
  ifname: string;
  address: string;
  flags: string[];
  link?: string;
  linkinfo?: { info_kind?: string; info_data?: { mode?: string; flags?: string } };
}

/** One interface of the node (undefined when it does not exist). */
export function linkOf(lab: Lab, node: LabNode | string, name: string): LinkView | undefined {
  const out = lab.exec(node, ['ip', '-d', '-j', 'link', 'show', 'dev', name], { allowFail: true });
  if (!out.trim()) return undefined;
  const l = (JSON.parse(out) as IpLink[])[0];
  if (!l) return undefined;
  const addrs = JSON.parse(lab.exec(node, ['ip', '-j', 'addr', 'show', 'dev', name])) as {
    addr_info: { local: string }[];
  }[];
  const v: LinkView = {
    name: l.ifname,
    mac: l.address,
    up: l.flags.includes('UP'),
    addresses: (addrs[0]?.addr_info ?? []).map((a) => a.local),
  };
  if (l.linkinfo?.info_kind) v.kind = l.linkinfo.info_kind;
  if (l.linkinfo?.info_data?.mode) v.mode = l.linkinfo.info_data.mode;
  if (l.linkinfo?.info_data?.flags) v.flags = l.linkinfo.info_data.flags;
  if (l.link) v.base = l.link;
  return v;
}

/** Names of the node's interfaces. */
export function linkNames(lab: Lab, node: LabNode | string): string[] {
  return (JSON.parse(lab.exec(node, ['ip', '-j', 'link', 'show'])) as IpLink[]).map((l) => l.ifname);
}

/** The IPv4 sysctls keepalived touches for a VMAC (and disable_ipv6) of one interface of the node. */
export function sysctlsOf(lab: Lab, node: LabNode | string, dev: string): Record<string, string> {
  const out: Record<string, string> = {};
  const read = (path: string) => lab.exec(node, ['cat', path]).trim();
  for (const k of [
    'arp_ignore',
    'arp_filter',
    'arp_announce',
    'accept_local',
    'rp_filter',
    'promote_secondaries',
  ])
    out[k] = read(`/proc/sys/net/ipv4/conf/${dev}/${k}`);
  out['disable_ipv6'] = read(`/proc/sys/net/ipv6/conf/${dev}/disable_ipv6`);
  return out;
}

/** The client's neighbour entry (lladdr) for an address, or undefined. */
export function neighbourMac(lab: Lab, node: LabNode | string, address: string): string | undefined {
  const out = lab.exec(node, ['ip', 'neigh', 'show', address, 'dev', 'eth0']);
  return /lladdr ([0-9a-f:]{17})/.exec(out)?.[1];
}
