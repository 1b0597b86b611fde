/** A deterministic two-node BFD world for the session tests: fake time, a link that can be cut, timers as data. */
import { seededRandom } from '../../../adapters/memory/random.ts';
import {
  createBfdSession,
  decodeBfdControl,
  encodeBfdControl,
  stepBfdSession,
  type BfdControl,
  type BfdSession,
  type BfdSessionConfig,
  type BfdSessionEvent,
  type BfdState,
} from '../../../core/bfd/index.ts';

export interface Sent {
  from: 0 | 1;
  at: number;
  packet: BfdControl;
  periodic: boolean;
}

export interface Change {
  node: 0 | 1;
  at: number;
  from: BfdState;
  to: BfdState;
  diag: number;
}

export class BfdWorld {
  now = 0;
  linkUp = true;
  /** One-way delay in ms. */
  delayMs: number;
  nodes: [BfdSession, BfdSession];
  sent: Sent[] = [];
  changes: Change[] = [];
  #timers: [Map<string, number>, Map<string, number>] = [new Map(), new Map()];
  #inflight: { at: number; to: 0 | 1; bytes: Uint8Array }[] = [];
  #random;

  constructor(a: BfdSessionConfig, b: BfdSessionConfig, seed = 1, delayMs = 0.2) {
    this.nodes = [createBfdSession(a), createBfdSession(b)];
    this.#random = seededRandom(seed);
    this.delayMs = delayMs;
  }

  start(): void {
    this.step(0, { kind: 'start' });
    this.step(1, { kind: 'start' });
  }

  step(node: 0 | 1, event: BfdSessionEvent, periodic = event.kind === 'tx-due'): void {
    const r = stepBfdSession(this.nodes[node], event, this.now, this.#random);
    this.nodes[node] = r.session;
    for (const e of r.effects) {
      if (e.kind === 'send') {
        this.sent.push({ from: node, at: this.now, packet: e.packet, periodic });
        if (this.linkUp)
          this.#inflight.push({
            at: this.now + this.delayMs,
            to: node === 0 ? 1 : 0,
            bytes: encodeBfdControl(e.packet),
          });
      } else if (e.kind === 'arm-timer') this.#timers[node].set(e.timer, e.atMs);
      else if (e.kind === 'cancel-timer') this.#timers[node].delete(e.timer);
      else this.changes.push({ node, at: this.now, from: e.from, to: e.to, diag: e.diag });
    }
  }

  /** Runs events in time order until `until` (ms). */
  runUntil(until: number): void {
    for (;;) {
      let best: { at: number; run: () => void } | undefined;
      for (const n of [0, 1] as const)
        for (const [timer, at] of this.#timers[n])
          if (!best || at < best.at)
            best = {
              at,
              run: () => {
                this.#timers[n].delete(timer);
                this.step(n, { kind: timer === 'tx' ? 'tx-due' : 'detect-expired' });
              },
            };
      for (const f of this.#inflight)
        if (!best || f.at < best.at)
          best = {
            at: f.at,
            run: () => {
              this.#inflight.splice(this.#inflight.indexOf(f), 1);
              const d = decodeBfdControl(f.bytes);
              if (!d.ok) throw new Error(`the peer sent a packet it would reject: ${d.reason}`);
              this.step(f.to, { kind: 'receive', packet: d.packet }, false);
            },
          };
      if (!best || best.at > until) {
        this.now = until;
        return;
      }
      this.now = Math.max(this.now, best.at);
      best.run();
    }
  }

  cut(): void {
    this.linkUp = false;
    this.#inflight = [];
  }

  restore(): void {
    this.linkUp = true;
  }
}

export function cfg(over: Partial<BfdSessionConfig> & { localDiscr: number }): BfdSessionConfig {
  return {
    name: `s${over.localDiscr}`,
    minTxMs: 10,
    minRxMs: 10,
    idleTxMs: 1000,
    detectMult: 5,
    passive: false,
    ...over,
  };
}
