/**
 * core/lb: the fourteen IPVS schedulers with the kernel's semantics (net/netfilter/ipvs/ip_vs_*.c of
 * Linux 6.x), persistence, connection accounting, and the
 * virtual-service object that conformance tools drive.
 *
 * Modelling choices, where the rule book leaves room:
 * - `schedule()` binds no normal connection: callers count connections with bind/unbind/setConns.
 *   A persistent service does create templates, which count in `persistConns` (bind runs the
 *   u_threshold check) and are unbound when their timer fires.
 * - Time is the `time` of the requests (seconds), never read from a clock; without `time` the last
 *   value is reused, and it may not go backwards. The lblc/lblcr collector ticks every 60 s from the
 *   time the scheduler was bound (the service clock then, 0 for a new service).
 * - A template rejected by ip_vs_check_template keeps counting until its own timer fires, as the
 *   kernel's unhashed template does.
 * - `servers()[i].flags` is `dest->flags`: AVAILABLE (0x1) is set on every listed server, OVERLOAD is
 *   0x2 (DEST_F). sh-* and mh-* flags share the kernel's SCHED1/SCHED2 bits.
 * - `setScheduler(name)` with the name already bound does nothing (ip_vs_edit_service re-binds only
 *   on a change). twos needs `random`; creating or switching to it without one is refused.
 * - Bad input throws an LbInputError naming the call and field, before anything changes (the API
 *   returns ids, so there is no Outcome to carry the error).
 *
 * @example
 *   const vs = createVirtualService({ scheduler: 'wrr', flags: {}, port: 80, fwmark: 0 });
 *   vs.addServer({ id: 'c', addr: '10.0.0.3', port: 80, weight: 2 });
 *   vs.schedule({ saddr: '192.0.2.1', daddr: '198.51.100.1', sport: 40000, dport: 80, proto: 'tcp' });
 */
export { createVirtualService } from './virtual-service.ts';
export type {
  Request,
  ServerEdit,
  ServerSnapshot,
  ServerSpec,
  VirtualService,
  VirtualServiceOptions,
} from './virtual-service.ts';
export { schedulers, isSchedulerName } from './registry.ts';
export { DEST_F, SVC_F, IPPROTO, SCHEDULER_NAMES, defineScheduler } from './types.ts';
export type {
  AnyScheduler,
  DestView,
  Packet,
  Pick,
  SchedEnv,
  Scheduler,
  SchedulerName,
  ServerId,
} from './types.ts';
export type { ConnKind } from './accounting.ts';
export { LbInputError } from './errors.ts';
export { parseAddress } from './address.ts';
export type { Address } from './address.ts';
export { hash32, gcd, fls } from './hash.ts';
export { siphash24, hsiphash, hsiphash1u32, sipKey } from './siphash.ts';
export type { SipKey } from './siphash.ts';
export { MH_TAB_SIZE, MH_HASH1, MH_HASH2, mhHashKey } from './schedulers/mh.ts';
export { SH_TAB_SIZE, shHashKey } from './schedulers/sh.ts';
export { DH_TAB_SIZE, dhHashKey } from './schedulers/dh.ts';
export * from './rules-api.ts';
