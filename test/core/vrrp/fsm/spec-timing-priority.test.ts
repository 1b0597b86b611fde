import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluatePriority,
  makeInstanceSpec,
  masterDownMs,
  skewMs,
  type TrackerSpec,
} from '../../../../core/vrrp/index.ts';

test('master-down timer follows rfc3768/rfc5798 §6.1 exactly', () => {
  // v2: 3 x 1 s + (256 - 150)/256 s = 3.4140625 s (keepalived dump: 3414062 µs)
  assert.equal(masterDownMs(2, 150, 1000), 3414.0625);
  assert.equal(skewMs(2, 100, 3000), 609.375); // v2 skew ignores the interval
  // v3: skew scales with Master_Adver_Interval: 0.1 s, prio 100 -> 300 + 156*100/256 ms
  assert.equal(masterDownMs(3, 100, 100), 360.9375);
  assert.equal(skewMs(3, 255, 50), 50 / 256);
  assert.equal(masterDownMs(2, 100, 1000, 5), 5609.375);
});

test('makeInstanceSpec fills defaults as keepalived does and as floatip chooses', () => {
  const r = makeInstanceSpec({ name: 'VI_1', vrid: 51, sourceIp: '10.0.0.1', vips: ['10.0.0.100'] });
  assert.ok(r.ok);
  assert.equal(r.spec.version, 2);
  assert.equal(r.spec.priority, 100);
  assert.equal(r.spec.initialState, 'BACKUP');
  assert.equal(r.spec.advertIntervalMs, 1000);
  assert.equal(r.spec.downTimerAdverts, 3);
  assert.deepEqual(r.spec.garp, {
    masterDelayMs: 5000,
    masterRepeat: 5,
    masterRefreshMs: 0,
    masterRefreshRepeat: 1,
    lowerPrioDelayMs: 5000,
    lowerPrioRepeat: 5,
    intervalMs: 0,
  });
  assert.equal(r.spec.higherPrioSendAdvert, true);
  assert.equal(r.spec.reannounceOnConflict, true);
  const v6 = makeInstanceSpec({ name: 'V6', vrid: 1, sourceIp: 'FE80::1', vips: ['fe80::100'] });
  assert.ok(v6.ok);
  assert.equal(v6.spec.version, 3);
  assert.equal(v6.spec.sourceIp, 'fe80::1');
  const owner = makeInstanceSpec({ name: 'O', vrid: 1, sourceIp: '10.0.0.1', vips: [], priority: 255 });
  assert.ok(owner.ok);
  assert.equal(owner.spec.initialState, 'MASTER');
});

test('makeInstanceSpec clears nopreempt and preempt_delay where keepalived does, with a warning', () => {
  const r = makeInstanceSpec({
    name: 'VI_1',
    vrid: 5,
    sourceIp: '10.0.0.1',
    vips: [],
    initialState: 'MASTER',
    preempt: false,
    preemptDelayMs: 3000,
  });
  assert.ok(r.ok);
  assert.equal(r.spec.preempt, true);
  assert.equal(r.spec.preemptDelayMs, 0);
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0] ?? '', /instance VI_1: nopreempt/);
});

test('makeInstanceSpec refuses bad values, naming instance and field', () => {
  const r = makeInstanceSpec({
    name: 'VI_9',
    vrid: 256,
    priority: 0,
    sourceIp: 'x',
    vips: ['10.0.0.300'],
    advertIntervalMs: 1500,
  });
  assert.equal(r.ok, false);
  if (r.ok) return;
  const text = r.errors.join('\n');
  for (const field of [
    'virtual_router_id 256',
    'priority 0',
    'advert_int 1.5',
    'source address',
    '"10.0.0.300"',
  ])
    assert.ok(text.includes(field), `missing ${field} in:\n${text}`);
  assert.ok(r.errors.every((e) => e.startsWith('instance VI_9: ')));
  const v3 = makeInstanceSpec({
    name: 'x',
    vrid: 1,
    sourceIp: '10.0.0.1',
    vips: [],
    version: 3,
    advertIntervalMs: 15,
  });
  assert.equal(v3.ok, false);
  const v2v6 = makeInstanceSpec({ name: 'x', vrid: 1, sourceIp: 'fe80::1', vips: [], version: 2 });
  assert.equal(v2v6.ok, false);
});

const t = (id: string, kind: TrackerSpec['kind'], weight: number, reverse = false): TrackerSpec => ({
  id,
  kind,
  weight,
  reverse,
});

test('effective priority adds weights as keepalived: +w while up, -w while down, clamped 1..254', () => {
  const trackers = [
    t('script:a', 'script', 20),
    t('script:b', 'script', -60),
    t('interface:eth1', 'interface', 10),
  ];
  const up = { kind: 'state', state: 'up' } as const;
  const down = { kind: 'state', state: 'down' } as const;
  assert.deepEqual(
    evaluatePriority(150, trackers, { 'script:a': up, 'script:b': up, 'interface:eth1': up }),
    {
      effective: 180,
      faults: [],
    },
  );
  assert.equal(
    evaluatePriority(150, trackers, { 'script:a': down, 'script:b': down, 'interface:eth1': up }).effective,
    100,
  );
  assert.equal(
    evaluatePriority(250, trackers, { 'script:a': up, 'script:b': up, 'interface:eth1': up }).effective,
    254,
  );
  assert.equal(
    evaluatePriority(30, trackers, { 'script:a': down, 'script:b': down, 'interface:eth1': down }).effective,
    1,
  );
  // the owner never moves
  assert.equal(evaluatePriority(255, trackers, { 'script:b': down }).effective, 255);
  // weighted scripts in init do not change the priority
  assert.deepEqual(evaluatePriority(100, trackers, {}), { effective: 110, faults: [] });
});

test('unweighted trackers fault when down or (scripts) not yet run; reverse inverts', () => {
  const trackers = [t('script:c', 'script', 0), t('interface:eth0', 'interface', 0, true)];
  assert.deepEqual(evaluatePriority(100, trackers, {}).faults, ['script:c', 'interface:eth0']);
  const r = evaluatePriority(100, trackers, {
    'script:c': { kind: 'state', state: 'up' },
    'interface:eth0': { kind: 'state', state: 'down' },
  });
  assert.deepEqual(r.faults, []);
});

test('track_file: value times weight; weight 0 faults on non-zero; below -253 faults', () => {
  const f = [t('file:x', 'file', 10)];
  assert.equal(evaluatePriority(100, f, { 'file:x': { kind: 'value', value: -3 } }).effective, 70);
  assert.deepEqual(evaluatePriority(100, f, { 'file:x': { kind: 'value', value: -26 } }).faults, ['file:x']);
  assert.deepEqual(
    evaluatePriority(100, [t('file:y', 'file', 0)], { 'file:y': { kind: 'value', value: 1 } }).faults,
    ['file:y'],
  );
  assert.equal(
    evaluatePriority(100, [t('file:z', 'file', 10, true)], { 'file:z': { kind: 'value', value: 2 } })
      .effective,
    80,
  );
});
