// The few DNS message bits DNS_CHECK needs: a one-question query with RD set, and the reply header.
// RFC 1035 §4.1.1 (header), §4.1.2 (question), §3.1 (names), §3.2.2 (types); RFC 3596 (AAAA);
// RFC 4034 §2 and §3 (DNSKEY, RRSIG).

/** RR type codes DNS_CHECK accepts (keepalived `type`). */
export const DNS_TYPES: Readonly<Record<string, number>> = {
  A: 1, // RFC 1035 §3.2.2
  NS: 2, // RFC 1035 §3.2.2
  CNAME: 5, // RFC 1035 §3.2.2
  SOA: 6, // RFC 1035 §3.2.2
  MX: 15, // RFC 1035 §3.2.2
  TXT: 16, // RFC 1035 §3.2.2
  AAAA: 28, // RFC 3596 §2.1
  RRSIG: 46, // RFC 4034 §3
  DNSKEY: 48, // RFC 4034 §2
};

/** CLASS IN, RFC 1035 §3.2.4. */
const CLASS_IN = 1;
/** Header flag bits, RFC 1035 §4.1.1. */
const FLAG_QR = 0x8000;
const FLAG_RD = 0x0100;
const RCODE_MASK = 0x000f;

/** Encode `name` as length-prefixed labels ending with the root label; "." is the root alone. */
export function encodeName(name: string): Uint8Array {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed === '' ? [] : trimmed.split('.');
  const parts: number[] = [];
  for (const label of labels) {
    const bytes = new TextEncoder().encode(label);
    if (bytes.length === 0 || bytes.length > 63)
      throw new RangeError(`DNS name ${JSON.stringify(name)}: bad label length`);
    parts.push(bytes.length, ...bytes);
  }
  parts.push(0);
  if (parts.length > 255) throw new RangeError(`DNS name ${JSON.stringify(name)}: longer than 255 bytes`);
  return Uint8Array.from(parts);
}

export function encodeQuery(id: number, name: string, type: string): Uint8Array {
  const code = DNS_TYPES[type];
  if (code === undefined)
    throw new RangeError(
      `DNS type ${JSON.stringify(type)} is not one of ${Object.keys(DNS_TYPES).join(' ')}`,
    );
  const qname = encodeName(name);
  const out = new Uint8Array(12 + qname.length + 4);
  const v = new DataView(out.buffer);
  v.setUint16(0, id); // ID
  v.setUint16(2, FLAG_RD); // QR=0 OPCODE=0 RD=1
  v.setUint16(4, 1); // QDCOUNT
  // ANCOUNT, NSCOUNT, ARCOUNT = 0
  out.set(qname, 12);
  v.setUint16(12 + qname.length, code); // QTYPE
  v.setUint16(14 + qname.length, CLASS_IN); // QCLASS
  return out;
}

export interface DnsReplyHeader {
  id: number;
  qr: boolean;
  rcode: number;
  qdcount: number;
  ancount: number;
}

export function decodeHeader(msg: Uint8Array): DnsReplyHeader | null {
  if (msg.length < 12) return null;
  const v = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const flags = v.getUint16(2);
  return {
    id: v.getUint16(0),
    qr: (flags & FLAG_QR) !== 0,
    rcode: flags & RCODE_MASK,
    qdcount: v.getUint16(4),
    ancount: v.getUint16(6),
  };
}

/** RCODE names, RFC 1035 §4.1.1. */
export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
