/**
 * BFD control packets on the wire (rfc5881 single-hop UDP 3784, rfc5883 multihop 4784). The adapter opens
 * the listening socket(s) and one sending socket per session; the core decodes, validates and demultiplexes.
 *
 * @example
 * const io = openBfdTransport([{ name: 'b1', neighbor: '10.0.0.2', multihop: false, ttl: 255 }]);
 * io.onReceive((d) => bfd.receive(d));
 * io.send('b1', encodeBfdControl(packet));
 */
export interface BfdEndpoint {
  /** bfd_instance name. */
  name: string;
  /** neighbor_ip. */
  neighbor: string;
  /** source_ip: the sending socket binds to it. */
  source?: string;
  multihop: boolean;
  /** TTL (IPv4) / hop limit (IPv6) stamped on sent packets. */
  ttl: number;
}

/** One received UDP datagram with what the kernel told about it. */
export interface BfdReceived {
  payload: Uint8Array;
  /** Canonical source address. */
  from: string;
  /** Local destination address, when reported (IP_PKTINFO / IPV6_PKTINFO). */
  to?: string;
  /** Destination port: 3784 or 4784. */
  port: number;
  /** Received TTL / hop limit (IP_RECVTTL / IPV6_RECVHOPLIMIT); undefined when not reported. */
  ttl: number | undefined;
}

export interface BfdTransport {
  /** Sends one control packet for session `name` to its neighbour; false when it could not be sent. */
  send(name: string, payload: Uint8Array): boolean;
  /** Registers the handler of every received datagram (one handler). */
  onReceive(handler: (d: BfdReceived) => void): void;
  close(): void;
}
