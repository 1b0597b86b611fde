/**
 * CIDR blocks as a cloud API stores them. EC2 (and the other clouds) keep a route's destination in
 * canonical form: the network address with no host bits (`10.0.0.1/18` is stored as `10.0.0.0/18`) and
 * IPv6 in RFC 5952 text. A config that names a non-canonical block would never match what the API
 * reads back, so it is refused when the config is checked (test/core/model/cidr.test.ts).
 * Pure; no node:net.
 */
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './lb-address.ts';

export type CidrCheck =
  { ok: true; cidr: string; family: 'inet' | 'inet6' } | { ok: false; message: string; canonical?: string };

/** Parses `a.b.c.d/n` or `v6::/n`; answers the canonical text, or why the block is not one. */
export function checkCidr(text: string): CidrCheck {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, message: `${text} is not a CIDR block (address/prefix length)` };
  const addr = text.slice(0, slash);
  const len = text.slice(slash + 1);
  const v6 = addr.includes(':');
  const bytes = v6 ? parseIpv6(addr) : parseIpv4(addr);
  const max = v6 ? 128 : 32;
  if (!bytes) return { ok: false, message: `${text}: ${addr} is not an IPv${v6 ? 6 : 4} address` };
  if (!/^\d{1,3}$/.test(len) || Number(len) > max)
    return { ok: false, message: `${text}: the prefix length must be 0..${max}` };
  const n = Number(len);
  const net = bytes.slice();
  for (let bit = n; bit < max; bit++) net[bit >> 3] = (net[bit >> 3] ?? 0) & ~(0x80 >> (bit & 7));
  const format = v6 ? formatIpv6 : formatIpv4;
  const canonical = `${format(net)}/${n}`;
  if (net.some((b, i) => b !== bytes[i]))
    return {
      ok: false,
      message: `${text} has host bits set; the network is ${canonical}`,
      canonical,
    };
  return { ok: true, cidr: canonical, family: v6 ? 'inet6' : 'inet' };
}

/** The canonical text of a CIDR block (host bits cleared), or null when `text` is not one. */
export function canonicalCidr(text: string): string | null {
  const c = checkCidr(text);
  return c.ok ? c.cidr : (c.canonical ?? null);
}
