import { LbInputError } from './errors.ts';

/**
 * An IPv4 or IPv6 address as the kernel sees it: big-endian 32-bit words (one for IPv4, four for IPv6,
 * each the `ntohl` of the network-order word), the fold the hash schedulers use, and a key that
 * compares equal exactly when `ip_vs_addr_equal` would.
 */
export interface Address {
  readonly family: 4 | 6;
  readonly words: readonly number[];
  /** IPv4: the address; IPv6: ip6[0]^ip6[1]^ip6[2]^ip6[3] (rule book §12), as a u32 after ntohl. */
  readonly fold: number;
  readonly key: string;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

class ParsedAddress implements Address {
  readonly family: 4 | 6;
  readonly words: readonly number[];
  readonly fold: number;
  #key: string | null = null;

  constructor(family: 4 | 6, words: readonly number[]) {
    this.family = family;
    this.words = words;
    let fold = 0;
    for (const w of words) fold = (fold ^ w) >>> 0;
    this.fold = fold;
  }

  /** Built on first use: most decisions never need it. */
  get key(): string {
    if (this.#key === null) this.#key = `${this.family}:${this.words.join(':')}`;
    return this.#key;
  }
}

const fromWords = (family: 4 | 6, words: number[]): Address => new ParsedAddress(family, words);

/** A strict dotted quad (no leading zeros, each part 0..255), scanned by character code. */
const parseIpv4Word = (text: string): number | null => {
  const len = text.length;
  if (len < 7 || len > 15) return null;
  let word = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      word = word * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return null; // leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return null;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return (word * 256 + part) >>> 0;
};

const parseIpv6Groups = (text: string): number[] | null => {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const toGroups = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part === '') return [];
    const items = part.split(':');
    const groups: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? '';
      if (allowV4Tail && i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4Word(item);
        if (v4 === null) return null;
        groups.push(v4 >>> 16, v4 & 0xffff);
      } else if (HEX_GROUP.test(item)) {
        groups.push(parseInt(item, 16));
      } else {
        return null;
      }
    }
    return groups;
  };
  if (halves.length === 1) {
    const groups = toGroups(text, true);
    return groups !== null && groups.length === 8 ? groups : null;
  }
  const head = toGroups(halves[0] ?? '', false);
  const tail = toGroups(halves[1] ?? '', true);
  if (head === null || tail === null || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
};

/** Parse an IPv4 dotted quad or an IPv6 address (RFC 4291 §2.2 text forms, no zone). */
export const parseAddress = (text: unknown, field: string): Address => {
  if (typeof text !== 'string')
    throw new LbInputError(field, `expected an address string, got ${typeof text}`);
  if (text.includes(':')) {
    const groups = parseIpv6Groups(text);
    if (groups === null) throw new LbInputError(field, `"${text}" is not a valid IPv6 address`);
    const words: number[] = [];
    for (let i = 0; i < 8; i += 2) words.push((((groups[i] ?? 0) << 16) | (groups[i + 1] ?? 0)) >>> 0);
    return fromWords(6, words);
  }
  const word = parseIpv4Word(text);
  if (word === null) throw new LbInputError(field, `"${text}" is not a valid IPv4 or IPv6 address`);
  return fromWords(4, [word]);
};

/** IPv4 `addr & mask` (mask a u32). */
export const maskIpv4 = (addr: Address, mask: number): Address =>
  fromWords(4, [(addr.words[0]! & mask) >>> 0]);

/** IPv6 `ipv6_addr_prefix(addr, plen)`. */
export const prefixIpv6 = (addr: Address, plen: number): Address => {
  const words = addr.words.map((w, i) => {
    const bits = Math.max(0, Math.min(32, plen - 32 * i));
    const mask = bits === 0 ? 0 : bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    return (w & mask) >>> 0;
  });
  return fromWords(6, words);
};

/** An address made from a u32 (the fwmark in a persistence template's vaddr). */
export const addressFromU32 = (value: number): Address => fromWords(4, [value >>> 0]);
