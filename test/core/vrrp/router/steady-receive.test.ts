// Steady receives (core/vrrp/router/steady-receive.ts): what the VRRP service lets the socket adapter
// swallow on a backup. The same advert stepped n times one by one leaves the state afterSteadyReceive
// computes from the count and the last arrival; a master's advert that changes anything is not steady.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  afterSteadyReceive,
  createRouter,
  encodeAdvert,
  ownAdvert,
  stepRouter,
  steadyReceive,
  type RouterEvent,
  type RouterState,
  type VrrpInstanceSpec,
} from '../../../../core/vrrp/index.ts';
import { spec } from '../fsm/helpers.ts';

const ME = '10.0.0.2';
const MASTER = '10.0.0.1';

function backup(over: Parameters<typeof spec>[0] = {}): { s: VrrpInstanceSpec; router: RouterState } {
  const s = spec({ sourceIp: ME, priority: 100, ...over });
  const r = createRouter({ instances: [s] });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return { s, router: stepRouter(r.state, { kind: 'start' }, 0).state };
}

/** The master's advert as the socket hands it over. */
function advert(
  s: VrrpInstanceSpec,
  priority: number,
  src = MASTER,
): Extract<RouterEvent, { kind: 'packet' }> {
  const peer = spec({
    name: 'm',
    vrid: s.vrid,
    sourceIp: src,
    version: s.version,
    advertIntervalMs: s.advertIntervalMs,
    auth: s.auth,
    vips: s.vips,
  });
  const e = encodeAdvert(ownAdvert(peer, priority), { family: 'ipv4', src, dst: '224.0.0.18' });
  assert.ok(e.ok);
  return { kind: 'packet', bytes: e.bytes, ip: { family: 'ipv4', src, dst: '224.0.0.18', ttl: 255 } };
}

test('n copies stepped one by one = the copies counted at once, the last stepped', () => {
  fc.assert(
    fc.property(
      fc.constantFrom<2 | 3>(2, 3),
      fc.integer({ min: 100, max: 255 }),
      fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 40 }),
      (version, priority, gaps) => {
        const { s, router } = backup({
          version,
          advertIntervalMs: version === 2 ? 1000 : 10,
        });
        const p = advert(s, priority);
        const first = stepRouter(router, p, 1);
        const steady = steadyReceive(first.state, p, 1);
        assert.ok(steady, 'the master heard again only re-arms the timer');
        assert.equal(steady.instance, s.name);
        let r = first.state;
        let t = 1;
        for (const gap of gaps) {
          t += gap;
          const step = stepRouter(r, p, t);
          assert.deepEqual(
            step.effects.map((f) => f.kind),
            ['arm-timer'],
          );
          r = step.state;
        }
        assert.deepEqual(afterSteadyReceive(first.state, p, s.name, gaps.length, t), r);
        assert.equal(r.instances[s.name]?.timers['master-down'], t + steady.masterDownMs);
      },
    ),
    { numRuns: 100 },
  );
});

test('no copies changes nothing', () => {
  const { s, router } = backup();
  const p = advert(s, 150);
  const first = stepRouter(router, p, 1).state;
  assert.equal(afterSteadyReceive(first, p, s.name, 0, 50), first);
});

test('not steady: a lower priority we would preempt, a preempt_delay running, a master, the first advert of a new master', () => {
  // Lower priority while we preempt: discarded, the timer keeps running (no arm-timer).
  const low = backup({ priority: 200 });
  const pl = advert(low.s, 100);
  assert.equal(steadyReceive(stepRouter(low.router, pl, 1).state, pl, 1), undefined);
  // preempt_delay: whether an advert is accepted depends on the time.
  const delayed = backup({ preemptDelayMs: 5000 });
  const pd = advert(delayed.s, 150);
  assert.equal(steadyReceive(stepRouter(delayed.router, pd, 1).state, pd, 1), undefined);
  // A master hearing a lower priority re-advertises.
  const { s, router } = backup({ priority: 200 });
  const m = stepRouter(router, { kind: 'timer', id: `${s.name}/master-down` }, 10_000).state;
  assert.equal(m.instances[s.name]?.state, 'MASTER');
  const pm = advert(s, 100);
  assert.equal(steadyReceive(stepRouter(m, pm, 10_001).state, pm, 10_001), undefined);
  // Steady only from the state that has already heard this master: a new one changes `master`.
  const b = backup();
  const a1 = advert(b.s, 150);
  const heard = stepRouter(b.router, a1, 1).state;
  const other = advert(b.s, 150, '10.0.0.3');
  assert.equal(steadyReceive(heard, other, 2), undefined);
});
