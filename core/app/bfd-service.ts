/**
 * Runs the bfd_instance sessions of a config: feeds received datagrams through the demultiplexer into each
 * session's reducer, carries out the effects (send, timers) through ports, and tells listeners when a
 * session goes Up or leaves Up (track_bfd in VRRP, BFD_CHECK on the LVS side). Rejected datagrams are
 * counted per reason, never thrown.
 */
import {
  countReject,
  createBfdSession,
  demuxBfd,
  detectionTimeMs,
  encodeBfdControl,
  stepBfdSession,
  type BfdPeerKey,
  type BfdRejectCounts,
  type BfdSession,
  type BfdSessionEvent,
  type BfdSessionPlan,
  type BfdState,
} from '../bfd/index.ts';
import type { BfdReceived, BfdTransport, Clock, Logger, Random, TimerService } from '../ports/index.ts';
import { canonicalIp } from '../vrrp/index.ts';

export interface BfdServiceDeps {
  clock: Clock;
  random: Random;
  timers: TimerService;
  transport: BfdTransport;
  logger: Logger;
}

export interface BfdSessionStatus {
  name: string;
  neighbor: string;
  state: BfdState;
  remoteState: BfdState;
  diag: number;
  localDiscr: number;
  remoteDiscr: number;
  /** Current detection time in ms (0 until the neighbour has been heard). */
  detectionTimeMs: number;
}

export type BfdListener = (name: string, up: boolean, state: BfdState) => void;

export class BfdService {
  #deps: BfdServiceDeps;
  #sessions = new Map<string, BfdSession>();
  #peers: BfdPeerKey[] = [];
  #neighbors = new Map<string, string>();
  #listeners: BfdListener[] = [];
  #rejects: BfdRejectCounts = {};
  #stopped = false;

  constructor(deps: BfdServiceDeps) {
    this.#deps = deps;
  }

  /** Creates every session in Down with a fresh random discriminator and starts transmitting. */
  start(plans: readonly BfdSessionPlan[]): void {
    const used = new Set<number>();
    for (const p of plans) {
      let discr = 0;
      while (discr === 0 || used.has(discr)) discr = this.#deps.random.below(0xffffffff) + 1;
      used.add(discr);
      const neighbor = canonicalIp(p.neighbor) ?? p.neighbor;
      const source = p.source !== undefined ? (canonicalIp(p.source) ?? p.source) : undefined;
      this.#neighbors.set(p.name, neighbor);
      this.#peers.push({
        name: p.name,
        localDiscr: discr,
        neighbor,
        ...(source !== undefined ? { local: source } : {}),
        multihop: p.multihop,
        maxHops: p.maxHops,
      });
      this.#sessions.set(
        p.name,
        createBfdSession({
          name: p.name,
          localDiscr: discr,
          minTxMs: p.minTxMs,
          minRxMs: p.minRxMs,
          idleTxMs: p.idleTxMs,
          detectMult: p.detectMult,
          passive: p.passive,
        }),
      );
    }
    this.#deps.transport.onReceive((d) => this.receive(d));
    for (const name of this.#sessions.keys()) this.#step(name, { kind: 'start' });
  }

  /** Listener of Up / not-Up changes; called at once with every session's current state. */
  onChange(listener: BfdListener): void {
    this.#listeners.push(listener);
    for (const [name, s] of this.#sessions) listener(name, s.state === 'Up', s.state);
  }

  /** One received datagram (the transport's handler). */
  receive(d: BfdReceived): void {
    if (this.#stopped) return;
    const r = demuxBfd(d, this.#peers);
    if (!r.ok) {
      this.#rejects = countReject(this.#rejects, r.reason);
      this.#deps.logger.debug(`bfd: dropped a packet from ${d.from}: ${r.reason}`);
      return;
    }
    this.#step(r.session, { kind: 'receive', packet: r.packet });
  }

  isUp(name: string): boolean | undefined {
    const s = this.#sessions.get(name);
    return s ? s.state === 'Up' : undefined;
  }

  status(): BfdSessionStatus[] {
    return [...this.#sessions].map(([name, s]) => ({
      name,
      neighbor: this.#neighbors.get(name) ?? '',
      state: s.state,
      remoteState: s.remoteState,
      diag: s.diag,
      localDiscr: s.config.localDiscr,
      remoteDiscr: s.remoteDiscr,
      detectionTimeMs: detectionTimeMs(s),
    }));
  }

  rejects(): BfdRejectCounts {
    return { ...this.#rejects };
  }

  /** Sends AdminDown (rfc5880 §6.8.16) once and stops every session. */
  stop(): void {
    if (this.#stopped) return;
    for (const name of this.#sessions.keys()) this.#step(name, { kind: 'admin-down' });
    this.#stopped = true;
    for (const name of this.#sessions.keys()) {
      this.#deps.timers.cancel(`bfd:${name}:tx`);
      this.#deps.timers.cancel(`bfd:${name}:detect`);
    }
    this.#deps.transport.close();
  }

  #step(name: string, event: BfdSessionEvent): void {
    const s = this.#sessions.get(name);
    if (!s || this.#stopped) return;
    const { clock, random, timers, transport, logger } = this.#deps;
    const r = stepBfdSession(s, event, clock.monotonicMs(), random);
    this.#sessions.set(name, r.session);
    for (const e of r.effects) {
      switch (e.kind) {
        case 'send':
          transport.send(name, encodeBfdControl(e.packet));
          break;
        case 'arm-timer':
          timers.arm(`bfd:${name}:${e.timer}`, e.atMs, () =>
            this.#step(name, { kind: e.timer === 'tx' ? 'tx-due' : 'detect-expired' }),
          );
          break;
        case 'cancel-timer':
          timers.cancel(`bfd:${name}:${e.timer}`);
          break;
        case 'state-changed': {
          logger.info(`BFD_Instance(${name}) ${e.from} -> ${e.to} (diag ${e.diag})`);
          const wasUp = e.from === 'Up';
          const up = e.to === 'Up';
          if (wasUp !== up) for (const l of this.#listeners) l(name, up, e.to);
          break;
        }
        default: {
          const never: never = e;
          logger.warn(`bfd: unknown effect ${JSON.stringify(never)}`);
        }
      }
    }
  }
}
