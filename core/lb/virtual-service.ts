import { parseAddress } from './address.ts';
import type { Address } from './address.ts';
import { bindConn, counterOf, unbindConn } from './accounting.ts';
import type { ConnKind, Counted } from './accounting.ts';
import { LbInputError } from './errors.ts';
import { DEFAULT_EXPIRATION } from './locality-cache.ts';
import {
  addTemplate,
  lookup,
  newTemplateTable,
  persistenceConfig,
  purge,
  templateKey,
} from './persistence.ts';
import type { PersistenceConfig, PersistenceOptions, TemplateTable } from './persistence.ts';
import { isSchedulerName, schedulers } from './registry.ts';
import { DEST_F, SVC_F } from './types.ts';
import type { AnyScheduler, DestView, Packet, SchedEnv, SchedulerName, ServerId } from './types.ts';
import {
  INT_MAX,
  U32_MAX,
  intIn,
  optionalBool,
  optionalIntIn,
  positiveSeconds,
  protocol,
  record,
  serverId,
} from './validate.ts';

/** Options of `createVirtualService` (an IPVS service, `struct ip_vs_service`). */
export interface VirtualServiceOptions {
  scheduler: SchedulerName;
  /** Scheduler flags; sh-* and mh-* share the kernel's SCHED1 (fallback) and SCHED2 (port) bits. */
  flags?: { shFallback?: boolean; shPort?: boolean; mhFallback?: boolean; mhPort?: boolean };
  /** The service port (0 for a port-zero or fwmark service). */
  port?: number;
  /** The firewall mark (0 = not a fwmark service). */
  fwmark?: number;
  /** Present = persistent service (`-p timeout -M netmask`). */
  persistence?: PersistenceOptions;
  /** sysctl lblcr_expiration, seconds (default 24 h). */
  lblcrExpiration?: number;
  /** sysctl lblc_expiration, seconds (default 24 h); an extension beyond the conformance API. */
  lblcExpiration?: number;
  /** get_random_u32_below(n): an integer in [0, n). Required by twos. */
  random?: ((n: number) => number) | { below(n: number): number };
}

export interface ServerSpec {
  id: ServerId;
  addr: string;
  port: number;
  weight: number;
  uThreshold?: number;
  lThreshold?: number;
}

export interface ServerEdit {
  weight?: number;
  uThreshold?: number;
  lThreshold?: number;
}

export interface Request {
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  proto: number | string;
  /** Seconds; drives persistence and the lblc/lblcr collectors. Defaults to the last time seen. */
  time?: number;
}

export interface ServerSnapshot {
  id: ServerId;
  weight: number;
  activeConns: number;
  inactConns: number;
  persistConns: number;
  /** `dest->flags`: AVAILABLE = 0x1 (always set on a listed server), OVERLOAD = 0x2. */
  flags: number;
}

export interface VirtualService {
  addServer(spec: ServerSpec): void;
  editServer(id: ServerId, edit: ServerEdit): void;
  removeServer(id: ServerId): void;
  setScheduler(name: SchedulerName): void;
  schedule(request: Request): ServerId | null;
  bind(id: ServerId, kind: ConnKind): void;
  unbind(id: ServerId, kind: ConnKind): void;
  setOverload(id: ServerId, on: boolean): void;
  setConns(id: ServerId, conns: { activeConns?: number; inactConns?: number; persistConns?: number }): void;
  servers(): ServerSnapshot[];
  /** The bucket table of dh, sh and mh (bucket -> id, null for an empty bucket); null for the others. */
  table(): (ServerId | null)[] | null;
  /** The scheduler bound now. */
  readonly scheduler: SchedulerName;
}

/** The service's own record of a destination: what schedulers read, plus what the service changes. */
interface Dest extends Counted {
  id: ServerId;
  readonly addr: Address;
  readonly port: number;
  weight: number;
  lastWeight: number;
}

const CONN_KINDS: readonly ConnKind[] = ['active', 'inactive', 'persist'];

const connKind = (value: unknown, field: string): ConnKind => {
  if (CONN_KINDS.includes(value as ConnKind)) return value as ConnKind;
  throw new LbInputError(field, `expected one of ${CONN_KINDS.join(', ')}, got ${String(value)}`);
};

const schedulerName = (value: unknown, field: string): SchedulerName => {
  if (isSchedulerName(value)) return value;
  throw new LbInputError(field, `unknown scheduler ${JSON.stringify(value)}`);
};

const randomSource = (value: unknown): ((n: number) => number) | null => {
  if (value === undefined) return null;
  if (typeof value === 'function') return value as (n: number) => number;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { below?: unknown }).below === 'function'
  ) {
    const port = value as { below(n: number): number };
    return (n) => port.below(n);
  }
  throw new LbInputError('random', 'expected a function random(n) -> integer in [0, n), or a Random port');
};

/**
 * One IPVS virtual service: its destination list in kernel order, the trash of removed destinations,
 * the bound scheduler and its state, and the persistence templates. Every method checks all of its
 * input before it changes anything, and throws an LbInputError naming the field.
 */
export const createVirtualService = (options: VirtualServiceOptions): VirtualService => {
  const o = record(options, 'createVirtualService');
  let schedName = schedulerName(o['scheduler'], 'scheduler');
  const flags = o['flags'] === undefined ? {} : record(o['flags'], 'flags');
  const fallback =
    optionalBool(flags['shFallback'], 'flags.shFallback') ||
    optionalBool(flags['mhFallback'], 'flags.mhFallback');
  const portFlag =
    optionalBool(flags['shPort'], 'flags.shPort') || optionalBool(flags['mhPort'], 'flags.mhPort');
  const svcPort = optionalIntIn(o['port'], 'port', 0, 65535, 0);
  const fwmark = optionalIntIn(o['fwmark'], 'fwmark', 0, U32_MAX, 0);
  const persistence: PersistenceConfig | null =
    o['persistence'] === undefined ? null : persistenceConfig(o['persistence']);
  const lblcrExpiration = positiveSeconds(o['lblcrExpiration'], 'lblcrExpiration', DEFAULT_EXPIRATION);
  const lblcExpiration = positiveSeconds(o['lblcExpiration'], 'lblcExpiration', DEFAULT_EXPIRATION);
  const userRandom = randomSource(o['random']);
  const requireRandom = (name: SchedulerName, field: string): void => {
    if (name === 'twos' && userRandom === null) {
      throw new LbInputError(field, 'the twos scheduler draws random numbers: pass random(n)');
    }
  };
  requireRandom(schedName, 'scheduler');

  const svcFlags =
    (persistence ? SVC_F.PERSISTENT : 0) | (fallback ? SVC_F.SCHED1 : 0) | (portFlag ? SVC_F.SCHED2 : 0);
  const random = (n: number): number => {
    const r = userRandom!(n);
    if (!Number.isInteger(r) || r < 0 || r >= n) {
      throw new LbInputError(
        'random',
        `random(${n}) must return an integer in [0, ${n}), returned ${String(r)}`,
      );
    }
    return r;
  };
  const env: { -readonly [K in keyof SchedEnv]: SchedEnv[K] } = {
    svcFlags,
    now: 0,
    random,
    lblcExpiration,
    lblcrExpiration,
  };

  /** svc->destinations, in list order (index 0 = head side). */
  const list: Dest[] = [];
  const trash: Dest[] = [];
  const templates: TemplateTable<Dest> = newTemplateTable();
  let sched: AnyScheduler = schedulers[schedName];
  let state: unknown = sched.init(list, env);

  const live = (id: ServerId, field: string): Dest => {
    const d = list.find((x) => x.id === id);
    if (d === undefined)
      throw new LbInputError(field, `no server with id ${JSON.stringify(id)} in the service`);
    return d;
  };
  /** A listed server, or else one in the trash (its connections still count there). */
  const anyDest = (id: ServerId, field: string): Dest =>
    list.find((x) => x.id === id) ?? trash.find((x) => x.id === id) ?? live(id, field);

  const thresholds = (u: number, l: number, field: string): void => {
    if (l > u) throw new LbInputError(field, `lower threshold ${l} is higher than upper threshold ${u}`);
  };

  /** __ip_vs_update_dest, the part shared by add and edit. */
  const update = (d: Dest, weight: number, u: number, l: number, add: boolean): void => {
    d.weight = weight;
    if (add || weight !== 0) d.lastWeight = weight;
    d.flags |= DEST_F.AVAILABLE;
    if (u === 0 || u > d.uThreshold) d.flags &= ~DEST_F.OVERLOAD;
    d.uThreshold = u;
    d.lThreshold = l;
  };

  const service: VirtualService = {
    get scheduler() {
      return schedName;
    },

    addServer(spec) {
      const s = record(spec, 'addServer');
      const id = serverId(s['id'], 'addServer.id');
      const addr = parseAddress(s['addr'], 'addServer.addr');
      const port = intIn(s['port'], 'addServer.port', 0, 65535);
      const weight = intIn(s['weight'], 'addServer.weight', 0, INT_MAX);
      const u = optionalIntIn(s['uThreshold'], 'addServer.uThreshold', 0, U32_MAX, 0);
      const l = optionalIntIn(s['lThreshold'], 'addServer.lThreshold', 0, U32_MAX, 0);
      thresholds(u, l, 'addServer.lThreshold');
      if (list.some((x) => x.id === id)) {
        throw new LbInputError(
          'addServer.id',
          `a server with id ${JSON.stringify(id)} is already in the service`,
        );
      }
      if (list.some((x) => x.addr.key === addr.key && x.port === port)) {
        throw new LbInputError(
          'addServer.addr',
          `${String(s['addr'])} port ${port} is already in the service`,
        );
      }
      // ip_vs_trash_get_dest: a removed dest with the same address and port comes back, counters and all.
      const t = trash.findIndex((x) => x.addr.key === addr.key && x.port === port);
      let d: Dest;
      if (t >= 0) {
        d = trash[t]!;
        trash.splice(t, 1);
        d.id = id;
      } else {
        d = {
          id,
          addr,
          port,
          weight: 0,
          lastWeight: 0,
          activeConns: 0,
          inactConns: 0,
          persistConns: 0,
          flags: 0,
          uThreshold: 0,
          lThreshold: 0,
        };
      }
      update(d, weight, u, l, true);
      list.unshift(d);
      if (sched.addDest) state = sched.addDest(state, list, d);
    },

    editServer(id, edit) {
      const d = live(id, 'editServer.id');
      const e = record(edit, 'editServer');
      const weight = optionalIntIn(e['weight'], 'editServer.weight', 0, INT_MAX, d.weight);
      const u = optionalIntIn(e['uThreshold'], 'editServer.uThreshold', 0, U32_MAX, d.uThreshold);
      const l = optionalIntIn(e['lThreshold'], 'editServer.lThreshold', 0, U32_MAX, d.lThreshold);
      thresholds(u, l, 'editServer.lThreshold');
      update(d, weight, u, l, false);
      if (sched.updDest) state = sched.updDest(state, list, d);
    },

    removeServer(id) {
      const d = live(id, 'removeServer.id');
      const index = list.indexOf(d);
      // __ip_vs_unlink_dest: not AVAILABLE any more, unlinked, then del_dest.
      d.flags &= ~DEST_F.AVAILABLE;
      list.splice(index, 1);
      trash.push(d);
      if (sched.delDest) state = sched.delDest(state, list, d, index);
    },

    setScheduler(name) {
      const next = schedulerName(name, 'setScheduler');
      requireRandom(next, 'setScheduler');
      // ip_vs_edit_service re-binds only when the scheduler changes.
      if (next === schedName) return;
      schedName = next;
      sched = schedulers[next];
      state = sched.init(list, env);
    },

    schedule(request) {
      const r = record(request, 'schedule');
      const saddr = parseAddress(r['saddr'], 'schedule.saddr');
      const daddr = parseAddress(r['daddr'], 'schedule.daddr');
      const sport = intIn(r['sport'], 'schedule.sport', 0, 65535);
      const dport = intIn(r['dport'], 'schedule.dport', 0, 65535);
      const proto = protocol(r['proto'], 'schedule.proto');
      const time = r['time'];
      if (time !== undefined) {
        if (typeof time !== 'number' || !Number.isFinite(time)) {
          throw new LbInputError('schedule.time', `expected seconds as a number, got ${String(time)}`);
        }
        if (time < env.now) {
          throw new LbInputError('schedule.time', `time went backwards: ${time} < ${env.now}`);
        }
        env.now = time;
      }
      const packet: Packet = { saddr, daddr, sport, dport, proto };
      const pick = (): Dest | null => {
        const result = sched.pick(state, list, packet, env);
        state = result.state;
        return result.dest as Dest | null;
      };
      if (persistence === null) return pick()?.id ?? null;
      // ip_vs_sched_persist.
      const now = env.now;
      purge(templates, now, persistence.timeout, (d) => {
        if (d.persistConns > 0) unbindConn(d, 'persist');
      });
      const key = templateKey(persistence, { port: svcPort, fwmark }, packet);
      const found = lookup(templates, key, persistence.expireQuiescentTemplate);
      if (found !== null) {
        found.lastUse = now;
        return found.dest.id;
      }
      const dest = pick();
      if (dest === null) return null;
      bindConn(dest, 'persist');
      addTemplate(templates, key, dest, now, persistence.timeout);
      return dest.id;
    },

    bind(id, kind) {
      const k = connKind(kind, 'bind.kind');
      bindConn(anyDest(id, 'bind.id'), k);
    },

    unbind(id, kind) {
      const k = connKind(kind, 'unbind.kind');
      const d = anyDest(id, 'unbind.id');
      if (counterOf(d, k) <= 0) {
        throw new LbInputError(
          'unbind.kind',
          `server ${JSON.stringify(id)} has no ${k} connection to unbind`,
        );
      }
      unbindConn(d, k);
    },

    setOverload(id, on) {
      const d = anyDest(id, 'setOverload.id');
      if (typeof on !== 'boolean')
        throw new LbInputError('setOverload.on', `expected a boolean, got ${String(on)}`);
      if (on) d.flags |= DEST_F.OVERLOAD;
      else d.flags &= ~DEST_F.OVERLOAD;
    },

    setConns(id, conns) {
      const d = anyDest(id, 'setConns.id');
      const c = record(conns, 'setConns');
      const activeConns = optionalIntIn(c['activeConns'], 'setConns.activeConns', 0, INT_MAX, d.activeConns);
      const inactConns = optionalIntIn(c['inactConns'], 'setConns.inactConns', 0, INT_MAX, d.inactConns);
      const persistConns = optionalIntIn(
        c['persistConns'],
        'setConns.persistConns',
        0,
        INT_MAX,
        d.persistConns,
      );
      d.activeConns = activeConns;
      d.inactConns = inactConns;
      d.persistConns = persistConns;
    },

    servers() {
      return list.map((d) => ({
        id: d.id,
        weight: d.weight,
        activeConns: d.activeConns,
        inactConns: d.inactConns,
        persistConns: d.persistConns,
        flags: d.flags,
      }));
    },

    table() {
      if (!sched.table) return null;
      return sched.table(state).map((d: DestView | null) => (d === null ? null : d.id));
    },
  };
  return service;
};
