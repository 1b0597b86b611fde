/** IP address text <-> bytes, for building socket structures and packets. */

export type Family = 4 | 6;

/** Parses dotted-quad IPv4 or RFC 4291 text IPv6 (with ::, and an embedded IPv4 tail) into bytes. */
export function parseIp(text: string): Uint8Array {
  const v4 = parseIpv4(text);
  if (v4) return v4;
  const v6 = parseIpv6(text);
  if (v6) return v6;
  throw new Error(`"${text}" is not an IPv4 or IPv6 address`);
}

export function familyOf(text: string): Family {
  return parseIp(text).length === 4 ? 4 : 6;
}

/**
 * The IPv4 address parseIp would read from `text`, written as 4 bytes at out[at..at+3] without allocating
 * anything (the TCP checker's per-attempt peer, adapters/onprem/tcp-checker.ts); false where parseIp
 * reads no IPv4 address (out may then be partly written). Same rules as parseIp: four dot-separated
 * parts of 1-3 ASCII digits, each at most 255 (test/adapters/onprem/ip-address.test.ts compares them).
 */
export function writeIpv4(text: string, out: Uint8Array, at: number): boolean {
  let part = 0;
  let digits = 0;
  let n = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e; // the end closes the last part as a '.' would
    if (c === 0x2e) {
      if (digits === 0 || n > 255 || part > 3) return false;
      out[at + part] = n;
      part += 1;
      n = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (++digits > 3) return false;
      n = n * 10 + (c - 0x30);
    } else return false;
  }
  return part === 4;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  const zoneless = text.split('%')[0] ?? '';
  if (!zoneless.includes(':')) return null;
  const halves = zoneless.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Formats 4 or 16 address bytes as text (IPv6 in RFC 5952 canonical form). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) throw new Error(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

export function isIpv6LinkLocal(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes[0] === 0xfe && ((bytes[1] ?? 0) & 0xc0) === 0x80;
}
