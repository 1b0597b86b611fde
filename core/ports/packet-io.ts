/**
 * PacketIo: how VRRP advertisements reach the wire and come back (rfc5798 §5, rfc3768 §5).
 *
 * The core hands over the encoded VRRP message (header + addresses, + auth data for v2) and the IP-level
 * facts it needs; the adapter adds the IP header (TTL/hop limit 255), joins the multicast group, and
 * reports, for every received message, the IP-level facts the core must validate (TTL, addresses).
 *
 * @example
 * const off = io.onReceive((m) => engine.receive(m));
 * io.send({ destination: '224.0.0.18', payload });
 */
export interface PacketIo {
  /** Sends one advertisement; false when the kernel refused it right now (buffer full, link down). */
  send(advert: OutgoingAdvert): boolean;
  /** Registers the receiver (one per PacketIo); returns a function that removes it. */
  onReceive(handler: (advert: ReceivedAdvert) => void): () => void;
  /** The default source address of sent adverts (the v3 pseudo-header checksum covers it). */
  readonly sourceAddress: string;
  /** Leaves the group and releases the socket. */
  close(): void;
  /**
   * Optional: keeps sending `advert` on the adapter's own timer, first in `firstInMs`, then every
   * `intervalMs`, without an event per send, until `stop()`. undefined when this advert cannot be
   * repeated so (the caller sends each one itself). A VRRP master hands its steady adverts over
   * (core/vrrp/fsm/steady.ts): at 10 ms adverts, waking for each one was most of the agent's CPU.
   */
  repeat?(advert: OutgoingAdvert, firstInMs: number, intervalMs: number): RepeatingAdvert | undefined;
  /**
   * Optional: from now on, copies of `advert` (the last one handed to the receiver, identical on the wire)
   * are counted by the adapter instead of handed over; every other advert still reaches the receiver.
   * `onDeadline` runs when no copy came for `deadlineInMs` (from now, then from each copy). undefined when
   * the adapter cannot (the caller keeps receiving each one). A VRRP backup hands its master's steady
   * adverts over (core/vrrp/router/steady-receive.ts).
   */
  absorb?(advert: ReceivedAdvert, deadlineInMs: number, onDeadline: () => void): AbsorbingAdverts | undefined;
}

/** Copies absorbed, and when the last came (ms after absorbing began). */
export interface AbsorbProgress {
  copies: number;
  lastAfterMs: number;
}

/** Adverts the adapter counts instead of handing them over (PacketIo.absorb). */
export interface AbsorbingAdverts {
  progress(): AbsorbProgress;
  /** Every advert reaches the receiver again; what `progress` would say, final. */
  stop(): AbsorbProgress;
}

/** How far a repeat got: adverts sent, when the last went out (ms after the repeat began), sends refused. */
export interface RepeatProgress {
  sent: number;
  lastAfterMs: number;
  failed: number;
}

/** An advert the adapter keeps sending (PacketIo.repeat). */
export interface RepeatingAdvert {
  progress(): RepeatProgress;
  /** Stops the sends; what `progress` would say, final. */
  stop(): RepeatProgress;
}

/** An advertisement to send. */
export interface OutgoingAdvert {
  /** Multicast group (224.0.0.18 / ff02::12 by default) or a unicast peer. */
  destination: string;
  /** The VRRP message: header, addresses and (v2) authentication data. */
  payload: Uint8Array;
  /** TTL / hop limit; 255 unless `unicast_ttl` says otherwise (rfc5798 §5.1.1.3). */
  ttl?: number;
  /** Source address when it differs from `sourceAddress` (instances sharing an interface). */
  source?: string;
  /**
   * IPv4 only: `payload` is the whole datagram, IP header included, to be sent as it is (adverts inside an
   * IPsec AH, whose ICV covers the header; `destination` still says where to).
   */
  ipv4Datagram?: boolean;
}

/** An advertisement as received, with the IP header facts the validation rules need. */
export interface ReceivedAdvert {
  family: 4 | 6;
  /** IP source address. */
  source: string;
  /** IP destination address (group or our unicast address). */
  destination: string;
  /** IPv4 TTL or IPv6 hop limit as received (must be 255 for multicast: rfc5798 §7.1). */
  ttl: number;
  /** The VRRP message (IP header removed); with `protocol` 51 the AH and the VRRP message after it. */
  payload: Uint8Array;
  /** IPv4 Protocol when it is not 112: 51 for an advert inside an IPsec AH. */
  protocol?: number;
  /** IPv4: the header as received (options included); the AH ICV covers it. */
  ipHeader?: Uint8Array;
}
