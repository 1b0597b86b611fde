/**
 * What the agent needs from the kernel, checked up front so a missing capability is named instead of
 * surfacing later as an obscure EPERM: CAP_NET_RAW (raw VRRP sockets, AF_PACKET for GARP, ICMPv6 NA) and
 * CAP_NET_ADMIN (rtnetlink address changes, joining multicast groups).
 */
import { readFileSync } from 'node:fs';

/** linux/capability.h bit numbers. */
export const capabilityBits = { CAP_NET_ADMIN: 12, CAP_NET_RAW: 13 } as const;
export type CapabilityName = keyof typeof capabilityBits;

/** Parses the CapEff line of /proc/<pid>/status text into a bit set. */
export function effectiveCapabilities(statusText: string): bigint {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText);
  if (!m?.[1]) throw new Error('no CapEff line in /proc/self/status');
  return BigInt(`0x${m[1]}`);
}

/** The capabilities in `needed` that are not in the effective set. */
export function missingCapabilities(
  needed: readonly CapabilityName[],
  statusText = readFileSync('/proc/self/status', 'utf8'),
): CapabilityName[] {
  const eff = effectiveCapabilities(statusText);
  return needed.filter((name) => (eff & (1n << BigInt(capabilityBits[name]))) === 0n);
}

/** One sentence for the operator, or undefined when nothing is missing. */
export function describeMissing(missing: readonly CapabilityName[]): string | undefined {
  if (missing.length === 0) return undefined;
  const why: Record<CapabilityName, string> = {
    CAP_NET_RAW: 'CAP_NET_RAW (raw VRRP sockets, gratuitous ARP, neighbour advertisements)',
    CAP_NET_ADMIN: 'CAP_NET_ADMIN (adding and removing VIPs, joining the VRRP multicast group)',
  };
  return (
    `floatip agent lacks ${missing.map((m) => why[m]).join(' and ')}; run it as root or grant them, e.g. ` +
    `systemd AmbientCapabilities=${missing.join(' ')} or setcap cap_net_raw,cap_net_admin+ep`
  );
}
