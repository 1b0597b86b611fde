/** Reads a lab node's interfaces the way `ip -d -j link show` reports them, plus their sysctls. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab, LabNode } from '../../../helpers/netns.ts';
import { readPcap, type CapturedFrame } from './pcap.ts';

export interface LinkView {
  name: string;
  kind?: string;
  mode?: string;
  flags?: string;
  mac: string;
  up: boolean;
  base?: string;
  /** IPv6 address generation mode (none: no EUI-64 link-local). */
  addrGenMode?: string;
  addresses: string[];
}

interface IpLink {
  ifname: string;
  address: string;
  flags: string[];
  link?: string;
  inet6_addr_gen_mode?: string;
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
  if (l.inet6_addr_gen_mode) v.addrGenMode = l.inet6_addr_gen_mode;
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

/** Source MACs of the VRRP frames (IPv4 protocol 112) in a capture. */
export function vrrpSourceMacs(frames: { frame: Uint8Array }[]): Set<string> {
  const out = new Set<string>();
  for (const { frame: f } of frames) {
    if (f.length < 34 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 112) continue;
    out.add(Array.from(f.subarray(6, 12), (b) => b.toString(16).padStart(2, '0')).join(':'));
  }
  return out;
}

/** Sender MACs of gratuitous ARPs for `ip` (sender = target = ip) in a capture. */
export function garpSenderMacs(frames: { frame: Uint8Array }[], ip: string): Set<string> {
  const want = ip.split('.').map(Number);
  const out = new Set<string>();
  for (const { frame: f } of frames) {
    if (f.length < 42 || f[12] !== 0x08 || f[13] !== 0x06) continue;
    const spa = Array.from(f.subarray(28, 32));
    const tpa = Array.from(f.subarray(38, 42));
    if (spa.join('.') !== want.join('.') || tpa.join('.') !== want.join('.')) continue;
    out.add(Array.from(f.subarray(22, 28), (b) => b.toString(16).padStart(2, '0')).join(':'));
  }
  return out;
}

/** IPv4 frames of IP protocol `proto` sent from `mac` in a capture. */
export function ipFramesFrom(frames: { frame: Uint8Array }[], mac: string, proto: number): number {
  let n = 0;
  for (const { frame: f } of frames) {
    if (f.length < 34 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== proto) continue;
    if (Array.from(f.subarray(6, 12), (b) => b.toString(16).padStart(2, '0')).join(':') === mac) n++;
  }
  return n;
}

/** Captures on a node's eth0 (tcpdump) while `body` runs; returns the frames. */
export async function captureOn(
  lab: Lab,
  node: LabNode | string,
  filter: string,
  body: () => Promise<void>,
): Promise<CapturedFrame[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fip-vmac-pcap-'));
  const file = join(dir, 'eth0.pcap');
  const dump = lab.spawn(node, ['tcpdump', '-i', 'eth0', '-U', '-n', '-w', file, filter]);
  const exited = new Promise((r) => dump.once('exit', r));
  // tcpdump says "listening on" once it captures; a fixed pause lost frames on a loaded machine.
  const listening = new Promise<void>((resolve) => {
    let err = '';
    dump.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) resolve();
    });
    dump.once('exit', () => resolve());
    setTimeout(resolve, 10_000).unref();
  });
  try {
    await listening;
    await body();
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    dump.kill('SIGINT');
    await exited;
  }
  try {
    return readPcap(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
