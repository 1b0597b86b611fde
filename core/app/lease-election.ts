/*
 * Lease-based election: the VRRP instance reducer of core/vrrp (priorities, preemption, Master_Down timing
 * exactly as on the wire), with adverts carried by a LeaseTransport (Redis pub/sub) instead of IP packets,
 * and mastership backed by a lease with a fencing epoch.
 *
 *   transport advert ─► ReceivedAdvert ─► step() ─► effects:
 *   timer fired ─────────────────────────►  │        send-advert  → publish (+ renew the lease while MASTER)
 *   start / stop ────────────────────────►  │        add-vips     → claim the lease → onMaster(epoch)
 *                                           │        remove-vips  → release the lease → onBackup()
 *                                           │        arm/cancel   → TimerService
 *
 * Events run one at a time. A node that loses its lease (renew → conflict) reports it at once through
 * onLeaseLost: its epoch is stale from that moment, so providers refuse its calls even before the
 * reducer, hearing the new master's advert, moves it to BACKUP.
 */
import type { Epoch } from '../model/index.ts';
import type { Clock, LeaseAdvert, LeaseTransport, Logger, TimerService } from '../ports/index.ts';
import {
  initialInstanceState,
  makeInstanceSpec,
  step,
  type InstanceEvent,
  type InstanceState,
  type VrrpEffect,
} from '../vrrp/index.ts';
import { masterDownMs } from '../vrrp/index.ts';

export interface LeaseElectionOptions {
  scope: string;
  node: string;
  /** This node's address (VRRP tie-break between equal priorities: the higher address wins). */
  address: string;
  /** 1..254. */
  priority: number;
  /** Advert interval; Master_Down = 3 × interval + skew (rfc5798 §6.1). Multiple of 10 ms. */
  intervalMs: number;
  preempt?: boolean;
  preemptDelayMs?: number;
  vips?: string[];
  transport: LeaseTransport;
  timers: TimerService;
  clock: Clock;
  logger: Logger;
  onMaster?: (epoch: Epoch) => void | Promise<void>;
  onBackup?: () => void | Promise<void>;
  onLeaseLost?: (epoch: Epoch) => void;
  /** How late an advert from the current master arrived after it was due (ms); for the lateness metric. */
  onAdvertLateness?: (lateMs: number) => void;
}

export interface LeaseElection {
  start(): Promise<void>;
  /** Steps down (priority-0 advert, lease released) and stops. */
  stop(): Promise<void>;
  readonly role: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';
  /** The fencing epoch while MASTER with the lease, else null. */
  readonly epoch: Epoch | null;
}

/** VRRP group address used as the (virtual) destination of transported adverts. */
const VRRP_MCAST_V4 = '224.0.0.18';

export function createLeaseElection(o: LeaseElectionOptions): LeaseElection {
  const made = makeInstanceSpec({
    name: `lease:${o.scope}`,
    vrid: 1,
    version: 3,
    family: 'ipv4',
    priority: o.priority,
    advertIntervalMs: o.intervalMs,
    preempt: o.preempt ?? true,
    preemptDelayMs: o.preemptDelayMs ?? 0,
    sourceIp: o.address,
    vips: o.vips ?? [],
    garp: { masterDelayMs: 0, masterRepeat: 0, lowerPrioRepeat: 0 },
  });
  if (!made.ok) throw new Error(`lease election ${o.scope}: ${made.errors.join('; ')}`);
  const spec = made.spec;
  /** The lease outlives one advert gap by at most Master_Down of a priority-255 node: it lapses before any backup takes over. */
  const leaseTtlMs = Math.ceil(masterDownMs(3, 255, o.intervalMs));
  let state: InstanceState = initialInstanceState(spec);
  let epoch: Epoch | null = null;
  let chain: Promise<void> = Promise.resolve();
  let sub: { close(): Promise<void> } | null = null;
  const lastHeard = new Map<string, number>();
  const log = o.logger.child({ scope: o.scope, node: o.node });

  const feed = (event: InstanceEvent): Promise<void> => {
    chain = chain.then(async () => {
      const r = step(state, event, o.clock.monotonicMs());
      state = r.state;
      for (const fx of r.effects) await run(fx);
    });
    chain.catch((err: unknown) => log.error('lease election step failed', { reason: String(err) }));
    return chain;
  };

  async function run(fx: VrrpEffect): Promise<void> {
    switch (fx.kind) {
      case 'arm-timer':
        o.timers.arm(fx.id, fx.atMs, () => void feed({ kind: 'timer', timer: fx.timer }));
        return;
      case 'cancel-timer':
        o.timers.cancel(fx.id);
        return;
      case 'send-advert': {
        const p = await o.transport.publish({
          scope: o.scope,
          node: o.node,
          address: o.address,
          priority: fx.advert.priority,
          intervalMs: o.intervalMs,
          vips: [...fx.advert.addresses],
          sentAtMs: o.clock.wallMs(),
        });
        if (p.kind !== 'ok') log.warn('advert not published', { reason: p.reason });
        if (epoch !== null && fx.advert.priority > 0) {
          const r = await o.transport.renew(o.scope, o.node, epoch, leaseTtlMs);
          if (r.kind === 'conflict') {
            const lost = epoch;
            epoch = null;
            log.warn('lease lost to another node', { epoch: lost });
            o.onLeaseLost?.(lost);
          }
        }
        return;
      }
      case 'add-vips': {
        const c = await o.transport.claim(o.scope, o.node, state.effectivePriority, o.address, leaseTtlMs);
        if (c.kind !== 'ok') {
          log.warn('became MASTER but could not claim the lease', { reason: c.reason });
          return;
        }
        epoch = c.value.epoch;
        await o.onMaster?.(epoch);
        return;
      }
      case 'remove-vips': {
        const had = epoch;
        epoch = null;
        if (had !== null) await o.transport.release(o.scope, o.node, had);
        await o.onBackup?.();
        return;
      }
      case 'report':
        log.debug('vrrp report', { report: fx.report.kind });
        return;
      default:
        return; // GARP and notify have no meaning over a lease transport
    }
  }

  const onAdvert = (a: LeaseAdvert): void => {
    if (a.node === o.node) return;
    const now = o.clock.monotonicMs();
    const prev = lastHeard.get(a.node);
    lastHeard.set(a.node, now);
    if (prev !== undefined && state.master?.address === a.address)
      o.onAdvertLateness?.(Math.max(0, now - prev - a.intervalMs));
    void feed({
      kind: 'advert',
      packet: {
        advert: {
          version: 3,
          vrid: 1,
          priority: a.priority,
          addresses: a.vips,
          maxAdvertIntervalCs: Math.round(a.intervalMs / 10),
        },
        ip: { family: 'ipv4', src: a.address, dst: VRRP_MCAST_V4, ttl: 255 },
        checksum: 0,
        checksumMode: 'pseudo-header',
      },
    });
  };

  return {
    async start() {
      const s = await o.transport.subscribe(o.scope, onAdvert);
      if (s.kind !== 'ok') throw new Error(`lease election ${o.scope}: cannot subscribe: ${s.reason}`);
      sub = s.value;
      await feed({ kind: 'start' });
    },
    async stop() {
      await feed({ kind: 'shutdown' });
      o.timers.cancelAll();
      await sub?.close();
      sub = null;
    },
    get role() {
      return state.state;
    },
    get epoch() {
      return epoch;
    },
  };
}
