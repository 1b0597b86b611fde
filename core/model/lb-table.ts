/**
 * The LB table as values: virtual services, their real servers, and the operations that change them.
 * Shared by the planner (core/lb/plan.ts), the LbDataplane port and its adapters (IPVS, nftables).
 */

export type LbFamily = 'inet' | 'inet6';
export type LbProtocol = 'tcp' | 'udp' | 'sctp';
/** IPVS forwarding methods: masquerading (NAT), direct routing, tunnelling. */
export type LbForwarding = 'nat' | 'dr' | 'tun';

/** What identifies a virtual service: an address/protocol/port triple, or a firewall mark. */
export type LbServiceKey =
  | { kind: 'addr'; family: LbFamily; protocol: LbProtocol; addr: string; port: number }
  | { kind: 'fwmark'; family: LbFamily; fwmark: number };

/** Scheduler flag bits as IPVS names them (`ipvsadm -b`): flag-1 = sh/mh-fallback, flag-2 = sh/mh-port. */
export interface LbSchedFlags {
  flag1: boolean;
  flag2: boolean;
  flag3: boolean;
}

export interface LbPersistence {
  /** Seconds. */
  timeout: number;
  /** Prefix length of the client-address mask (IPv4 0..32, IPv6 1..128). */
  prefix: number;
  /** Persistence engine, e.g. `sip`; null for none. */
  engine: string | null;
}

export interface LbTunnel {
  type: 'ipip' | 'gue' | 'gre';
  /** UDP port for GUE; 0 otherwise. */
  port: number;
  csum: 'nocsum' | 'csum' | 'remcsum';
}

export interface LbCounters {
  conns: number;
  inPkts: number;
  outPkts: number;
  inBytes: number;
  outBytes: number;
}

export interface LbDestination {
  /** Canonical text address: dotted IPv4, or lowercase compressed IPv6. */
  addr: string;
  port: number;
  family: LbFamily;
  forwarding: LbForwarding;
  weight: number;
  uThreshold: number;
  lThreshold: number;
  /** Only for `tun`; null means IPIP without options. */
  tunnel: LbTunnel | null;
  /** Read back from the data plane; ignored by apply. */
  activeConns?: number;
  inactConns?: number;
  persistConns?: number;
  stats?: LbCounters;
}

export interface LbService {
  key: LbServiceKey;
  /** IPVS scheduler name (`rr`, `wrr`, ... or `none`). */
  scheduler: string;
  flags: LbSchedFlags;
  /** One-packet scheduling (UDP). */
  onePacket: boolean;
  persistence: LbPersistence | null;
  /**
   * Desired tables: the order to add them in (config order). Tables read back: the data plane's own list
   * order (IPVS puts each new destination at the head of its list, so a dump is the reverse of the adds).
   */
  destinations: LbDestination[];
  stats?: LbCounters;
}

/** Global connection timeouts in seconds; 0 leaves the data plane's value unchanged (as IPVS does). */
export interface LbTimeouts {
  tcp: number;
  tcpFin: number;
  udp: number;
}

export interface LbTable {
  services: LbService[];
  timeouts?: LbTimeouts;
}

/** One change. Service and destination payloads are complete entries (IPVS has no "unchanged" field). */
export type LbOp =
  | { kind: 'add-service'; service: Omit<LbService, 'destinations'> }
  | { kind: 'edit-service'; service: Omit<LbService, 'destinations'> }
  | { kind: 'delete-service'; key: LbServiceKey }
  | { kind: 'add-dest'; service: LbServiceKey; dest: LbDestination }
  | { kind: 'edit-dest'; service: LbServiceKey; dest: LbDestination }
  | { kind: 'delete-dest'; service: LbServiceKey; dest: Pick<LbDestination, 'addr' | 'port' | 'family'> }
  | { kind: 'set-timeouts'; timeouts: LbTimeouts };

export interface LbCapabilities {
  schedulers: readonly string[];
  forwarding: readonly LbForwarding[];
  families: readonly LbFamily[];
  protocols: readonly LbProtocol[];
  fwmark: boolean;
  persistence: boolean;
  /** All operations of one apply land together (nftables) rather than one by one (IPVS). */
  atomic: boolean;
}
