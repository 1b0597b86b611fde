// Shared helpers for the core/lb tests: build services the way ipvsadm does (-A, then -a per server),
// and run sequences of decisions.
import { createVirtualService } from '../../../core/lb/index.ts';
import type {
  Request,
  SchedulerName,
  ServerId,
  VirtualService,
  VirtualServiceOptions,
} from '../../../core/lb/index.ts';

export const REQ: Request = {
  saddr: '192.0.2.1',
  daddr: '198.51.100.1',
  sport: 40000,
  dport: 80,
  proto: 'tcp',
};

/** A deterministic random(n) for tests (xorshift32), so twos can be driven. */
export const seededRandom = (seed = 0x9e3779b9): ((n: number) => number) => {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
};

export interface ServerDef {
  id: string;
  weight: number;
  addr?: string;
  port?: number;
  uThreshold?: number;
  lThreshold?: number;
}

/** The address a test server gets unless it names one: 10.0.0.<n> from its position in `defs`. */
export const addrOf = (i: number): string => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;

/**
 * A service whose servers are given IN LIST ORDER (index 0 = first visited). They are added in the
 * reverse order, because each new destination goes to the head of the kernel's list.
 */
export const serviceInListOrder = (
  scheduler: SchedulerName,
  defs: readonly ServerDef[],
  options: Partial<VirtualServiceOptions> = {},
): VirtualService => {
  const vs = createVirtualService({
    scheduler,
    flags: {},
    port: 80,
    fwmark: 0,
    random: seededRandom(),
    ...options,
  });
  for (let i = defs.length - 1; i >= 0; i--) {
    const d = defs[i]!;
    vs.addServer({
      id: d.id,
      addr: d.addr ?? addrOf(i),
      port: d.port ?? 80,
      weight: d.weight,
      ...(d.uThreshold === undefined ? {} : { uThreshold: d.uThreshold }),
      ...(d.lThreshold === undefined ? {} : { lThreshold: d.lThreshold }),
    });
  }
  return vs;
};

/** Like serviceInListOrder, but the scheduler is bound with every dest present ("bulk" init_service). */
export const boundOverList = (
  scheduler: SchedulerName,
  defs: readonly ServerDef[],
  options: Partial<VirtualServiceOptions> = {},
): VirtualService => {
  const other: SchedulerName = scheduler === 'rr' ? 'lc' : 'rr';
  const vs = serviceInListOrder(other, defs, options);
  vs.setScheduler(scheduler);
  return vs;
};

export const ids = (vs: VirtualService): ServerId[] => vs.servers().map((s) => s.id);

/** `n` decisions for the same request, joined as a string of ids ('-' for null). */
export const run = (vs: VirtualService, n: number, req: Request = REQ): string =>
  Array.from({ length: n }, () => {
    const id = vs.schedule(req);
    return id === null ? '-' : String(id);
  }).join('');
