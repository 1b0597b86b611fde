/**
 * BFD session reducer: two sessions talk through a simulated link with fake time. Properties over random
 * timer settings: they reach Up, stay Up while the link works, go Down within the detection time when it is
 * cut (diag 1), come back when it returns; periodic packets are jittered within rfc5880 §6.8.7's bounds,
 * never carry P and F together, and a passive end is silent until it hears its neighbour.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { seededRandom } from '../../../adapters/memory/random.ts';
import {
  BfdDiag,
  createBfdSession,
  detectionTimeMs,
  stepBfdSession,
  type BfdControl,
} from '../../../core/bfd/index.ts';
import { BfdWorld, cfg } from './sim.ts';

const side = fc.record({
  minTxMs: fc.integer({ min: 5, max: 200 }),
  minRxMs: fc.integer({ min: 5, max: 200 }),
  idleTxMs: fc.integer({ min: 200, max: 2000 }),
  detectMult: fc.integer({ min: 1, max: 10 }),
});
const world = fc.record({
  a: side,
  b: side,
  passive: fc.constantFrom<0 | 1 | -1>(-1, 0, 1),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

type WorldParams = typeof world extends fc.Arbitrary<infer T> ? T : never;

function build(w: WorldParams) {
  return new BfdWorld(
    cfg({ localDiscr: 11, ...w.a, passive: w.passive === 0 }),
    cfg({ localDiscr: 22, ...w.b, passive: w.passive === 1 }),
    w.seed,
  );
}

const upBy = (w: BfdWorld) => w.nodes.every((n) => n.state === 'Up');

describe('BFD session reducer', () => {
  it('two sessions come Up, stay Up, fall within detection time on a cut, and recover', () => {
    fc.assert(
      fc.property(world, (p) => {
        const w = build(p);
        w.start();
        const slow = Math.max(p.a.idleTxMs, p.b.idleTxMs, p.a.minTxMs, p.b.minTxMs);
        w.runUntil(3 * slow + 100);
        assert.ok(upBy(w), `not Up: ${w.nodes.map((n) => n.state).join('/')}`);
        const ups = w.changes.length;
        w.runUntil(w.now + 20 * slow);
        assert.equal(w.changes.length, ups, 'flapped while the link worked');
        // Cut: each side must leave Up within its detection time (+ the last packet's delay).
        const det = w.nodes.map((n) => detectionTimeMs(n));
        const cutAt = w.now;
        w.cut();
        w.runUntil(cutAt + Math.max(...det) * 2 + 10);
        for (const n of [0, 1] as const) {
          const down = w.changes.find((c) => c.node === n && c.at >= cutAt && c.from === 'Up');
          assert.ok(down, `node ${n} stayed Up after the cut`);
          assert.equal(down.to, 'Down');
          assert.equal(down.diag, BfdDiag.detectExpired);
          assert.ok(down.at - cutAt <= det[n]! + 1, `node ${n} took ${down.at - cutAt} ms > ${det[n]} ms`);
        }
        w.restore();
        w.runUntil(w.now + 4 * slow + 100);
        assert.ok(upBy(w), `not back Up: ${w.nodes.map((n) => n.state).join('/')}`);
      }),
      { numRuns: 150 },
    );
  });

  it('jitters periodic packets by 0-25 % (10-25 % with DetectMult 1) and never sets P and F together', () => {
    fc.assert(
      fc.property(world, (p) => {
        const w = build(p);
        w.start();
        w.runUntil(5000);
        for (const s of w.sent) assert.ok(!(s.packet.poll && s.packet.final));
        for (const n of [0, 1] as const) {
          const conf = n === 0 ? p.a : p.b;
          const mine = w.sent.filter((s) => s.from === n && s.periodic && s.packet.state === 'Up');
          for (let i = 1; i < mine.length; i++) {
            const gap = mine[i]!.at - mine[i - 1]!.at;
            const other = n === 0 ? p.b : p.a;
            const interval = Math.max(conf.minTxMs, other.minRxMs);
            const lo = 0.75 * interval - 1e-9;
            const hi = (conf.detectMult === 1 ? 0.9 : 1) * interval + 1e-9;
            // The first gap after going Up may still use the slow rate; check steady state only.
            if (i > 3) assert.ok(gap >= lo && gap <= hi, `gap ${gap} outside [${lo}, ${hi}]`);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a passive session sends nothing until it hears its neighbour', () => {
    const w = new BfdWorld(cfg({ localDiscr: 1, passive: true }), cfg({ localDiscr: 2, passive: true }));
    w.start();
    w.runUntil(10_000);
    assert.equal(w.sent.length, 0);
    assert.deepEqual(
      w.nodes.map((n) => n.state),
      ['Down', 'Down'],
    );
  });

  it('sends slowly (idle_tx, advertised) while not Up and fast with a Poll once Up', () => {
    const w = new BfdWorld(cfg({ localDiscr: 1 }), cfg({ localDiscr: 2, passive: true }));
    w.start();
    const first = w.sent[0]!.packet;
    assert.equal(first.state, 'Down');
    assert.equal(first.desiredMinTxUs, 1_000_000);
    assert.equal(first.requiredMinRxUs, 10_000);
    assert.equal(first.detectMult, 5);
    assert.equal(first.yourDiscr, 0);
    w.runUntil(3000);
    const upPkts = w.sent.filter((s) => s.from === 0 && s.packet.state === 'Up');
    assert.ok(upPkts.length > 50);
    assert.equal(upPkts.at(-1)!.packet.desiredMinTxUs, 10_000);
    assert.ok(
      upPkts.some((s) => s.packet.poll),
      'no Poll after changing DesiredMinTx',
    );
    assert.ok(!upPkts.at(-1)!.packet.poll, 'the Poll Sequence never ended');
    assert.ok(
      w.sent.some((s) => s.from === 1 && s.packet.final),
      'the peer never answered with Final',
    );
  });

  it('goes Down with diag 3 when the neighbour signals Down or AdminDown', () => {
    for (const remote of ['Down', 'AdminDown'] as const) {
      const w = new BfdWorld(cfg({ localDiscr: 1 }), cfg({ localDiscr: 2 }));
      w.start();
      w.runUntil(3000);
      assert.equal(w.nodes[0].state, 'Up');
      const r = stepBfdSession(
        w.nodes[0],
        {
          kind: 'receive',
          packet: {
            ...w.sent.at(-1)!.packet,
            myDiscr: 2,
            yourDiscr: 1,
            state: remote,
            poll: false,
            final: false,
          },
        },
        w.now,
        seededRandom(1),
      );
      assert.equal(r.session.state, 'Down');
      assert.equal(r.session.diag, BfdDiag.neighborDown);
      assert.ok(r.effects.some((e) => e.kind === 'cancel-timer' && e.timer === 'detect'));
    }
  });

  it('admin-down sends AdminDown (diag 7); a peer that receives it goes Down and stays there', () => {
    const w = new BfdWorld(cfg({ localDiscr: 1 }), cfg({ localDiscr: 2 }));
    w.start();
    w.runUntil(3000);
    w.step(0, { kind: 'admin-down' });
    const last = w.sent.at(-1)!.packet;
    assert.equal(last.state, 'AdminDown');
    assert.equal(last.diag, BfdDiag.adminDown);
    w.runUntil(6000);
    assert.equal(w.nodes[0].state, 'AdminDown');
    assert.equal(w.nodes[1].state, 'Down');
    w.step(0, { kind: 'admin-up' });
    w.runUntil(10_000);
    assert.deepEqual(
      w.nodes.map((n) => n.state),
      ['Up', 'Up'],
    );
  });

  it('answers a Poll with a Final at once, without P', () => {
    let s = createBfdSession(cfg({ localDiscr: 7 }));
    s = stepBfdSession(s, { kind: 'start' }, 0, seededRandom(1)).session;
    const poll: BfdControl = {
      diag: 0,
      state: 'Down',
      poll: true,
      final: false,
      cpi: false,
      auth: false,
      demand: false,
      multipoint: false,
      detectMult: 3,
      myDiscr: 9,
      yourDiscr: 0,
      desiredMinTxUs: 1_000_000,
      requiredMinRxUs: 50_000,
      requiredMinEchoRxUs: 0,
    };
    const r = stepBfdSession(s, { kind: 'receive', packet: poll }, 5, seededRandom(1));
    const sends = r.effects.filter((e) => e.kind === 'send');
    assert.equal(sends.length, 1);
    const p = (sends[0] as { packet: BfdControl }).packet;
    assert.deepEqual([p.final, p.poll, p.state, p.yourDiscr], [true, false, 'Init', 9]);
    assert.equal(detectionTimeMs(r.session), 3 * 1000);
  });
});
