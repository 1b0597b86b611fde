/** Reads a lab node's interfaces the way `ip -d -j link show` reports them, plus their sysctls. */
import { execFileSync } from 'node:child_process';
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

/** Captures on a node's eth0 (or `iface`) with tcpdump while `body` runs; returns the frames. */
export async function captureOn(
  lab: Lab,
  node: LabNode | string,
  filter: string,
  body: () => Promise<void>,
  iface = 'eth0',
): Promise<CapturedFrame[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fip-vmac-pcap-'));
  const file = join(dir, `${iface}.pcap`);
  const dump = lab.spawn(node, ['tcpdump', '-i', iface, '-U', '-n', '-w', file, filter]);
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

const macOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');

/**
 * Gratuitous ARPs (sender = target) and unsolicited neighbour advertisements (ICMPv6 136 to ff02::1) in a
 * capture, as `<source MAC> <address>` with how many of each.
 */
export function announcements(frames: { frame: Uint8Array }[]): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string) => out.set(k, (out.get(k) ?? 0) + 1);
  for (const { frame: f } of frames) {
    if (f.length >= 42 && f[12] === 0x08 && f[13] === 0x06) {
      const spa = Array.from(f.subarray(28, 32)).join('.');
      if (spa === Array.from(f.subarray(38, 42)).join('.')) add(`${macOf(f.subarray(6, 12))} ${spa}`);
    } else if (f.length >= 78 && f[12] === 0x86 && f[13] === 0xdd && f[20] === 58 && f[54] === 136) {
      if (f[38] !== 0xff) continue; // solicited answers go to the asker, unsolicited ones to ff02::1
      const t = f.subarray(62, 78);
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push((((t[i] ?? 0) << 8) | (t[i + 1] ?? 0)).toString(16));
      add(`${macOf(f.subarray(6, 12))} ${compressV6(groups)}`);
    }
  }
  return out;
}

/** rfc5952 text of eight hex groups (longest run of two or more zero groups as ::). */
function compressV6(groups: string[]): string {
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/**
 * A second segment: every director (and the client) gets `eth1` on bridge br1 in the lab's hub, with
 * 10.98.0.<host>/24 and fd00:98::<host>/64, the hosts numbered as on eth0. Removed with the lab.
 */
export function addSecondSegment(lab: Lab): void {
  const run = (argv: string[]) => execFileSync(argv[0] ?? 'true', argv.slice(1), { stdio: 'pipe' });
  const hub = (args: string) => run(['ip', '-n', lab.hub, ...args.split(' ')]);
  hub('link add br1 type bridge');
  hub('link set br1 type bridge forward_delay 0 stp_state 0 mcast_snooping 0');
  hub('link set br1 up');
  for (const node of Object.values(lab.nodes)) {
    const host = Number(node.ipv4.split('.')[3]);
    const port = `w-${node.name}`;
    run(['ip', '-n', lab.hub, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth1', 'netns', node.ns]);
    hub(`link set ${port} master br1 up`);
    lab.exec(node, ['sysctl', '-qw', 'net.ipv6.conf.eth1.accept_dad=0']);
    lab.exec(node, [
      'ip',
      'link',
      'set',
      'eth1',
      'address',
      `02:98:00:00:00:${host.toString(16).padStart(2, '0')}`,
    ]);
    lab.exec(node, ['ip', 'link', 'set', 'eth1', 'up']);
    lab.exec(node, ['ip', 'addr', 'add', `10.98.0.${host}/24`, 'dev', 'eth1']);
    lab.exec(node, ['ip', 'addr', 'add', `fd00:98::${host.toString(16)}/64`, 'dev', 'eth1', 'nodad']);
  }
}
