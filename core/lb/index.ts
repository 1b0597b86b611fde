/**
 * core/lb: the fourteen IPVS schedulers with the kernel's semantics (see
 * ../../../shared/reference/ipvs-schedulers.md), persistence, connection accounting, and the
 * virtual-service object that conformance tools drive.
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
