/**
 * Received datagram -> session (rfc5880 §6.3, §6.8.6), with the TTL rule of rfc5881 §5 / rfc5883 §5 and
 * typed, counted rejects. A packet with Your Discriminator selects the session whose discriminator it is;
 * one without is matched by the neighbour's address (and the port it came to: 3784 single-hop, 4784
 * multihop).
 */
import { decodeBfdControl, type BfdControl, type BfdDecodeReject } from './codec.ts';

/** rfc5881 §4: single-hop control packets go to UDP port 3784. */
export const BFD_SINGLE_HOP_PORT = 3784;
/** rfc5883 §5: multihop control packets go to UDP port 4784. */
export const BFD_MULTIHOP_PORT = 4784;
/** rfc5881 §4: the source port range for control packets. */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;
/** rfc5881 §5: single-hop packets are sent, and must arrive, with TTL / hop limit 255. */
export const BFD_TTL = 255;

export type BfdRejectReason = BfdDecodeReject | 'no-session' | 'bad-ttl';

/** What the demultiplexer needs of a session. */
export interface BfdPeerKey {
  name: string;
  localDiscr: number;
  /** Canonical text of neighbor_ip. */
  neighbor: string;
  /** Canonical text of source_ip, when configured: packets must arrive on it. */
  local?: string;
  multihop: boolean;
  /** max_hops: how far below 255 a received TTL may be (0 = exactly 255, the rfc5881 rule). */
  maxHops: number;
}

export interface BfdDatagram {
  payload: Uint8Array;
  /** Canonical source address. */
  from: string;
  /** Local address it arrived on, when the socket reports it. */
  to?: string;
  /** Destination UDP port (which listening socket took it). */
  port: number;
  /** Received TTL / hop limit; undefined when the kernel did not report it. */
  ttl: number | undefined;
}

export type BfdDemuxResult =
  { ok: true; session: string; packet: BfdControl } | { ok: false; reason: BfdRejectReason };

/** rfc5881 §5 (GTSM): single-hop needs TTL 255; max_hops relaxes it to 255 - max_hops (rfc5883 §5). */
export function ttlAccepted(ttl: number | undefined, peer: BfdPeerKey): boolean {
  if (ttl === undefined) return false;
  return ttl >= BFD_TTL - peer.maxHops;
}

export function demuxBfd(d: BfdDatagram, peers: readonly BfdPeerKey[]): BfdDemuxResult {
  const decoded = decodeBfdControl(d.payload);
  if (!decoded.ok) return decoded;
  const p = decoded.packet;
  const multihop = d.port === BFD_MULTIHOP_PORT;
  const peer =
    p.yourDiscr !== 0
      ? peers.find((k) => k.localDiscr === p.yourDiscr)
      : peers.find(
          (k) =>
            k.neighbor === d.from &&
            k.multihop === multihop &&
            (k.local === undefined || d.to === undefined || k.local === d.to),
        );
  if (!peer || peer.neighbor !== d.from) return { ok: false, reason: 'no-session' };
  if (!ttlAccepted(d.ttl, peer)) return { ok: false, reason: 'bad-ttl' };
  return { ok: true, session: peer.name, packet: p };
}

/** Reject counters, one per reason. */
export type BfdRejectCounts = Partial<Record<BfdRejectReason, number>>;

export function countReject(counts: BfdRejectCounts, reason: BfdRejectReason): BfdRejectCounts {
  return { ...counts, [reason]: (counts[reason] ?? 0) + 1 };
}
