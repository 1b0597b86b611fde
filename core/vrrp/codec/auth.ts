/**
 * VRRPv2 simple password authentication (RFC 2338 §5.3.6 type 1, kept by keepalived as `auth_type PASS`):
 * the password's first 8 octets, zero-padded, in the Authentication Data field. No security; it only keeps
 * two clusters that share a VRID apart.
 */
import { VRRP_V2_AUTH_DATA_LENGTH } from './constants.ts';

/** The 8-octet Authentication Data for a PASS password (UTF-8, first 8 octets, zero-padded). */
export function passAuthData(password: string): Uint8Array {
  const out = new Uint8Array(VRRP_V2_AUTH_DATA_LENGTH);
  out.set(utf8(password).subarray(0, VRRP_V2_AUTH_DATA_LENGTH));
  return out;
}

/** UTF-8 bytes of a string (core has no TextEncoder in its lib). */
function utf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(bytes);
}

/** Constant-shape comparison of two Authentication Data fields. */
export function authDataEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
