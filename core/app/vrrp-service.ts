/**
 * The VRRP use case: runs the core/vrrp router reducer (every instance of this node, sync groups included)
 * and carries out its effects through ports. Nothing here touches the platform; the agent
 * (functions/agent) supplies the ports.
 *
 *   PacketIo.onReceive ─► stepRouter(packet) ─┐
 *   TimerService fires ─► stepRouter(timer)  ─┼─► effects, in order:
 *   start / shutdown  ──► stepRouter(...)    ─┘     send-advert  → encodeAdvert → PacketIo (group or peers)
 *                                                   add/remove   → AddressManager
 *                                                   send-garp    → Announcer (repeat, spacing)
 *                                                   arm/cancel   → TimerService
 *                                                   notify       → StateNotifier (ordered, awaited there)
 *                                                   report       → Logger
 *
 * Events are handled one at a time (one queue), so a step always sees the previous step's effects applied.
 * One PacketIo serves every instance on the same interface and address family.
 *
 * Steady adverts: after a master's advert timer, when the reducer says the next adverts would change nothing
 * but counters and the timer (core/vrrp/fsm/steady.ts), the service hands them to PacketIo.repeat and stops
 * its timer: no event per advert. Before anything else is stepped (a packet, a tracker, another timer,
 * status, reload, stop) it takes them back (#takeBack): the reducer learns how many went out and when the
 * last did, and the advert timer runs here again until the next one hands them over once more.
 * Steady receives likewise: a backup that has just heard its master's advert, when hearing it again would
 * only count it and re-arm the Master_Down_Timer (core/vrrp/router/steady-receive.ts), lets the PacketIo
 * count the identical copies (PacketIo.absorb) and stops that timer; the PacketIo calls back when no copy
 * came for a Master_Down_Interval, and hands over any other advert, which takes the copies back first.
 */
import type {
  AbsorbingAdverts,
  AddressManager,
  Announcer,
  Clock,
  InterfaceAddress,
  Logger,
  PacketIo,
  ReceivedAdvert as WireAdvert,
  RepeatingAdvert,
  StateNotifier,
  LinkWatcher,
  RouteManager,
  RouteOrRule,
  TimerService,
} from '../ports/index.ts';
import { describeEntry, RouteKeeper } from './route-keeper.ts';
import type { RoutesPlan } from './vrrp-routes-plan.ts';
import {
  afterSteadyAdverts,
  afterSteadyReceive,
  canonicalIp,
  encodeAdvert,
  encodeAhDatagram,
  parseTimerId,
  passAuthData,
  step,
  steadyAdverts,
  steadyReceive,
  timerId,
  TIMER_KINDS,
  type InstanceEvent,
  type InstanceState,
  type VrrpAdvert,
  type VrrpEffect,
  type VrrpInstanceSpec,
  type VrrpReport,
} from '../vrrp/index.ts';
import {
  createRouter,
  stepRouter,
  type RouterEvent,
  type RouterState,
  type SyncGroupSpec,
} from '../vrrp/router/index.ts';

/** One instance as the service runs it: the reducer's spec plus how it reaches the wire and the kernel. */
export interface VrrpInstanceBinding {
  spec: VrrpInstanceSpec;
  /** Interface adverts go out on (and GARPs, unless a VIP names its own `dev`). */
  interfaceName: string;
  /** Multicast group, or undefined for unicast instances (adverts go to spec.unicastPeers). */
  group?: string;
  /** TTL for unicast adverts (`unicast_ttl`). */
  unicastTtl?: number;
  /** How to configure each VIP (and excluded VIP), keyed by canonical address. */
  addresses: Record<string, InterfaceAddress>;
  /** `notify_deleted`: removal on reload notifies DELETED instead of keepalived's default FAULT. */
  notifyDeleted?: boolean;
}

export interface VrrpPlan {
  instances: VrrpInstanceBinding[];
  syncGroups: SyncGroupSpec[];
  /** virtual_routes / virtual_rules per instance, and the static_* blocks. */
  routes?: RoutesPlan;
}

/** What a PacketIo is opened for: one interface and family, joining `group` when given. */
export interface PacketIoRequest {
  interfaceName: string;
  family: 4 | 6;
  sourceAddress: string;
  group?: string;
  /** Also receive IPv4 protocol 51 (adverts inside an IPsec AH, `auth_type AH`). */
  ah?: boolean;
}

export interface VrrpServiceDeps {
  clock: Clock;
  addresses: AddressManager;
  announcer: Announcer;
  timers: TimerService;
  notifier: StateNotifier;
  logger: Logger;
  openPacketIo(request: PacketIoRequest): PacketIo;
  /** Interface up/down for tracked interfaces (`interface:NAME` trackers); none = every link stays up. */
  links?: LinkWatcher;
  /** Routes and rules (virtual_routes, static_routes, …); needed only when the plan has some. */
  routes?: RouteManager;
}

/** What `floatip status` shows per instance. */
export interface VrrpInstanceStatus {
  name: string;
  interfaceName: string;
  vrid: number;
  version: 2 | 3;
  state: string;
  basePriority: number;
  effectivePriority: number;
  master?: { address: string; priority: number; lastAdvertAgoMs: number };
  vips: string[];
  vipsPresent: boolean;
  advertIntervalMs: number;
  inStateForMs?: number;
  stats: Record<string, number>;
}

const ioKey = (interfaceName: string, family: 'ipv4' | 'ipv6') => `${interfaceName}|${family}`;

export class VrrpService {
  #deps: VrrpServiceDeps;
  #router: RouterState | undefined;
  #bindings = new Map<string, VrrpInstanceBinding>();
  #ios = new Map<string, PacketIo>();
  /** PacketIos opened with `ah` (they also receive IPv4 protocol 51). */
  #ioAh = new Set<string>();
  #vipsPresent = new Map<string, boolean>();
  /** What each open PacketIo was opened for, to open it again. */
  #ioRequests = new Map<string, PacketIoRequest>();
  /** Interfaces reported deleted and not back yet. */
  #gone = new Set<string>();
  /** Bumped per instance when it is replaced or removed, so its late GARP bursts stop. */
  #generation = new Map<string, number>();
  #queue: Promise<unknown> = Promise.resolve();
  /** Work items queued or running; 0 lets a packet or timer run at once, without a promise hop. */
  #pending = 0;
  #stopped = false;
  #unwatch: (() => void) | undefined;
  #reported = new Map<string, { atMs: number; suppressed: number }>();
  #timerHandlers = new Map<string, () => void>();
  /** auth_type AH: the IPv4 Identification last used per instance. */
  #ahIpIds = new Map<string, number>();
  #encoded = new Map<
    string,
    { binding: VrrpInstanceBinding; advert: VrrpAdvert; bytes: Map<string, Uint8Array> }
  >();

  #routes: RouteKeeper;
  #unwatchRoutes: (() => void) | undefined;
  /** Instances whose steady adverts the PacketIo repeats, and when (monotonic ms) each repeat began. */
  #repeating = new Map<string, { repeat: RepeatingAdvert; startedMs: number }>();
  /** Per PacketIo (ioKey): the advert whose copies it counts, for which instance, and since when. */
  #absorbing = new Map<
    string,
    {
      absorbing: AbsorbingAdverts;
      instance: string;
      packet: Extract<RouterEvent, { kind: 'packet' }>;
      startedMs: number;
    }
  >();

  constructor(deps: VrrpServiceDeps) {
    this.#deps = deps;
    this.#routes = new RouteKeeper(deps);
  }

  /** Builds the router, opens the sockets, removes stale VIPs of our instances, starts every instance. */
  start(plan: VrrpPlan): Promise<void> {
    return this.#enqueue(async () => {
      const router = this.#createRouter(plan);
      await this.#removeStale(plan.instances);
      await this.#routes.start(plan.routes);
      this.#adopt(plan, router);
      await this.#stepRouter({ kind: 'start' });
      this.#unwatchRoutes = this.#deps.routes?.watchRemovals?.((e) =>
        this.#dispatch(() => this.#routeRemoved(e)),
      );
      this.#unwatch = this.#deps.links?.watch((name, up, removed) =>
        this.#dispatch(() => {
          if (this.#stopped) return;
          // A deleted interface that is back (a use_vmac link made again) has a new index: the sockets
          // bound to the old one hear nothing, so they are opened again before the instance leaves FAULT
          // (test/core/app/vrrp-service.test.ts "VrrpService and a deleted VMAC").
          if (removed) this.#gone.add(name);
          else if (up && this.#gone.delete(name)) this.#reopenIos(name);
          return this.#stepRouter({
            kind: 'tracker',
            id: `interface:${name}`,
            status: { kind: 'state', state: up ? 'up' : 'down' },
          });
        }),
      );
    });
  }

  /**
   * Applies a new plan: unchanged instances keep their state, changed and new ones start afresh (BACKUP),
   * removed or changed ones leave first (priority 0 when master, VIPs removed, notify).
   */
  reload(plan: VrrpPlan): Promise<{ kept: string[]; started: string[]; removed: string[] }> {
    return this.#enqueue(async () => {
      this.#takeBack();
      const next = this.#createRouter(plan);
      const old = this.#router;
      const kept: string[] = [];
      const started: string[] = [];
      const removed: string[] = [];
      const nextBindings = new Map(plan.instances.map((b) => [b.spec.name, b]));
      const now = this.#deps.clock.monotonicMs();
      for (const [name, binding] of this.#bindings) {
        const nb = nextBindings.get(name);
        const oldState = old?.instances[name];
        if (nb && JSON.stringify(nb) === JSON.stringify(binding) && oldState) {
          kept.push(name);
          continue;
        }
        if (oldState) await this.#leave(name, oldState, now, !nb);
        if (!nb) removed.push(name);
      }
      await this.#routes.reload(
        plan.routes,
        (n) => kept.includes(n) && old?.instances[n]?.state === 'MASTER',
      );
      const instances = { ...next.instances };
      for (const name of kept) {
        const s = old?.instances[name];
        if (s) instances[name] = s;
      }
      const toStart = plan.instances.map((b) => b.spec.name).filter((n) => !kept.includes(n));
      this.#adopt(plan, { ...next, instances, notifySeq: old?.notifySeq ?? 0 });
      for (const name of toStart) {
        started.push(name);
        await this.#stepInstance(name, { kind: 'start' });
      }
      return { kept, started, removed };
    });
  }

  /** SIGTERM: every master sends priority 0 and removes its VIPs; STOP notifies run; sockets close. */
  stop(): Promise<void> {
    return this.#enqueue(async () => {
      this.#unwatch?.();
      this.#unwatchRoutes?.();
      this.#takeBack();
      if (this.#router) await this.#stepRouter({ kind: 'shutdown' });
      await this.#routes.stop();
      this.#stopped = true;
      this.#deps.timers.cancelAll();
      for (const io of this.#ios.values()) io.close();
      this.#ios.clear();
      this.#ioRequests.clear();
      await this.#deps.notifier.idle();
    });
  }

  /** A tracked object changed (e.g. a vrrp_script result): every instance tracking `id` sees it. */
  track(id: string, up: boolean): void {
    this.#dispatch(() =>
      this.#stopped || !this.#router
        ? undefined
        : this.#stepRouter({ kind: 'tracker', id, status: { kind: 'state', state: up ? 'up' : 'down' } }),
    );
  }

  /** A track_file's value changed: every instance tracking `id` adds value × weight (keepalived §1.4). */
  trackValue(id: string, value: number): void {
    this.#dispatch(() =>
      this.#stopped || !this.#router
        ? undefined
        : this.#stepRouter({ kind: 'tracker', id, status: { kind: 'value', value } }),
    );
  }

  /** A tracked virtual route/rule of a master deleted by someone else: BACKUP; a static one: re-added. */
  #routeRemoved(e: RouteOrRule): Promise<void> | void {
    if (this.#stopped) return;
    const hit = this.#routes.removedExternally(e);
    if (hit?.kind === 'static') return this.#routes.reinstate(hit.entry);
    if (hit?.kind !== 'virtual' || this.#router?.instances[hit.instance]?.state !== 'MASTER') return;
    const what = describeEntry(hit.entry);
    this.#deps.logger.warn(`vrrp ${hit.instance}: ${what} was deleted; leaving MASTER`);
    return this.#stepRouter({ kind: 'lost-virtual', instance: hit.instance, what });
  }

  status(): VrrpInstanceStatus[] {
    const now = this.#deps.clock.monotonicMs();
    let router = this.#router;
    if (!router) return [];
    // Copies a PacketIo counted are heard adverts (the reducer learns of them when they are taken back).
    for (const a of this.#absorbing.values()) {
      const p = a.absorbing.progress();
      router = afterSteadyReceive(router, a.packet, a.instance, p.copies, a.startedMs + p.lastAfterMs);
    }
    return Object.values(router.instances).map((current) => {
      // Adverts the PacketIo repeats count as sent (the reducer learns of them when they are taken back).
      const r = this.#repeating.get(current.spec.name);
      const p = r?.repeat.progress();
      const s = r && p ? afterSteadyAdverts(current, p.sent, r.startedMs + p.lastAfterMs) : current;
      const binding = this.#bindings.get(s.spec.name);
      const out: VrrpInstanceStatus = {
        name: s.spec.name,
        interfaceName: binding?.interfaceName ?? '',
        vrid: s.spec.vrid,
        version: s.spec.version,
        state: s.state,
        basePriority: s.spec.priority,
        effectivePriority: s.effectivePriority,
        vips: [...s.spec.vips, ...s.spec.excludedVips],
        vipsPresent: this.#vipsPresent.get(s.spec.name) ?? false,
        advertIntervalMs: s.masterAdverIntervalMs,
        stats: { ...s.stats },
      };
      if (s.master)
        out.master = {
          address: s.master.address,
          priority: s.master.priority,
          lastAdvertAgoMs: Math.max(0, Math.round(now - s.master.lastAdvertMs)),
        };
      if (s.sinceMs !== undefined) out.inStateForMs = Math.max(0, Math.round(now - s.sinceMs));
      return out;
    });
  }

  #createRouter(plan: VrrpPlan): RouterState {
    const created = createRouter({
      instances: plan.instances.map((b) => b.spec),
      syncGroups: plan.syncGroups,
    });
    if (!created.ok) throw new Error(created.errors.join('; '));
    return created.state;
  }

  /** Makes `plan` current: bindings, router state, and one PacketIo per interface and family. */
  #adopt(plan: VrrpPlan, router: RouterState): void {
    for (const b of plan.instances) {
      const prev = this.#bindings.get(b.spec.name);
      if (!prev || JSON.stringify(prev) !== JSON.stringify(b))
        this.#generation.set(b.spec.name, (this.#generation.get(b.spec.name) ?? 0) + 1);
    }
    this.#bindings = new Map(plan.instances.map((b) => [b.spec.name, b]));
    this.#router = router;
    const wanted = new Map<string, PacketIoRequest>();
    for (const b of plan.instances) {
      const key = ioKey(b.interfaceName, b.spec.family);
      const req = wanted.get(key) ?? {
        interfaceName: b.interfaceName,
        family: b.spec.family === 'ipv4' ? 4 : 6,
        sourceAddress: b.spec.sourceIp,
      };
      if (b.group && !req.group) req.group = b.group;
      if (b.spec.auth.type === 'ah') req.ah = true;
      wanted.set(key, req);
    }
    for (const [key, io] of this.#ios) {
      if (wanted.has(key)) continue;
      io.close();
      this.#ios.delete(key);
      this.#ioRequests.delete(key);
    }
    for (const [key, req] of wanted) {
      const open = this.#ios.get(key);
      // A reload that turns auth_type AH on needs a PacketIo that also receives protocol 51.
      if (open && (!req.ah || this.#ioAh.has(key))) continue;
      open?.close();
      if (req.ah) this.#ioAh.add(key);
      else this.#ioAh.delete(key);
      this.#openIo(key, req);
    }
  }

  #openIo(key: string, req: PacketIoRequest): void {
    const io = this.#deps.openPacketIo(req);
    this.#ios.set(key, io);
    this.#ioRequests.set(key, req);
    io.onReceive((wire) => this.#dispatch(() => this.#receive(req.interfaceName, wire)));
  }

  /** Opens the PacketIos of an interface again (it was deleted and made anew). */
  #reopenIos(interfaceName: string): void {
    for (const [key, req] of this.#ioRequests) {
      if (req.interfaceName !== interfaceName) continue;
      this.#ios.get(key)?.close();
      this.#ios.delete(key);
      try {
        this.#openIo(key, req);
        this.#deps.logger.info(`vrrp: ${interfaceName} is back; its VRRP socket is open again`);
      } catch (e) {
        this.#deps.logger.error(`vrrp: cannot open the VRRP socket on ${interfaceName} again`, {
          err: String(e),
        });
      }
    }
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    this.#pending++;
    const run = this.#queue.then(work);
    this.#queue = run
      .catch((e: unknown) => this.#deps.logger.error('vrrp: event handling failed', { err: String(e) }))
      .finally(() => this.#pending--);
    return run;
  }

  /**
   * Hot path for packets and timers: with nothing queued, the step and its effects run synchronously (the
   * common case: send an advert, re-arm a timer); only effects that wait (VIP changes) make it a promise.
   */
  #dispatch(work: () => Promise<void> | void): void {
    if (this.#pending > 0) {
      void this.#enqueue(async () => work());
      return;
    }
    let result: Promise<void> | void;
    try {
      result = work();
    } catch (e) {
      this.#deps.logger.error('vrrp: event handling failed', { err: String(e) });
      return;
    }
    if (result) void this.#enqueue(() => result);
  }

  #receive(interfaceName: string, wire: WireAdvert): Promise<void> | void {
    if (this.#stopped) return;
    const event: Extract<RouterEvent, { kind: 'packet' }> = {
      kind: 'packet',
      bytes: wire.payload,
      ip: {
        family: wire.family === 4 ? 'ipv4' : 'ipv6',
        src: wire.source,
        dst: wire.destination,
        ttl: wire.ttl,
        ...(wire.protocol === undefined ? {} : { protocol: wire.protocol }),
      },
      ...(wire.ipHeader ? { ipHeader: wire.ipHeader } : {}),
      interface: interfaceName,
    };
    const waiting = this.#stepRouter(event);
    if (waiting === undefined) this.#absorbFrom(interfaceName, wire, event);
    return waiting;
  }

  /**
   * After a packet: when a backup would only count its copies and re-arm its Master_Down_Timer, the
   * PacketIo counts them and the timer here stops. Only on a PacketIo of one instance (with more, their
   * adverts would alternate, each taking the other's back).
   */
  #absorbFrom(
    interfaceName: string,
    wire: WireAdvert,
    event: Extract<RouterEvent, { kind: 'packet' }>,
  ): void {
    const key = ioKey(interfaceName, wire.family === 4 ? 'ipv4' : 'ipv6');
    const io = this.#ios.get(key);
    const router = this.#router;
    if (!router || !io?.absorb || this.#absorbing.has(key)) return;
    let sharing = 0;
    for (const b of this.#bindings.values()) if (ioKey(b.interfaceName, b.spec.family) === key) sharing++;
    if (sharing !== 1) return;
    const now = this.#deps.clock.monotonicMs();
    const steady = steadyReceive(router, event, now);
    if (!steady) return;
    let absorbing: AbsorbingAdverts | undefined;
    try {
      absorbing = io.absorb(wire, steady.masterDownMs, () => this.#dispatch(() => this.#masterDown(key)));
    } catch (e) {
      this.#deps.logger.warn('vrrp: cannot count adverts in the socket; receiving each one', {
        instance: steady.instance,
        err: String(e),
      });
      return;
    }
    if (!absorbing) return;
    this.#deps.timers.cancel(timerId(steady.instance, 'master-down'));
    this.#absorbing.set(key, { absorbing, instance: steady.instance, packet: event, startedMs: now });
  }

  /** No copy came for a Master_Down_Interval: take them back, and the Master_Down_Timer fires now. */
  #masterDown(key: string): Promise<void> | void {
    const a = this.#absorbing.get(key);
    if (!a || this.#stopped) return;
    this.#takeBack();
    const id = timerId(a.instance, 'master-down');
    const due = this.#router?.instances[a.instance]?.timers['master-down'];
    if (due === undefined || due > this.#deps.clock.monotonicMs()) return; // re-armed by #takeBack
    this.#deps.timers.cancel(id);
    return this.#stepRouter({ kind: 'timer', id });
  }

  #stepRouter(event: RouterEvent): Promise<void> | void {
    if (this.#repeating.size > 0 || this.#absorbing.size > 0) this.#takeBack();
    const router = this.#router;
    if (!router) return;
    const result = stepRouter(router, event, this.#deps.clock.monotonicMs());
    this.#router = result.state;
    return this.#executeAll(result.effects, 0);
  }

  /** Runs effects in order; synchronous until one has to wait, then the rest follow it. */
  #executeAll(effects: readonly VrrpEffect[], from: number): Promise<void> | void {
    for (let i = from; i < effects.length; i++) {
      const effect = effects[i];
      if (!effect) continue;
      const waiting = this.#execute(effect);
      if (waiting) return waiting.then(() => this.#executeAll(effects, i + 1));
    }
  }

  /** One instance outside the router's fan-out (reload starts only new or changed instances). */
  async #stepInstance(name: string, event: InstanceEvent): Promise<void> {
    this.#takeBack();
    const router = this.#router;
    const s = router?.instances[name];
    if (!router || !s) return;
    const result = step(s, event, this.#deps.clock.monotonicMs());
    let seq = router.notifySeq;
    const effects = result.effects.map((fx) => (fx.kind === 'notify' ? { ...fx, seq: ++seq } : fx));
    this.#router = { ...router, instances: { ...router.instances, [name]: result.state }, notifySeq: seq };
    for (const effect of effects) await this.#execute(effect);
  }

  /**
   * An instance leaving on reload: shutdown (priority 0, VIPs removed, notify), timers dropped. A removed
   * instance is notified as keepalived's clear_diff_vrrp does: FAULT (nothing when it already was in
   * FAULT), or DELETED with `notify_deleted`; a changed one (replaced by its new version) STOP.
   */
  async #leave(name: string, state: InstanceState, now: number, removed = false): Promise<void> {
    const result = step(state, { kind: 'shutdown' }, now);
    const deleted = this.#bindings.get(name)?.notifyDeleted === true;
    for (const effect of result.effects) {
      if (removed && effect.kind === 'notify' && effect.what === 'STOP') {
        if (!deleted && state.state === 'FAULT') continue;
        await this.#execute({ ...effect, what: deleted ? 'DELETED' : 'FAULT' });
      } else await this.#execute(effect);
    }
    for (const t of TIMER_KINDS) this.#deps.timers.cancel(timerId(name, t));
    this.#generation.set(name, (this.#generation.get(name) ?? 0) + 1);
  }

  #execute(effect: VrrpEffect): Promise<void> | void {
    const { timers, logger } = this.#deps;
    switch (effect.kind) {
      case 'arm-timer':
        timers.arm(effect.id, effect.atMs, this.#timerHandler(effect.id));
        return;
      case 'cancel-timer':
        timers.cancel(effect.id);
        return;
      case 'send-advert':
        if (effect.ahSeq !== undefined) this.#sendAhAdvert(effect.instance, effect.advert, effect.ahSeq);
        else this.#sendAdvert(effect.instance, effect.advert);
        return;
      case 'add-vips':
        return this.#vips(effect.instance, effect.addresses, 'add')
          .then(() => this.#vipsPresent.set(effect.instance, true))
          .then(() => this.#routes.master(effect.instance));
      case 'remove-vips':
        return this.#routes
          .leaveMaster(effect.instance)
          .then(() => this.#vips(effect.instance, effect.addresses, 'remove'))
          .then(() => this.#vipsPresent.set(effect.instance, false))
          .then(() => undefined);
      case 'send-garp':
        // A burst runs beside the queue (its spacing must not hold up adverts) and ends early when the
        // instance is replaced or the service stops.
        void this.#garpBurst(effect.instance, effect.addresses, effect.repeat, effect.intervalMs);
        return;
      case 'notify':
        this.#deps.notifier.notify({
          target: { type: effect.target.type, name: effect.target.name },
          what: effect.what,
          priority: effect.priority,
        });
        return;
      case 'report':
        this.#report(effect.instance, effect.report);
        return;
      default: {
        const never: never = effect;
        logger.warn('vrrp: unknown effect', { effect: never });
      }
    }
  }

  /** The callback of timer `id`, made once per id (timers are re-armed on every advert). */
  #timerHandler(id: string): () => void {
    let h = this.#timerHandlers.get(id);
    if (h === undefined) {
      const event: RouterEvent = { kind: 'timer', id };
      const t = parseTimerId(id);
      const advert = t?.timer === 'advert' ? t.instance : undefined;
      const work = () => {
        if (this.#stopped) return;
        const waiting = this.#stepRouter(event);
        if (advert !== undefined && waiting === undefined) this.#handOver(advert);
        return waiting;
      };
      h = () => this.#dispatch(work);
      this.#timerHandlers.set(id, h);
    }
    return h;
  }

  /**
   * After a master's advert timer: when its next adverts are steady, the PacketIo repeats the one just sent
   * and the advert timer here stops. Only for one destination (a group, or a single unicast peer).
   */
  #handOver(name: string): void {
    const s = this.#router?.instances[name];
    const b = this.#bindings.get(name);
    const io = b && this.#ios.get(ioKey(b.interfaceName, b.spec.family));
    if (!s || !b || !io?.repeat || this.#repeating.has(name)) return;
    const steady = steadyAdverts(s);
    const destinations = b.group ? [b.group] : b.spec.unicastPeers;
    const dst = destinations[0];
    if (!steady || destinations.length !== 1 || dst === undefined) return;
    const cache = this.#encoded.get(name);
    const payload = cache && sameAdvert(cache.advert, steady.advert) ? cache.bytes.get(dst) : undefined;
    if (!payload) return;
    const now = this.#deps.clock.monotonicMs();
    let repeat: RepeatingAdvert | undefined;
    try {
      repeat = io.repeat(
        {
          destination: dst,
          payload,
          source: b.spec.sourceIp,
          ...(b.group ? {} : { ttl: b.unicastTtl ?? 255 }),
        },
        Math.max(0, steady.nextAtMs - now),
        steady.intervalMs,
      );
    } catch (e) {
      this.#deps.logger.warn('vrrp: cannot repeat adverts; sending each one', {
        instance: name,
        err: String(e),
      });
      return;
    }
    if (!repeat) return;
    this.#deps.timers.cancel(timerId(name, 'advert'));
    this.#repeating.set(name, { repeat, startedMs: now });
  }

  /**
   * Takes every repeat and absorb back: the reducer counts what went out and what came in, and the advert
   * and Master_Down timers run here again.
   */
  #takeBack(): void {
    if (this.#absorbing.size > 0) this.#takeBackAbsorbed();
    if (this.#repeating.size === 0) return;
    const router = this.#router;
    const instances = router ? { ...router.instances } : undefined;
    for (const [name, { repeat, startedMs }] of this.#repeating) {
      const p = repeat.stop();
      if (p.failed > 0)
        this.#deps.logger.warn('vrrp: adverts not sent (socket buffer full or link down)', {
          instance: name,
          count: p.failed,
        });
      const s = instances?.[name];
      if (!instances || !s) continue;
      const next = afterSteadyAdverts(s, p.sent, startedMs + p.lastAfterMs);
      instances[name] = next;
      const due = next.timers.advert;
      const id = timerId(name, 'advert');
      if (due !== undefined) this.#deps.timers.arm(id, due, this.#timerHandler(id));
    }
    this.#repeating.clear();
    if (router && instances) this.#router = { ...router, instances };
  }

  #takeBackAbsorbed(): void {
    for (const a of this.#absorbing.values()) {
      const p = a.absorbing.stop();
      const router = this.#router;
      if (!router) continue;
      this.#router = afterSteadyReceive(router, a.packet, a.instance, p.copies, a.startedMs + p.lastAfterMs);
      const due = this.#router.instances[a.instance]?.timers['master-down'];
      const id = timerId(a.instance, 'master-down');
      if (due !== undefined) this.#deps.timers.arm(id, due, this.#timerHandler(id));
    }
    this.#absorbing.clear();
  }

  /** Logs a report, at most once a second per instance and kind (late timers can recur every advert). */
  #report(instance: string, report: VrrpReport): void {
    const key = `${instance}|${report.kind}`;
    const now = this.#deps.clock.monotonicMs();
    const seen = this.#reported.get(key);
    if (seen && now - seen.atMs < 1000) {
      seen.suppressed++;
      return;
    }
    this.#reported.set(key, { atMs: now, suppressed: 0 });
    this.#deps.logger.warn(`vrrp ${instance || 'router'}: ${report.kind}`, {
      ...report,
      ...(seen?.suppressed ? { suppressedSinceLast: seen.suppressed } : {}),
    });
  }

  #sendAdvert(name: string, advert: VrrpAdvert): void {
    const b = this.#bindings.get(name);
    if (!b) return;
    const spec = b.spec;
    const io = this.#ios.get(ioKey(b.interfaceName, spec.family));
    if (!io) return;
    const destinations = b.group ? [b.group] : spec.unicastPeers;
    // A master sends the same advert every interval: encode it once per binding and destination.
    let cache = this.#encoded.get(name);
    if (!cache || cache.binding !== b || !sameAdvert(cache.advert, advert)) {
      cache = { binding: b, advert, bytes: new Map() };
      this.#encoded.set(name, cache);
    }
    for (const dst of destinations) {
      let bytes = cache.bytes.get(dst);
      if (bytes === undefined) {
        const encoded = encodeAdvert(advert, {
          family: spec.family,
          src: spec.sourceIp,
          dst,
          checksumAsV2: spec.checksumAsV2,
        });
        if (!encoded.ok) {
          this.#deps.logger.error('vrrp: cannot encode advert', { instance: name, error: encoded.error });
          return;
        }
        bytes = encoded.bytes;
        cache.bytes.set(dst, bytes);
      }
      try {
        const sent = io.send({
          destination: dst,
          payload: bytes,
          source: spec.sourceIp,
          ...(b.group ? {} : { ttl: b.unicastTtl ?? 255 }),
        });
        if (!sent)
          this.#deps.logger.warn('vrrp: advert not sent (socket buffer full)', { instance: name, dst });
      } catch (e) {
        this.#deps.logger.warn('vrrp: advert send failed', { instance: name, dst, err: String(e) });
      }
    }
  }

  /**
   * auth_type AH (IPv4, v2): the whole datagram is built here, since the ICV covers the IP header
   * (codec/ah.ts). Like keepalived, one IP Identification and one sequence number per advert round.
   */
  #sendAhAdvert(name: string, advert: VrrpAdvert, seq: number): void {
    const b = this.#bindings.get(name);
    const io = b && this.#ios.get(ioKey(b.interfaceName, b.spec.family));
    if (!b || !io || b.spec.auth.type !== 'ah') return;
    const spec = b.spec;
    const ipId = ((this.#ahIpIds.get(name) ?? 0) % 0xffff) + 1; // 1..65535: the kernel replaces a zero
    this.#ahIpIds.set(name, ipId);
    const key = passAuthData(b.spec.auth.password);
    for (const dst of b.group ? [b.group] : spec.unicastPeers) {
      const vrrp = encodeAdvert(advert, { family: 'ipv4', src: spec.sourceIp, dst });
      const datagram = vrrp.ok
        ? encodeAhDatagram({
            src: spec.sourceIp,
            dst,
            ipId,
            ttl: b.group ? 255 : (b.unicastTtl ?? 255),
            seq,
            key,
            unicast: !b.group,
            vrrp: vrrp.bytes,
          })
        : vrrp;
      if (!datagram.ok) {
        this.#deps.logger.error('vrrp: cannot encode advert', { instance: name, error: datagram.error });
        return;
      }
      try {
        if (!io.send({ destination: dst, payload: datagram.bytes, ipv4Datagram: true }))
          this.#deps.logger.warn('vrrp: advert not sent (socket buffer full)', { instance: name, dst });
      } catch (e) {
        this.#deps.logger.warn('vrrp: advert send failed', { instance: name, dst, err: String(e) });
      }
    }
  }

  #entry(name: string, address: string): InterfaceAddress {
    const b = this.#bindings.get(name);
    const known = b?.addresses[canonicalIp(address) ?? address];
    if (known) return known;
    return {
      interfaceName: b?.interfaceName ?? '',
      address,
      prefixLength: address.includes(':') ? 128 : 32,
    };
  }

  async #vips(name: string, addresses: readonly string[], op: 'add' | 'remove'): Promise<void> {
    for (const a of addresses) {
      const entry = this.#entry(name, a);
      if (op === 'remove' && this.#gone.has(entry.interfaceName)) continue; // gone with its interface
      try {
        await this.#deps.addresses[op](entry);
      } catch (e) {
        this.#deps.logger.error(`vrrp: cannot ${op} VIP ${a}`, { instance: name, err: String(e) });
      }
    }
  }

  async #garpBurst(
    name: string,
    addresses: readonly string[],
    repeat: number,
    intervalMs: number,
  ): Promise<void> {
    const generation = this.#generation.get(name);
    for (let i = 0; i < repeat; i++) {
      if (i > 0 && intervalMs > 0) await this.#deps.timers.sleep(intervalMs);
      if (this.#stopped || this.#generation.get(name) !== generation) return;
      for (const a of addresses) {
        const entry = this.#entry(name, a);
        try {
          await this.#deps.announcer.announce(entry.interfaceName, a);
        } catch (e) {
          this.#deps.logger.warn(`vrrp: cannot announce ${a}`, { instance: name, err: String(e) });
        }
      }
    }
  }

  /** keepalived removes its VIPs "just in case" at start: here, any VIP of ours found on its interface. */
  async #removeStale(bindings: readonly VrrpInstanceBinding[]): Promise<void> {
    const wanted = new Map<string, InterfaceAddress>();
    for (const b of bindings)
      for (const [addr, entry] of Object.entries(b.addresses))
        if (addr !== b.spec.sourceIp) wanted.set(addr, entry); // an owner's VIP is its own address
    if (wanted.size === 0) return;
    let present: InterfaceAddress[];
    try {
      present = await this.#deps.addresses.list();
    } catch (e) {
      this.#deps.logger.warn('vrrp: cannot list addresses to remove stale VIPs', { err: String(e) });
      return;
    }
    for (const p of present) {
      const entry = wanted.get(canonicalIp(p.address) ?? p.address);
      if (!entry || entry.interfaceName !== p.interfaceName) continue;
      this.#deps.logger.info('vrrp: removing stale VIP', { address: p.address, interface: p.interfaceName });
      await this.#deps.addresses
        .remove(p)
        .catch((e: unknown) =>
          this.#deps.logger.warn('vrrp: cannot remove stale VIP', { address: p.address, err: String(e) }),
        );
    }
  }
}

/** Whether two adverts encode to the same bytes (every field of the codec's advert). */
function sameAdvert(a: VrrpAdvert, b: VrrpAdvert): boolean {
  if (a === b) return true;
  if (a.vrid !== b.vrid || a.priority !== b.priority || a.addresses.length !== b.addresses.length)
    return false;
  for (let i = 0; i < a.addresses.length; i++) if (a.addresses[i] !== b.addresses[i]) return false;
  if (a.version === 3 && b.version === 3) return a.maxAdvertIntervalCs === b.maxAdvertIntervalCs;
  if (a.version !== 2 || b.version !== 2) return false;
  if (a.authType !== b.authType || a.advertIntervalSec !== b.advertIntervalSec) return false;
  if (a.authData.length !== b.authData.length) return false;
  for (let i = 0; i < a.authData.length; i++) if (a.authData[i] !== b.authData[i]) return false;
  return true;
}
