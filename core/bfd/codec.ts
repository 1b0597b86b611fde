/**
 * BFD Control packet codec, mandatory section only (rfc5880 §4.1). floatip, like keepalived, runs no BFD
 * authentication: a packet with the A bit is rejected (rfc5880 §6.8.6, "A bit set and no authentication in
 * use"). decode() never throws; every reject is a typed reason the shell counts.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
 * |                       My Discriminator                        |
 * |                      Your Discriminator                       |
 * |                    Desired Min TX Interval                    |
 * |                   Required Min RX Interval                    |
 * |                 Required Min Echo RX Interval                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

/** rfc5880 §4.1: the only protocol version. */
export const BFD_VERSION = 1;
/** rfc5880 §4.1: length of the mandatory section in bytes. */
export const BFD_HEADER_LENGTH = 24;
/** rfc5880 §6.8.6: with the A bit the packet must hold at least the auth type and length bytes too. */
const BFD_MIN_LENGTH_WITH_AUTH = 26;

/** rfc5880 §4.1 "Sta": session states as carried on the wire. */
export const bfdStates = ['AdminDown', 'Down', 'Init', 'Up'] as const;
export type BfdState = (typeof bfdStates)[number];

/** rfc5880 §4.1 "Diag": diagnostic codes. */
export const BfdDiag = {
  none: 0,
  /** Control Detection Time Expired. */
  detectExpired: 1,
  echoFailed: 2,
  /** Neighbor Signaled Session Down. */
  neighborDown: 3,
  forwardingReset: 4,
  pathDown: 5,
  concatenatedPathDown: 6,
  /** Administratively Down. */
  adminDown: 7,
  reverseConcatenatedPathDown: 8,
} as const;

export interface BfdControl {
  /** rfc5880 §4.1 Diag (5 bits). */
  diag: number;
  state: BfdState;
  /** P: the sender asks for a Final (poll sequence, rfc5880 §6.5). */
  poll: boolean;
  /** F: answers a Poll. */
  final: boolean;
  /** C: Control Plane Independent. */
  cpi: boolean;
  /** A: an authentication section follows. */
  auth: boolean;
  /** D: demand mode. */
  demand: boolean;
  /** M: multipoint, reserved; must be 0. */
  multipoint: boolean;
  /** Detect Mult: the sender's detection time multiplier. */
  detectMult: number;
  /** My Discriminator (non-zero). */
  myDiscr: number;
  /** Your Discriminator (0 until the remote's is known). */
  yourDiscr: number;
  /** Desired Min TX Interval, microseconds. */
  desiredMinTxUs: number;
  /** Required Min RX Interval, microseconds. */
  requiredMinRxUs: number;
  /** Required Min Echo RX Interval, microseconds (floatip runs no echo: 0). */
  requiredMinEchoRxUs: number;
}

/** Why a received datagram was not taken as a Control packet (rfc5880 §6.8.6 order). */
export type BfdDecodeReject =
  | 'too-short'
  | 'bad-version'
  | 'bad-length'
  | 'zero-detect-mult'
  | 'multipoint'
  | 'zero-my-discr'
  | 'zero-your-discr-not-down'
  | 'auth-not-in-use'
  | 'poll-and-final';

export type BfdDecodeResult = { ok: true; packet: BfdControl } | { ok: false; reason: BfdDecodeReject };

const u32 = (n: number) => n >>> 0;

/** Encodes the mandatory section (24 bytes, Length 24, no auth section). */
export function encodeBfdControl(p: BfdControl): Uint8Array {
  const out = new Uint8Array(BFD_HEADER_LENGTH);
  const v = new DataView(out.buffer);
  v.setUint8(0, (BFD_VERSION << 5) | (p.diag & 0x1f));
  const flags =
    (bfdStates.indexOf(p.state) << 6) |
    (p.poll ? 0x20 : 0) |
    (p.final ? 0x10 : 0) |
    (p.cpi ? 0x08 : 0) |
    (p.auth ? 0x04 : 0) |
    (p.demand ? 0x02 : 0) |
    (p.multipoint ? 0x01 : 0);
  v.setUint8(1, flags);
  v.setUint8(2, p.detectMult & 0xff);
  v.setUint8(3, BFD_HEADER_LENGTH);
  v.setUint32(4, u32(p.myDiscr));
  v.setUint32(8, u32(p.yourDiscr));
  v.setUint32(12, u32(p.desiredMinTxUs));
  v.setUint32(16, u32(p.requiredMinRxUs));
  v.setUint32(20, u32(p.requiredMinEchoRxUs));
  return out;
}

/**
 * Decodes and validates one UDP payload (rfc5880 §6.8.6, the checks that need no session). The
 * "Your Discriminator names no session" check belongs to the demultiplexer. Poll and Final together are
 * refused as keepalived does (rfc5880 §6.5 forbids sending both).
 */
export function decodeBfdControl(bytes: Uint8Array): BfdDecodeResult {
  if (bytes.length < BFD_HEADER_LENGTH) return { ok: false, reason: 'too-short' };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b0 = v.getUint8(0);
  const b1 = v.getUint8(1);
  if (b0 >> 5 !== BFD_VERSION) return { ok: false, reason: 'bad-version' };
  const auth = (b1 & 0x04) !== 0;
  const length = v.getUint8(3);
  if (length < (auth ? BFD_MIN_LENGTH_WITH_AUTH : BFD_HEADER_LENGTH) || length > bytes.length)
    return { ok: false, reason: 'bad-length' };
  const packet: BfdControl = {
    diag: b0 & 0x1f,
    state: bfdStates[b1 >> 6] ?? 'AdminDown',
    poll: (b1 & 0x20) !== 0,
    final: (b1 & 0x10) !== 0,
    cpi: (b1 & 0x08) !== 0,
    auth,
    demand: (b1 & 0x02) !== 0,
    multipoint: (b1 & 0x01) !== 0,
    detectMult: v.getUint8(2),
    myDiscr: v.getUint32(4),
    yourDiscr: v.getUint32(8),
    desiredMinTxUs: v.getUint32(12),
    requiredMinRxUs: v.getUint32(16),
    requiredMinEchoRxUs: v.getUint32(20),
  };
  if (packet.detectMult === 0) return { ok: false, reason: 'zero-detect-mult' };
  if (packet.multipoint) return { ok: false, reason: 'multipoint' };
  if (packet.myDiscr === 0) return { ok: false, reason: 'zero-my-discr' };
  if (packet.yourDiscr === 0 && packet.state !== 'Down' && packet.state !== 'AdminDown')
    return { ok: false, reason: 'zero-your-discr-not-down' };
  if (packet.auth) return { ok: false, reason: 'auth-not-in-use' };
  if (packet.poll && packet.final) return { ok: false, reason: 'poll-and-final' };
  return { ok: true, packet };
}
