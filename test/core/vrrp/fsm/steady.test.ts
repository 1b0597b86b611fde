// Steady adverts (core/vrrp/fsm/steady.ts): what the VRRP service lets the socket adapter repeat on its own.
// Stepping a steady master's advert timer n times gives, each time, only the same advert and the re-armed
// timer, and leaves the state afterSteadyAdverts computes from the count and the last send time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  afterSteadyAdverts,
  step,
  steadyAdverts,
  type InstanceState,
  type VrrpEffect,
} from '../../../../core/vrrp/index.ts';
import { advertFrom, kinds, spec, started } from './helpers.ts';

/** A master: started as backup, its Master_Down_Timer expired. */
function master(over: Parameters<typeof spec>[0] = {}): InstanceState {
  const b = started(spec({ priority: 200, ...over })).state;
  const s = step(b, { kind: 'timer', timer: 'master-down' }, b.timers['master-down'] ?? NaN).state;
  assert.equal(s.state, 'MASTER');
  return s;
}

test('n advert timers stepped one by one = the steady adverts counted at once', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(10, 100, 1000),
      fc.constantFrom<2 | 3>(2, 3),
      fc.boolean(),
      fc.array(fc.double({ min: 0, max: 0.49, noNaN: true }), { minLength: 1, maxLength: 40 }),
      (interval, version, unicast, lateness) => {
        const s0 = master({
          version,
          advertIntervalMs: version === 2 ? Math.max(1000, interval) : interval,
          ...(unicast ? { unicastPeers: ['10.0.0.2'] } : {}),
        });
        const steady = steadyAdverts(s0);
        assert.ok(steady);
        let s = s0;
        let last = 0;
        for (const late of lateness) {
          const due = s.timers.advert ?? NaN;
          // Late, but less than half an interval (later than that, step reports a late timer).
          last = due + late * steady.intervalMs;
          const r = step(s, { kind: 'timer', timer: 'advert' }, last);
          assert.deepEqual(kinds(r.effects), ['send-advert:200', 'arm-timer:advert']);
          const sent = r.effects[0] as Extract<VrrpEffect, { kind: 'send-advert' }>;
          assert.deepEqual(sent.advert, steady.advert);
          s = r.state;
          assert.ok(steadyAdverts(s), 'still steady after each advert');
        }
        assert.deepEqual(afterSteadyAdverts(s0, lateness.length, last), s);
      },
    ),
    { numRuns: 200 },
  );
});

test('nothing sent changes nothing', () => {
  const s = master();
  assert.equal(afterSteadyAdverts(s, 0, 12345), s);
});

test('not steady: a backup, AH (a sequence number per advert), timer_expired_backup, a rogue owner', () => {
  const backup = started(spec({ priority: 100 })).state;
  assert.equal(backup.state, 'BACKUP');
  assert.equal(steadyAdverts(backup), undefined);
  assert.equal(
    steadyAdverts(master({ version: 2, advertIntervalMs: 1000, auth: { type: 'ah', password: 'secret' } })),
    undefined,
  );
  assert.equal(steadyAdverts(master({ timerExpiredBackup: 100, preempt: false })), undefined);
  // Another owner heard while we own the address starts the duplicate-owner countdown.
  const s = master({ priority: 255 });
  const heard = step(s, { kind: 'advert', packet: advertFrom(s.spec, '10.0.0.0', 255) }, 10_000);
  assert.notEqual(heard.state.rogue, undefined);
  assert.equal(steadyAdverts(heard.state), undefined);
});
