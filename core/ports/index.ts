export type * from './clock.ts';
export type * from './random.ts';
export type * from './logger.ts';
export type * from './vip-provider.ts';
export type * from './lb-dataplane.ts';
export type * from './probe.ts';
export type * from './packet-io.ts';
export type * from './address-manager.ts';
