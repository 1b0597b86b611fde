/**
 * The BFD use case with in-memory ports (manual clock, timers fired in time order, a wire that can be cut):
 * two services reach Up, listeners hear Up / not-Up changes, a cut ends in Down after the detection time,
 * stray datagrams are counted per reason, and stop() tells the neighbour AdminDown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, seededRandom, silentLogger } from '../../../adapters/memory/index.ts';
import { BfdService } from '../../../core/app/bfd-service.ts';
import { bfdSessionPlan, decodeBfdControl } from '../../../core/bfd/index.ts';
import { bfdInstanceSchema } from '../../../core/model/index.ts';
import type { BfdReceived, BfdTransport, TimerService } from '../../../core/ports/index.ts';

class Wire {
  readonly clock = new ManualClock(0);
  readonly timers = new Map<string, { at: number; fire: () => void }>();
  up = true;
  ttl = 255;
  #seq = 0;
  readonly handlers = new Map<string, (d: BfdReceived) => void>();
  readonly sent: { from: string; payload: Uint8Array }[] = [];

  timerService(prefix: string): TimerService {
    return {
      arm: (id, at, fire) => void this.timers.set(`${prefix}:${id}`, { at, fire }),
      cancel: (id) => void this.timers.delete(`${prefix}:${id}`),
      sleep: () => Promise.resolve(),
      cancelAll: () => undefined,
    };
  }

  transport(self: string, peer: string): BfdTransport {
    return {
      send: (_name, payload) => {
        this.sent.push({ from: self, payload });
        if (!this.up) return true;
        const ttl = this.ttl;
        this.timers.set(`wire:${++this.#seq}`, {
          at: this.clock.monotonicMs() + 0.5,
          fire: () => this.handlers.get(peer)?.({ payload, from: self, port: 3784, ttl }),
        });
        return true;
      },
      onReceive: (h) => void this.handlers.set(self, h),
      close: () => void this.handlers.delete(self),
    };
  }

  run(untilMs: number): void {
    for (;;) {
      let next: [string, { at: number; fire: () => void }] | undefined;
      for (const e of this.timers) if (!next || e[1].at < next[1].at) next = e;
      if (!next || next[1].at > untilMs) break;
      this.timers.delete(next[0]);
      this.clock.set(Math.max(this.clock.monotonicMs(), next[1].at));
      next[1].fire();
    }
    this.clock.set(Math.max(this.clock.monotonicMs(), untilMs));
  }
}

const A = '10.0.0.1';
const B = '10.0.0.2';

function pair() {
  const wire = new Wire();
  const make = (self: string, peer: string, seed: number) => {
    const svc = new BfdService({
      clock: wire.clock,
      random: seededRandom(seed),
      timers: wire.timerService(self),
      transport: wire.transport(self, peer),
      logger: silentLogger,
    });
    const b = bfdInstanceSchema.parse({ neighborIp: peer, minRx: 20, minTx: 20, multiplier: 3 });
    const events: [string, boolean][] = [];
    svc.start([bfdSessionPlan('s', b)]);
    svc.onChange((name, up) => events.push([name, up]));
    return { svc, events };
  };
  return { wire, a: make(A, B, 1), b: make(B, A, 2) };
}

describe('BfdService', () => {
  it('comes Up, falls Down after the detection time when the wire is cut, and comes back', () => {
    const { wire, a, b } = pair();
    assert.deepEqual(a.events, [['s', false]]);
    wire.run(5000);
    assert.equal(a.svc.isUp('s'), true);
    assert.equal(b.svc.isUp('s'), true);
    assert.deepEqual(a.events, [
      ['s', false],
      ['s', true],
    ]);
    assert.equal(a.svc.status()[0]!.detectionTimeMs, 60);
    wire.up = false;
    const cut = wire.clock.monotonicMs();
    wire.run(cut + 61);
    assert.equal(a.svc.isUp('s'), false);
    assert.equal(a.svc.status()[0]!.diag, 1);
    assert.deepEqual(a.events.at(-1), ['s', false]);
    wire.up = true;
    wire.run(cut + 5000);
    assert.equal(a.svc.isUp('s'), true);
  });

  it('counts datagrams with TTL below 255 as bad-ttl and never comes Up on them', () => {
    const { wire, a } = pair();
    wire.ttl = 254;
    wire.run(5000);
    assert.equal(a.svc.isUp('s'), false);
    assert.ok((a.svc.rejects()['bad-ttl'] ?? 0) > 0);
  });

  it('counts datagrams from unknown neighbours and bad packets', () => {
    const { a } = pair();
    a.svc.receive({ payload: new Uint8Array(10), from: B, port: 3784, ttl: 255 });
    const zeroMult = new Uint8Array(24);
    zeroMult.set([0x20, 0x40, 0, 24, 0, 0, 0, 9]);
    a.svc.receive({ payload: zeroMult, from: B, port: 3784, ttl: 255 });
    const valid = zeroMult.slice();
    valid[2] = 3;
    a.svc.receive({ payload: valid, from: '10.9.9.9', port: 3784, ttl: 255 });
    assert.deepEqual(a.svc.rejects(), { 'too-short': 1, 'zero-detect-mult': 1, 'no-session': 1 });
  });

  it('stop() sends AdminDown (diag 7); the neighbour goes Down with diag 3', () => {
    const { wire, a, b } = pair();
    wire.run(5000);
    a.svc.stop();
    const last = decodeBfdControl(wire.sent.filter((s) => s.from === A).at(-1)!.payload);
    assert.ok(last.ok);
    assert.equal(last.packet.state, 'AdminDown');
    assert.equal(last.packet.diag, 7);
    wire.run(5010);
    assert.equal(b.svc.isUp('s'), false);
    assert.equal(b.svc.status()[0]!.diag, 3);
  });
});
