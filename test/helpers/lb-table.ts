// LB table values for tests: a destination and a service with IPVS's defaults, overridable field by field.
import type { LbDestination, LbService } from '../../core/ports/index.ts';

/** A destination; the family follows the address. */
export const lbDest = (
  addr: string,
  port: number,
  forwarding: LbDestination['forwarding'],
  weight: number,
  extra: Partial<LbDestination> = {},
): LbDestination => ({
  addr,
  port,
  family: addr.includes(':') ? 'inet6' : 'inet',
  forwarding,
  weight,
  uThreshold: 0,
  lThreshold: 0,
  tunnel: null,
  ...extra,
});

/** A service's own settings (no flags, no persistence), without its destinations. */
export const lbServiceHead = (
  key: LbService['key'],
  scheduler: string,
  extra: Partial<LbService> = {},
): Omit<LbService, 'destinations'> => ({
  key,
  scheduler,
  flags: { flag1: false, flag2: false, flag3: false },
  onePacket: false,
  persistence: null,
  ...extra,
});

/** A service with its destinations. */
export const lbService = (
  key: LbService['key'],
  scheduler: string,
  destinations: LbDestination[],
  extra: Partial<LbService> = {},
): LbService => ({ ...lbServiceHead(key, scheduler, extra), destinations, ...extra });
