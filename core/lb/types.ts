import type { Address } from './address.ts';

/** A real server's identifier as the caller chose it. */
export type ServerId = string | number;

/** The IPVS scheduler names, as keepalived forwards them to the kernel. */
export const SCHEDULER_NAMES = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'sed',
  'nq',
  'dh',
  'sh',
  'lblc',
  'lblcr',
  'mh',
  'fo',
  'ovf',
  'twos',
] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

/** `dest->flags` bits (include/net/ip_vs.h). */
export const DEST_F = {
  /** IP_VS_DEST_F_AVAILABLE: linked into the service (cleared while the dest sits in the trash). */
  AVAILABLE: 0x1,
  /** IP_VS_DEST_F_OVERLOAD: set and cleared only by the connection layer and by edits. */
  OVERLOAD: 0x2,
} as const;

/** `svc->flags` bits the schedulers read (include/uapi/linux/ip_vs.h). */
export const SVC_F = {
  /** IP_VS_SVC_F_PERSISTENT */
  PERSISTENT: 0x1,
  /** IP_VS_SVC_F_SCHED1 = IP_VS_SVC_F_SCHED_SH_FALLBACK = IP_VS_SVC_F_SCHED_MH_FALLBACK */
  SCHED1: 0x08,
  /** IP_VS_SVC_F_SCHED2 = IP_VS_SVC_F_SCHED_SH_PORT = IP_VS_SVC_F_SCHED_MH_PORT */
  SCHED2: 0x10,
} as const;

/** IP protocol numbers the schedulers care about. */
export const IPPROTO = { IP: 0, ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132 } as const;

/**
 * What a scheduler may read of a destination (`struct ip_vs_dest`). The virtual service owns the
 * record; schedulers only read it, and compare records by identity (as the kernel compares pointers).
 */
export interface DestView {
  readonly id: ServerId;
  readonly addr: Address;
  readonly port: number;
  readonly weight: number;
  /** Last non-zero weight (used by mh only). */
  readonly lastWeight: number;
  readonly activeConns: number;
  readonly inactConns: number;
  readonly persistConns: number;
  readonly flags: number;
  readonly uThreshold: number;
  readonly lThreshold: number;
}

/** The packet fields a scheduler may look at (rule book §0.7). */
export interface Packet {
  readonly saddr: Address;
  readonly daddr: Address;
  readonly sport: number;
  readonly dport: number;
  readonly proto: number;
}

/** What the service hands every scheduler hook besides the list. */
export interface SchedEnv {
  /** `svc->flags` (SVC_F bits). */
  readonly svcFlags: number;
  /** The service clock, in seconds (the last `time` seen). */
  readonly now: number;
  /** get_random_u32_below(n): an integer in [0, n). */
  readonly random: (n: number) => number;
  /** sysctl lblc_expiration, seconds. */
  readonly lblcExpiration: number;
  /** sysctl lblcr_expiration, seconds. */
  readonly lblcrExpiration: number;
}

/** A pick: the chosen destination (or null, "no destination available") and the successor state. */
export interface Pick<S> {
  readonly dest: DestView | null;
  readonly state: S;
}

/**
 * One IPVS scheduler (`struct ip_vs_scheduler`): hooks that build state from the destination list, and
 * a pure pick. `servers` is always the list in kernel order (index 0 = first dest visited). A hook
 * returns the successor state; a caller must use that and drop the one it passed in (the locality
 * caches of lblc/lblcr are handed over, not copied).
 */
export interface Scheduler<S> {
  readonly name: SchedulerName;
  /** init_service: bind to the service over its current list. */
  init(servers: readonly DestView[], env: SchedEnv): S;
  /** add_dest: `dest` was just linked at the head of `servers`. */
  addDest?(state: S, servers: readonly DestView[], dest: DestView): S;
  /** del_dest: `dest` was just unlinked from `formerIndex`; `servers` no longer holds it. */
  delDest?(state: S, servers: readonly DestView[], dest: DestView, formerIndex: number): S;
  /** upd_dest: runs on every edit of `dest`, even one that changes nothing. */
  updDest?(state: S, servers: readonly DestView[], dest: DestView): S;
  /** schedule: pick a destination for a new connection. */
  pick(state: S, servers: readonly DestView[], packet: Packet, env: SchedEnv): Pick<S>;
  /** The bucket table (dh, sh, mh). */
  table?(state: S): readonly (DestView | null)[];
}

/** A scheduler with its state type erased, for the registry. */
export type AnyScheduler = Scheduler<unknown>;

/** Erase a scheduler's state type (the service keeps the state opaque). */
export const defineScheduler = <S>(scheduler: Scheduler<S>): AnyScheduler =>
  scheduler as unknown as AnyScheduler;
