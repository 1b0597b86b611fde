// Random event sequences against one instance: whatever arrives, in whatever order, the reducer never
// throws and keeps its invariants (timers match the state, VIPs are held exactly while MASTER, faults and
// FAULT agree, notifies are numbered without gaps, timers are never armed in the past).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  initialInstanceState,
  step,
  type InstanceEvent,
  type InstanceState,
  type TimerKind,
} from '../../../../core/vrrp/index.ts';
import { advertFrom, spec } from './helpers.ts';

const base = (inSync: boolean, priority: number, preempt: boolean) =>
  initialInstanceState(
    spec({
      priority,
      preempt,
      initialState: priority === 255 ? 'MASTER' : 'BACKUP',
      preemptDelayMs: preempt && priority !== 255 ? 2000 : 0,
      garp: { extraIfMs: 3000, extraIfAddresses: ['10.1.0.1'] },
      trackers: [
        { id: 'interface:eth0', kind: 'interface', weight: 0 },
        { id: 'script:w', kind: 'script', weight: -50 },
        { id: 'file:f', kind: 'file', weight: 5 },
      ],
    }),
    inSync,
  );

const sp = base(false, 100, true).spec;

const event: fc.Arbitrary<InstanceEvent> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        p: fc.integer({ min: 0, max: 255 }),
        src: fc.constantFrom('10.0.0.0', '10.0.0.2', '10.0.0.1'),
        bad: fc.constantFrom(0, 0, 0, 1, 2),
      })
      .map(({ p, src, bad }): InstanceEvent => ({
        kind: 'advert',
        packet: advertFrom(
          sp,
          src,
          p,
          bad === 1 ? { advertIntervalMs: 2000 } : bad === 2 ? { vips: ['10.9.9.9'] } : {},
        ),
      })),
  },
  {
    weight: 5,
    arbitrary: fc
      .constantFrom<TimerKind>('master-down', 'advert', 'garp-delayed', 'garp-refresh', 'garp-extra-if')
      .map((timer): InstanceEvent => ({ kind: 'timer', timer })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ id: fc.constantFrom('interface:eth0', 'script:w'), up: fc.boolean() })
      .map(({ id, up }): InstanceEvent => ({
        kind: 'tracker',
        id,
        status: { kind: 'state', state: up ? 'up' : 'down' },
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: -60, max: 60 })
      .map((value): InstanceEvent => ({ kind: 'tracker', id: 'file:f', status: { kind: 'value', value } })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('fault', 'clear-fault', 'backup', 'master')
      .map((action): InstanceEvent => ({ kind: 'sync', action: action as 'fault' })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('checksum', 'ip-ttl', 'auth-failure')
      .map((reason): InstanceEvent => ({ kind: 'rejected', reason: reason as 'checksum', from: '10.0.0.9' })),
  },
);

function checkInvariants(s: InstanceState, held: boolean, label: string): void {
  const armed = (t: TimerKind) => s.timers[t] !== undefined;
  assert.equal(armed('advert'), s.state === 'MASTER', `${label}: advert timer iff MASTER`);
  assert.equal(armed('master-down'), s.state === 'BACKUP', `${label}: master-down timer iff BACKUP`);
  if (s.state !== 'MASTER')
    assert.ok(
      !armed('garp-delayed') && !armed('garp-refresh') && !armed('garp-extra-if'),
      `${label}: GARP timers only as MASTER`,
    );
  else assert.ok(armed('garp-extra-if'), `${label}: garp_extra_if timer while MASTER`);
  assert.equal(held, s.state === 'MASTER', `${label}: VIPs held iff MASTER`);
  const faulted = s.faults.length > 0 || s.syncFault;
  if (s.state === 'BACKUP' || s.state === 'MASTER')
    assert.ok(!faulted, `${label}: no fault while ${s.state}`);
  if (s.state === 'FAULT') assert.ok(faulted, `${label}: FAULT has a cause`);
  assert.ok(s.effectivePriority >= 1 && s.effectivePriority <= 255);
  assert.equal(s.effectivePriority === 255, s.spec.priority === 255);
}

test('any event sequence keeps the instance invariants', () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.constantFrom(50, 100, 254, 255),
      fc.boolean(),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), event), { maxLength: 80 }),
      fc.boolean(),
      (inSync, priority, preempt, events, shutdownAtEnd) => {
        let s = base(inSync, priority, preempt);
        let now = 0;
        let held = false;
        let seq = 0;
        const all: Array<[number, InstanceEvent]> = [[0, { kind: 'start' }], ...events];
        if (shutdownAtEnd) all.push([1, { kind: 'shutdown' }]);
        for (const [dt, e] of all) {
          now += dt;
          const r = step(s, e, now);
          for (const fx of r.effects) {
            if (fx.kind === 'add-vips') held = true;
            if (fx.kind === 'remove-vips') held = false;
            if (fx.kind === 'arm-timer') assert.ok(fx.atMs >= now, 'timer armed in the past');
            if (fx.kind === 'notify') assert.equal(fx.seq, ++seq);
            if (fx.kind === 'send-advert')
              assert.ok(fx.advert.priority === 0 || r.state.state === 'MASTER' || s.state === 'MASTER');
          }
          s = r.state;
          if (s.state !== 'STOP') checkInvariants(s, held, `${e.kind} at ${now}`);
          else assert.equal(held, false, 'VIPs released on stop');
        }
      },
    ),
    { numRuns: 400 },
  );
});
