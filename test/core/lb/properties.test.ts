// fast-check properties over random operation sequences, for every scheduler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SCHEDULER_NAMES, createVirtualService } from '../../../core/lb/index.ts';
import type { SchedulerName, VirtualServiceOptions } from '../../../core/lb/index.ts';
import { REQ, boundOverList, run, seededRandom } from './helpers.ts';

const POOL = ['p', 'q', 'r', 's', 't', 'u'];
const OVERLOAD = 0x2;

type Op =
  | { op: 'add'; i: number; weight: number }
  | { op: 'remove'; i: number }
  | { op: 'weight'; i: number; weight: number }
  | { op: 'overload'; i: number; on: boolean }
  | { op: 'conns'; i: number; active: number; inact: number }
  | { op: 'schedule'; client: number; dst: number; dt: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), i: fc.nat(5), weight: fc.nat(5) }),
  fc.record({ op: fc.constant('remove' as const), i: fc.nat(5) }),
  fc.record({ op: fc.constant('weight' as const), i: fc.nat(5), weight: fc.nat(5) }),
  fc.record({ op: fc.constant('overload' as const), i: fc.nat(5), on: fc.boolean() }),
  fc.record({ op: fc.constant('conns' as const), i: fc.nat(5), active: fc.nat(4), inact: fc.nat(4) }),
  fc.record({ op: fc.constant('schedule' as const), client: fc.nat(20), dst: fc.nat(3), dt: fc.nat(400) }),
  fc.record({ op: fc.constant('schedule' as const), client: fc.nat(20), dst: fc.nat(3), dt: fc.nat(400) }),
);

/** Where the kernel may return an OVERLOAD dest: lblc/lblcr reuse cached entries regardless (§9, §10). */
const MAY_RETURN_OVERLOADED: ReadonlySet<string> = new Set(['lblc', 'lblcr']);
/**
 * Where an eligible dest does not guarantee an answer: dh/sh/mh look at one bucket (no fallback, or for
 * mh a re-hash walk that can miss a dest with few slots); ovf also excludes active > weight.
 */
const MAY_MISS: ReadonlySet<string> = new Set(['dh', 'sh', 'mh', 'ovf']);

const variants: { label: string; scheduler: SchedulerName; options: Partial<VirtualServiceOptions> }[] = [
  ...SCHEDULER_NAMES.map((scheduler) => ({ label: scheduler, scheduler, options: {} })),
  { label: 'sh+fallback', scheduler: 'sh', options: { flags: { shFallback: true } } },
  { label: 'wlc+persistence', scheduler: 'wlc', options: { persistence: { timeout: 300, netmask: 24 } } },
];

for (const v of variants) {
  test(`property (${v.label}): a decision is a listed dest with weight > 0, never OVERLOAD where the kernel skips it`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const vs = createVirtualService({
          scheduler: v.scheduler,
          flags: {},
          port: 80,
          fwmark: 0,
          random: seededRandom(7),
          lblcrExpiration: 500,
          ...v.options,
        });
        let time = 0;
        for (const o of ops) {
          const id = POOL[o.op === 'schedule' ? 0 : o.i]!;
          const listed = vs.servers().some((s) => s.id === id);
          if (o.op === 'add' && !listed) {
            vs.addServer({ id, addr: `10.0.0.${o.i + 1}`, port: 80, weight: o.weight });
          } else if (o.op === 'remove' && listed) vs.removeServer(id);
          else if (o.op === 'weight' && listed) vs.editServer(id, { weight: o.weight });
          else if (o.op === 'overload' && listed) vs.setOverload(id, o.on);
          else if (o.op === 'conns' && listed)
            vs.setConns(id, { activeConns: o.active, inactConns: o.inact });
          else if (o.op === 'schedule') {
            time += o.dt;
            const before = vs.servers();
            const got = vs.schedule({
              ...REQ,
              saddr: `192.0.2.${o.client}`,
              daddr: `203.0.113.${o.dst}`,
              sport: 2000 + o.client,
              time,
            });
            const persistent = v.options.persistence !== undefined;
            if (got === null) {
              const eligible = before.some((s) => s.weight > 0 && (s.flags & OVERLOAD) === 0);
              if (!MAY_MISS.has(v.label)) assert.ok(!eligible, 'an eligible dest was there');
              continue;
            }
            const s = before.find((x) => x.id === got);
            // Persistence may keep a quiesced or overloaded server (templates outlive weight 0).
            if (persistent) {
              assert.ok(s !== undefined, `returned ${String(got)}, not listed`);
              continue;
            }
            assert.ok(s !== undefined, `returned ${String(got)}, not listed`);
            assert.ok(s.weight > 0, `returned ${String(got)} with weight 0`);
            if (!MAY_RETURN_OVERLOADED.has(v.label))
              assert.equal(s.flags & OVERLOAD, 0, 'returned an OVERLOAD dest');
          }
        }
      }),
      { numRuns: 150 },
    );
  });
}

test('property (wrr): over one full cycle from a bulk bind, each dest is chosen weight/gcd times', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 4 }),
      (ws, k) => {
        const weights = ws.map((w) => w * k);
        const defs = weights.map((weight, i) => ({ id: String.fromCharCode(97 + i), weight }));
        const vs = boundOverList('wrr', defs);
        const g = weights.reduce((a, b) => {
          let x = a;
          let y = b;
          while (y) [x, y] = [y, x % y];
          return x;
        });
        const cycle = weights.reduce((a, b) => a + b) / g;
        const seq = run(vs, cycle * 2);
        for (const half of [seq.slice(0, cycle), seq.slice(cycle)]) {
          defs.forEach((d) => assert.equal([...half].filter((c) => c === d.id).length, d.weight / g, half));
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('property (rr): n decisions over n eligible dests visit each once, in list order', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), (n) => {
      const defs = Array.from({ length: n }, (_, i) => ({
        id: String.fromCharCode(65 + i),
        weight: 1 + (i % 3),
      }));
      const vs = boundOverList('rr', defs);
      assert.equal(
        run(vs, 2 * n),
        defs
          .map((d) => d.id)
          .join('')
          .repeat(2),
      );
    }),
  );
});
