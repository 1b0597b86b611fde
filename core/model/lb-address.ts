/**
 * Address text <-> bytes for LB tables (planner, data planes, ipvsadm output): dotted IPv4 and RFC 5952 canonical IPv6
 * (lowercase, longest zero run compressed, no leading zeros). Pure; no node:net.
 */
import type { LbFamily } from './lb-table.ts';

/** Parses dotted-quad IPv4 into 4 bytes, or returns null. */
export function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Parses IPv6 text (with `::` and an optional dotted IPv4 tail) into 16 bytes, or returns null. */
export function parseIpv6(text: string): Uint8Array | null {
  let s = text.toLowerCase();
  const out = new Uint8Array(16);
  let tail: Uint8Array | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    tail = parseIpv4(s.slice(lastColon + 1));
    if (!tail) return null;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : [];
  const groups = halves.length === 2 ? head.length + rest.length : head.length;
  if (halves.length === 2 ? groups > 7 : groups !== 8) return null;
  const words = [...head, ...new Array<string>(8 - groups).fill('0'), ...rest];
  for (let i = 0; i < 8; i++) {
    const w = words[i] ?? '';
    if (!/^[0-9a-f]{1,4}$/.test(w)) return null;
    const v = parseInt(w, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

export function formatIpv4(b: Uint8Array): string {
  return `${b[0] ?? 0}.${b[1] ?? 0}.${b[2] ?? 0}.${b[3] ?? 0}`;
}

/** RFC 5952 §4 text form. */
export function formatIpv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((b[i * 2] ?? 0) << 8) | (b[i * 2 + 1] ?? 0));
  let bestAt = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestAt < 0) return hex(words);
  return `${hex(words.slice(0, bestAt))}::${hex(words.slice(bestAt + bestLen))}`;
}

/** Address bytes for a family, or null when the text is not an address of that family. */
export function parseAddr(family: LbFamily, text: string): Uint8Array | null {
  return family === 'inet' ? parseIpv4(text) : parseIpv6(text);
}

/**
 * True when `text` is an IPv4 address exactly as formatIpv4 writes it (four parts of digits without
 * leading zeros, each at most 255), checked without allocating.
 */
function isCanonicalIpv4(text: string): boolean {
  let parts = 0;
  let digits = 0;
  let n = 0;
  let lead = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || n > 255 || (digits > 1 && lead === 0x30)) return false;
      parts += 1;
      digits = 0;
      n = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 0) lead = c;
      if (++digits > 3) return false;
      n = n * 10 + (c - 0x30);
    } else return false;
  }
  return parts === 4;
}

/**
 * The canonical text of an address, or null when it does not parse in that family. Canonical IPv4 text
 * is answered as it is, without parsing it into bytes and back (the planner and the nftables table
 * identify every real server by it on every reconcile: ~16 MB of short-lived allocations per full
 * apply at 10,000 real servers, bench/checker/rss.bench.ts).
 */
export function canonicalAddr(family: LbFamily, text: string): string | null {
  if (family === 'inet' && isCanonicalIpv4(text)) return text;
  const b = parseAddr(family, text);
  if (!b) return null;
  return family === 'inet' ? formatIpv4(b) : formatIpv6(b);
}
