// keepalived's GARP settings as effects: bursts on becoming master, the delayed 2nd burst, periodic refresh,
// lower-priority bursts, spacing, and none of it after leaving MASTER.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step, type VrrpEffect } from '../../../../core/vrrp/index.ts';
import { advertFrom, armedAt, spec, started } from './helpers.ts';

const garps = (fx: readonly VrrpEffect[]) =>
  fx.flatMap((f) => (f.kind === 'send-garp' ? [[f.reason, f.repeat, f.intervalMs]] : []));

test('refresh bursts every garp_master_refresh while master, with garp_interval spacing', () => {
  const sp = spec({
    priority: 150,
    garp: {
      masterRepeat: 3,
      masterDelayMs: 0,
      masterRefreshMs: 60_000,
      masterRefreshRepeat: 2,
      intervalMs: 10,
    },
  });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0);
  assert.deepEqual(garps(m.effects), [['become-master', 3, 10]]);
  assert.equal(armedAt(m.effects, 'garp-delayed'), undefined, 'master_delay 0: no 2nd burst');
  assert.equal(armedAt(m.effects, 'garp-refresh'), 60_000);
  const r = step(m.state, { kind: 'timer', timer: 'garp-refresh' }, 60_000);
  assert.deepEqual(garps(r.effects), [['refresh', 2, 10]]);
  assert.equal(armedAt(r.effects, 'garp-refresh'), 120_000);
  // leaving MASTER cancels the refresh
  const b = step(r.state, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 200) }, 61_000);
  assert.ok(b.effects.some((f) => f.kind === 'cancel-timer' && f.timer === 'garp-refresh'));
  assert.deepEqual(step(b.state, { kind: 'timer', timer: 'garp-refresh' }, 120_000).effects, []);
});

test('lower-priority bursts use garp_lower_prio_repeat and garp_lower_prio_delay', () => {
  const sp = spec({ priority: 150, garp: { lowerPrioRepeat: 2, lowerPrioDelayMs: 3000 } });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0).state;
  const r = step(m, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 100) }, 100);
  assert.deepEqual(garps(r.effects), [['lower-prio', 2, 0]]);
  assert.equal(armedAt(r.effects, 'garp-delayed'), 3100);
  const later = step(r.state, { kind: 'timer', timer: 'garp-delayed' }, 3100);
  assert.deepEqual(garps(later.effects), [['lower-prio-delayed', 2, 0]]);
});

test('GARPs cover advertised and excluded addresses; no addresses, no GARP', () => {
  const sp = spec({ priority: 150, vips: [], excludedVips: [], version: 3 });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0);
  assert.deepEqual(garps(m.effects), []);
});

test('garp_extra_if: one GARP per planned address every interval while master, none after leaving it', () => {
  const sp = spec({
    priority: 150,
    vips: ['10.0.0.100', '10.1.0.100'],
    garp: { masterDelayMs: 0, extraIfMs: 2000, extraIfAddresses: ['10.1.0.100'] },
  });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0);
  assert.equal(armedAt(m.effects, 'garp-extra-if'), 2000);
  const r = step(m.state, { kind: 'timer', timer: 'garp-extra-if' }, 2000);
  const sent = r.effects.filter((f) => f.kind === 'send-garp');
  assert.deepEqual(
    sent.map((f) => (f.kind === 'send-garp' ? [f.reason, f.repeat, f.addresses] : [])),
    [['extra-if', 1, ['10.1.0.100']]],
  );
  assert.equal(armedAt(r.effects, 'garp-extra-if'), 4000);
  const b = step(r.state, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 200) }, 2500);
  assert.ok(b.effects.some((f) => f.kind === 'cancel-timer' && f.timer === 'garp-extra-if'));
  assert.deepEqual(step(b.state, { kind: 'timer', timer: 'garp-extra-if' }, 4000).effects, []);
});

test('garp_extra_if without addresses (no extra interface) arms nothing', () => {
  const sp = spec({ priority: 150, garp: { extraIfMs: 2000, extraIfAddresses: [] } });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0);
  assert.equal(armedAt(m.effects, 'garp-extra-if'), undefined);
});
