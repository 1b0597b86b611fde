/**
 * What the nftables data plane's connection table is: the kernel's nf_conntrack, whose limits live in
 * /proc/sys/net/netfilter (nf_conntrack_max: entries allowed in this network namespace; nf_conntrack_buckets:
 * the hash table size, the counterpart of IPVS's connection table size). `status --lvs` prints them
 * instead of an IPVS version this plane does not have.
 */
import { readFileSync } from 'node:fs';

export interface ConntrackInfo {
  /** nf_conntrack_max, or null when unreadable (module not loaded). */
  max: number | null;
  /** nf_conntrack_buckets, or null when unreadable. */
  buckets: number | null;
}

export function conntrackInfo(dir = '/proc/sys/net/netfilter'): ConntrackInfo {
  const read = (name: string): number | null => {
    try {
      const n = Number(readFileSync(`${dir}/${name}`, 'utf8').trim());
      return Number.isInteger(n) && n >= 0 ? n : null;
    } catch {
      return null;
    }
  };
  return { max: read('nf_conntrack_max'), buckets: read('nf_conntrack_buckets') };
}

/** The first line of `status --lvs` for this plane. */
export function conntrackHeader(info: ConntrackInfo): string {
  const part = (v: number | null) => (v === null ? 'unknown' : String(v));
  return `nftables data plane over nf_conntrack (max=${part(info.max)} buckets=${part(info.buckets)})`;
}
