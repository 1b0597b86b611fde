// A deterministic multi-node VRRP simulation: N nodes each run the core/vrrp router reducer; their adverts
// go through the real codec (encode at the sender, decode at the receiver) over a simulated segment with
// delay, jitter, loss and partitions; time is a ManualClock moved only by the event queue.
import { ManualClock, seededRandom } from '../../adapters/memory/index.ts';
import {
  VRRP_MCAST_GROUP_V4,
  VRRP_MCAST_GROUP_V6,
  createRouter,
  encodeAdvert,
  reloadRouter,
  stepRouter,
  type RouterEvent,
  type RouterSpec,
  type RouterState,
  type TrackerStatus,
  type VrrpEffect,
  type VrrpStateName,
} from '../../core/vrrp/index.ts';
import { EventQueue } from './event-queue.ts';
import { SimNetwork, type NetworkOptions } from './network.ts';

export interface SimNodeSpec {
  readonly name: string;
  /** The node's address on the segment (unicast peers are matched against it). */
  readonly address: string;
  readonly router: RouterSpec;
}

/** A packet on the wire, for assertions. */
export interface WireRecord {
  readonly sentMs: number;
  readonly from: string;
  readonly to: string;
  readonly arriveMs: number | undefined;
  readonly vrid: number;
  readonly priority: number;
}

export interface TransitionRecord {
  readonly atMs: number;
  readonly node: string;
  readonly instance: string;
  readonly from: VrrpStateName;
  readonly to: VrrpStateName;
}

export interface EffectRecord {
  readonly atMs: number;
  readonly node: string;
  readonly effect: VrrpEffect;
}

type Job =
  | { readonly kind: 'router'; readonly node: string; readonly event: RouterEvent; readonly epoch: number }
  | { readonly kind: 'action'; readonly run: () => void };

interface Node {
  spec: SimNodeSpec;
  state: RouterState;
  alive: boolean;
  /** Bumped on kill/restart so deliveries and timers of an earlier life are dropped. */
  epoch: number;
  timers: Map<string, number>;
  vips: Set<string>;
  /** Frozen (SIGSTOP, a paused VM): its timers and packets wait here and all arrive, late, on resume. */
  held?: Job[];
}

export class VrrpSimulation {
  readonly clock = new ManualClock(0);
  readonly network: SimNetwork;
  readonly wire: WireRecord[] = [];
  readonly transitions: TransitionRecord[] = [];
  readonly effects: EffectRecord[] = [];
  readonly reloadErrors: string[] = [];
  readonly #queue = new EventQueue<Job>();
  readonly #nodes = new Map<string, Node>();

  constructor(options: { seed: number; network?: Partial<NetworkOptions> }) {
    this.network = new SimNetwork({ delayMs: 1, ...options.network }, seededRandom(options.seed));
  }

  get now(): number {
    return this.clock.monotonicMs();
  }

  addNode(spec: SimNodeSpec): void {
    this.#nodes.set(spec.name, {
      spec,
      state: this.#fresh(spec),
      alive: false,
      epoch: 0,
      timers: new Map(),
      vips: new Set(),
    });
  }

  #fresh(spec: SimNodeSpec): RouterState {
    const r = createRouter(spec.router);
    if (!r.ok) throw new Error(`node ${spec.name}: ${r.errors.join('; ')}`);
    return r.state;
  }

  #node(name: string): Node {
    const n = this.#nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Schedule something at an absolute simulated time. */
  at(atMs: number, run: () => void): void {
    this.#queue.push(atMs, { kind: 'action', run });
  }

  /** Boot a node (fresh state, as after a restart) at `atMs` (default now). */
  start(name: string, atMs = this.now): void {
    this.at(atMs, () => {
      const n = this.#node(name);
      n.epoch++;
      n.alive = true;
      n.state = this.#fresh(n.spec);
      n.timers.clear();
      this.#deliver(n, { kind: 'start' });
    });
  }

  /** kill -9: the node stops without a word; its VIPs vanish with it. */
  kill(name: string, atMs = this.now): void {
    this.at(atMs, () => {
      const n = this.#node(name);
      n.alive = false;
      n.epoch++;
      for (const h of n.timers.values()) this.#queue.cancel(h);
      n.timers.clear();
      n.vips.clear();
      this.#recordStates(n, n.state, undefined);
    });
  }

  /** SIGTERM: shutdown event (priority 0 from a master), then the node is gone. */
  stop(name: string, atMs = this.now): void {
    this.at(atMs, () => {
      const n = this.#node(name);
      this.#deliver(n, { kind: 'shutdown' });
      n.alive = false;
      n.epoch++;
      for (const h of n.timers.values()) this.#queue.cancel(h);
      n.timers.clear();
    });
  }

  /** SIGHUP with a new router spec; an invalid spec is refused and recorded in `reloadErrors`. */
  reload(name: string, router: RouterSpec, atMs = this.now): void {
    this.at(atMs, () => {
      const n = this.#node(name);
      if (!n.alive) return;
      const before = n.state;
      const r = reloadRouter(n.state, router, this.now);
      if (!r.ok) {
        this.reloadErrors.push(...r.errors);
        return;
      }
      n.spec = { ...n.spec, router };
      n.state = r.state;
      this.#recordStates(n, before, r.state);
      for (const effect of r.effects) {
        this.effects.push({ atMs: this.now, node: n.spec.name, effect });
        this.#execute(n, effect);
      }
    });
  }

  tracker(name: string, id: string, status: TrackerStatus, atMs = this.now): void {
    this.at(atMs, () => this.#deliver(this.#node(name), { kind: 'tracker', id, status }));
  }

  /**
   * Freeze a node from `fromMs` to `untilMs` (SIGSTOP / a paused VM): nothing it would have done meanwhile
   * happens; at `untilMs` its due timers fire and the packets queued for it arrive, in their order, late.
   */
  pause(name: string, fromMs: number, untilMs: number): void {
    this.at(fromMs, () => {
      this.#node(name).held = [];
    });
    this.at(untilMs, () => {
      const n = this.#node(name);
      const held = n.held ?? [];
      n.held = undefined;
      for (const job of held) {
        const handle = this.#queue.push(this.now, job);
        if (job.kind === 'router' && job.event.kind === 'timer') n.timers.set(job.event.id, handle);
      }
    });
  }

  partition(sides: readonly (readonly string[])[], atMs = this.now): void {
    this.at(atMs, () => this.network.partition(sides));
  }

  heal(atMs = this.now): void {
    this.at(atMs, () => this.network.heal());
  }

  /** Process every event due up to and including `untilMs`. */
  runUntil(untilMs: number): void {
    for (;;) {
      const next = this.#queue.popUntil(untilMs);
      if (!next) break;
      this.clock.set(next.atMs);
      const job = next.item;
      if (job.kind === 'action') job.run();
      else {
        const n = this.#node(job.node);
        if (n.held) n.held.push(job);
        else if (n.alive && n.epoch === job.epoch) this.#deliver(n, job.event);
      }
    }
    if (untilMs > this.now) this.clock.set(untilMs);
  }

  stateOf(node: string, instance: string): VrrpStateName {
    const n = this.#node(node);
    if (!n.alive) return 'STOP';
    return n.state.instances[instance]?.state ?? 'INIT';
  }

  routerState(node: string): RouterState {
    return this.#node(node).state;
  }

  masters(instance: string): string[] {
    return [...this.#nodes.keys()].filter((name) => this.stateOf(name, instance) === 'MASTER');
  }

  /** Nodes that currently hold `address` (added by add-vips, not yet removed). */
  holders(address: string): string[] {
    return [...this.#nodes.values()].filter((n) => n.alive && n.vips.has(address)).map((n) => n.spec.name);
  }

  /** Simulated time of the first transition of `node`/`instance` into `to` at or after `fromMs`. */
  firstTransition(node: string, instance: string, to: VrrpStateName, fromMs = 0): number | undefined {
    return this.transitions.find(
      (t) => t.node === node && t.instance === instance && t.to === to && t.atMs >= fromMs,
    )?.atMs;
  }

  /**
   * Intervals during which two or more nodes were MASTER for `instance`, from the transition log.
   * Returns [startMs, endMs] pairs; an interval still open ends at `now`.
   */
  dualMasterIntervals(instance: string): Array<[number, number]> {
    const masters = new Set<string>();
    const out: Array<[number, number]> = [];
    let openedAt: number | undefined;
    for (const t of this.transitions.filter((x) => x.instance === instance)) {
      if (t.to === 'MASTER') masters.add(t.node);
      else masters.delete(t.node);
      if (masters.size >= 2 && openedAt === undefined) openedAt = t.atMs;
      if (masters.size < 2 && openedAt !== undefined) {
        out.push([openedAt, t.atMs]);
        openedAt = undefined;
      }
    }
    if (openedAt !== undefined) out.push([openedAt, this.now]);
    return out;
  }

  effectsOf(node: string, kind?: VrrpEffect['kind'], fromMs = 0): EffectRecord[] {
    return this.effects.filter(
      (e) => e.node === node && e.atMs >= fromMs && (kind === undefined || e.effect.kind === kind),
    );
  }

  #deliver(n: Node, event: RouterEvent): void {
    const before = n.state;
    const r = stepRouter(n.state, event, this.now);
    n.state = r.state;
    this.#recordStates(n, before, r.state);
    for (const effect of r.effects) {
      this.effects.push({ atMs: this.now, node: n.spec.name, effect });
      this.#execute(n, effect);
    }
  }

  #recordStates(n: Node, before: RouterState, after: RouterState | undefined): void {
    for (const [name, s] of Object.entries(before.instances)) {
      const to = after ? (after.instances[name]?.state ?? 'INIT') : 'STOP';
      if (to !== s.state)
        this.transitions.push({ atMs: this.now, node: n.spec.name, instance: name, from: s.state, to });
    }
  }

  #execute(n: Node, effect: VrrpEffect): void {
    switch (effect.kind) {
      case 'arm-timer': {
        const old = n.timers.get(effect.id);
        if (old !== undefined) this.#queue.cancel(old);
        const handle = this.#queue.push(effect.atMs, {
          kind: 'router',
          node: n.spec.name,
          event: { kind: 'timer', id: effect.id },
          epoch: n.epoch,
        });
        n.timers.set(effect.id, handle);
        return;
      }
      case 'cancel-timer': {
        const old = n.timers.get(effect.id);
        if (old !== undefined) this.#queue.cancel(old);
        n.timers.delete(effect.id);
        return;
      }
      case 'add-vips':
        for (const a of effect.addresses) n.vips.add(a);
        return;
      case 'remove-vips':
        for (const a of effect.addresses) n.vips.delete(a);
        return;
      case 'send-advert':
        this.#sendAdvert(n, effect);
        return;
      default:
        return; // GARP, notify and report effects are only recorded
    }
  }

  #sendAdvert(n: Node, effect: Extract<VrrpEffect, { kind: 'send-advert' }>): void {
    const inst = n.state.spec.instances.find((i) => i.name === effect.instance);
    if (!inst) return;
    const group = inst.family === 'ipv4' ? VRRP_MCAST_GROUP_V4 : VRRP_MCAST_GROUP_V6;
    const targets =
      inst.unicastPeers.length > 0
        ? inst.unicastPeers.map((peer) => ({
            dst: peer,
            nodes: [...this.#nodes.values()].filter((m) => m.spec.address === peer),
          }))
        : [{ dst: group, nodes: [...this.#nodes.values()].filter((m) => m !== n) }];
    for (const { dst, nodes } of targets) {
      const enc = encodeAdvert(effect.advert, {
        family: inst.family,
        src: inst.sourceIp,
        dst,
        checksumAsV2: inst.checksumAsV2,
      });
      if (!enc.ok) throw new Error(`node ${n.spec.name}: cannot encode advert: ${enc.error}`);
      for (const m of nodes) {
        const delay = this.network.transit(n.spec.name, m.spec.name);
        const arriveMs = delay === undefined ? undefined : this.now + delay;
        this.wire.push({
          sentMs: this.now,
          from: n.spec.name,
          to: m.spec.name,
          arriveMs,
          vrid: effect.advert.vrid,
          priority: effect.advert.priority,
        });
        if (arriveMs === undefined) continue;
        this.#queue.push(arriveMs, {
          kind: 'router',
          node: m.spec.name,
          event: {
            kind: 'packet',
            bytes: enc.bytes,
            ip: { family: inst.family, src: inst.sourceIp, dst, ttl: 255, protocol: 112 },
          },
          epoch: m.epoch,
        });
      }
    }
  }
}
