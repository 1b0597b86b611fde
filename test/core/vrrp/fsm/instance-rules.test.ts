// The keepalived rules of reference §0/§1.5, one test each, on a single instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialInstanceState, step, type VrrpEffect } from '../../../../core/vrrp/index.ts';
import { advertFrom, armedAt, kinds, run, spec, started } from './helpers.ts';

test('start: BACKUP with VIPs removed and master-down = 3 x adv + skew, even with state MASTER', () => {
  const sp = spec({ priority: 150, initialState: 'MASTER' });
  const { state, effects } = started(sp, 1000);
  assert.equal(state.state, 'BACKUP');
  assert.deepEqual(kinds(effects), ['remove-vips', 'arm-timer:master-down', 'notify:BACKUP']);
  assert.equal(armedAt(effects, 'master-down'), 1000 + 3414.0625);
});

test('start: the priority-255 owner with state MASTER goes master at once', () => {
  const sp = spec({ priority: 255 });
  const s = started(sp, 0);
  assert.equal(armedAt(s.effects, 'master-down'), 0);
  const r = step(s.state, { kind: 'timer', timer: 'master-down' }, 0);
  assert.equal(r.state.state, 'MASTER');
});

test('master-down expiry: advert first, then VIPs, GARP burst, 2nd burst timer, advert timer, notify', () => {
  const sp = spec({ priority: 150, excludedVips: ['10.0.1.1'] });
  const s = started(sp).state;
  const r = step(s, { kind: 'timer', timer: 'master-down' }, 3414.0625);
  assert.equal(r.state.state, 'MASTER');
  assert.deepEqual(kinds(r.effects), [
    'send-advert:150',
    'add-vips',
    'send-garp',
    'arm-timer:garp-delayed',
    'arm-timer:advert',
    'notify:MASTER',
  ]);
  const garp = r.effects.find((f) => f.kind === 'send-garp');
  assert.deepEqual(garp && garp.kind === 'send-garp' && [garp.addresses, garp.repeat], [
    ['10.0.0.100', '10.0.1.1'],
    5,
  ]);
  assert.equal(armedAt(r.effects, 'garp-delayed'), 3414.0625 + 5000);
  assert.equal(armedAt(r.effects, 'advert'), 4414.0625);
  assert.equal(r.state.stats.become_master, 1);
  // the advert timer re-sends and re-arms
  const a = step(r.state, { kind: 'timer', timer: 'advert' }, 4414.0625);
  assert.deepEqual(kinds(a.effects), ['send-advert:150', 'arm-timer:advert']);
  // the delayed burst fires once
  const g = step(a.state, { kind: 'timer', timer: 'garp-delayed' }, 8414.0625);
  assert.deepEqual(kinds(g.effects), ['send-garp']);
});

test('BACKUP: equal or higher priority resets the timer; lower is discarded and the timer keeps running', () => {
  const sp = spec({ priority: 100 });
  const s = started(sp).state;
  const hi = step(s, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 100) }, 1000);
  assert.equal(armedAt(hi.effects, 'master-down'), 1000 + 3609.375);
  assert.equal(hi.state.master?.address, '10.0.0.2');
  const lo = step(hi.state, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 90) }, 2000);
  assert.deepEqual(lo.effects, []);
  assert.equal(lo.state.timers['master-down'], 4609.375);
  assert.equal(lo.state.stats.advert_rcvd, 2);
});

test('BACKUP: a priority-0 advert sets the timer to Skew_Time', () => {
  const sp = spec({ priority: 100 });
  const s = started(sp).state;
  const r = step(s, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 0) }, 5000);
  assert.equal(armedAt(r.effects, 'master-down'), 5000 + 609.375);
  assert.equal(r.state.stats.pri_zero_rcvd, 1);
});

test('BACKUP with nopreempt accepts a lower-priority master', () => {
  const sp = spec({ priority: 200, preempt: false });
  const s = started(sp).state;
  const r = step(s, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 50) }, 1000);
  assert.equal(armedAt(r.effects, 'master-down'), 1000 + 3000 + (56 * 1000) / 256);
});

test('BACKUP with preempt_delay accepts a lower master until the delay has run from start-up', () => {
  const sp = spec({ priority: 200, preemptDelayMs: 10_000 });
  let s = started(sp).state;
  for (let t = 1000; t < 10_000; t += 1000) {
    const r = step(s, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 50) }, t);
    assert.equal(armedAt(r.effects, 'master-down'), t + 3000 + 218.75, `accepted at ${t}`);
    s = r.state;
  }
  const late = step(s, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 50) }, 10_000);
  assert.deepEqual(late.effects, [], 'discarded once the delay has run out');
  // a higher-priority master restarts the delay from its last advert
  const hi = step(late.state, { kind: 'advert', packet: advertFrom(sp, '10.0.0.3', 250) }, 10_500);
  const lower = step(hi.state, { kind: 'advert', packet: advertFrom(sp, '10.0.0.3', 50) }, 11_500);
  assert.equal(armedAt(lower.effects, 'master-down'), 11_500 + 3000 + 218.75);
});

test('MASTER: higher priority -> BACKUP, VIPs removed, one own advert first (floatip default)', () => {
  const sp = spec({ priority: 100 });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 3609.375).state;
  const r = step(m, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 200) }, 4000);
  assert.equal(r.state.state, 'BACKUP');
  assert.deepEqual(kinds(r.effects), [
    'report',
    'send-advert:100',
    'cancel-timer:advert',
    'cancel-timer:garp-delayed',
    'remove-vips',
    'arm-timer:master-down',
    'notify:BACKUP',
  ]);
  assert.equal(r.state.stats.release_master, 1);
  const keepalivedLike = spec({ priority: 100, higherPrioSendAdvert: false });
  const m2 = step(started(keepalivedLike).state, { kind: 'timer', timer: 'master-down' }, 0).state;
  const r2 = step(m2, { kind: 'advert', packet: advertFrom(keepalivedLike, '10.0.0.2', 200) }, 1);
  assert.ok(!kinds(r2.effects).includes('send-advert:100'));
});

test('MASTER: equal priority is broken by the higher source address, only in MASTER', () => {
  const sp = spec({ priority: 100, sourceIp: '10.0.0.5' });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0).state;
  assert.equal(step(m, { kind: 'advert', packet: advertFrom(sp, '10.0.0.9', 100) }, 1).state.state, 'BACKUP');
  assert.equal(step(m, { kind: 'advert', packet: advertFrom(sp, '10.0.0.3', 100) }, 1).state.state, 'MASTER');
  // a BACKUP accepts an equal advert whatever the address
  const b = started(sp).state;
  const r = step(b, { kind: 'advert', packet: advertFrom(sp, '10.0.0.3', 100) }, 1);
  assert.equal(r.state.master?.address, '10.0.0.3');
});

test('MASTER: lower priority -> stay, re-advert, lower-prio GARPs, notify, and re-announce once per episode', () => {
  const sp = spec({ priority: 150 });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0).state;
  const r = step(m, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 100) }, 100);
  assert.equal(r.state.state, 'MASTER');
  assert.deepEqual(kinds(r.effects), [
    'report',
    'send-advert:150',
    'arm-timer:advert',
    'send-garp',
    'arm-timer:garp-delayed',
    'notify:MASTER_RX_LOWER_PRI',
    'notify:MASTER',
  ]);
  const reannounce = r.effects.find(
    (f): f is Extract<VrrpEffect, { kind: 'notify' }> => f.kind === 'notify' && f.what === 'MASTER',
  );
  assert.equal(reannounce?.reason, 'reannounce');
  // within the same episode: no second re-announce
  const again = step(r.state, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 100) }, 1100);
  assert.ok(!kinds(again.effects).includes('notify:MASTER'));
  // after a quiet master-down span: a new episode re-announces again
  const later = step(again.state, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 100) }, 5000);
  assert.ok(kinds(later.effects).includes('notify:MASTER'));
});

test('MASTER: lower_prio_no_advert and zero lower-prio GARPs: floatip still re-announces with a burst', () => {
  const sp = spec({ priority: 150, lowerPrioNoAdvert: true, garp: { lowerPrioRepeat: 0 } });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0).state;
  const r = step(m, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 100) }, 100);
  assert.deepEqual(kinds(r.effects), ['report', 'notify:MASTER_RX_LOWER_PRI', 'send-garp', 'notify:MASTER']);
  const keepalived = spec({
    priority: 150,
    lowerPrioNoAdvert: true,
    garp: { lowerPrioRepeat: 0 },
    reannounceOnConflict: false,
  });
  const m2 = step(started(keepalived).state, { kind: 'timer', timer: 'master-down' }, 0).state;
  const r2 = step(m2, { kind: 'advert', packet: advertFrom(keepalived, '10.0.0.2', 100) }, 100);
  assert.deepEqual(kinds(r2.effects), ['report', 'notify:MASTER_RX_LOWER_PRI']);
});

test('MASTER: priority 0 from another router -> advert now, timer reset', () => {
  const sp = spec({ priority: 150 });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0).state;
  const r = step(m, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 0) }, 300);
  assert.deepEqual(kinds(r.effects), ['send-advert:150', 'arm-timer:advert']);
  assert.equal(armedAt(r.effects, 'advert'), 1300);
});

test('v3 BACKUP adopts the master advert interval for Master_Down_Interval and skew', () => {
  const sp = spec({ version: 3, priority: 100, advertIntervalMs: 1000 });
  const s = started(sp).state;
  const r = step(
    s,
    { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 200, { advertIntervalMs: 100 }) },
    0,
  );
  assert.equal(r.state.masterAdverIntervalMs, 100);
  assert.equal(armedAt(r.effects, 'master-down'), 300 + (156 * 100) / 256);
});

test('receive checks: v2 interval or auth mismatch discards and counts; address mismatch is advisory', () => {
  const sp = spec({ priority: 100, auth: { type: 'pass', password: 'secret' } });
  const s = started(sp).state;
  const interval = step(
    s,
    { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 200, { advertIntervalMs: 2000 }) },
    1,
  );
  assert.equal(interval.state.stats.advert_interval_err, 1);
  assert.equal(interval.state.timers['master-down'], s.timers['master-down']);
  const pw = step(
    s,
    {
      kind: 'advert',
      packet: advertFrom(sp, '10.0.0.2', 200, { auth: { type: 'pass', password: 'other' } }),
    },
    1,
  );
  assert.equal(pw.state.stats.auth_failure, 1);
  const none = step(
    s,
    { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 200, { auth: { type: 'none' } }) },
    1,
  );
  assert.equal(none.state.stats.authtype_mismatch, 1);
  const vips = step(
    s,
    { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 200, { vips: ['10.0.0.100', '10.0.0.101'] }) },
    1,
  );
  assert.equal(vips.state.stats.addr_list_err, 1);
  assert.equal(vips.state.master?.address, '10.0.0.2', 'processed anyway (RFC 9568)');
  const report = vips.effects.find((f) => f.kind === 'report');
  assert.equal(report && report.kind === 'report' && report.report.kind, 'address-mismatch');
  const collision = step(
    s,
    { kind: 'advert', packet: advertFrom(sp, '10.0.0.7', 200, { vips: ['192.168.9.9'] }) },
    1,
  );
  const c = collision.effects.find((f) => f.kind === 'report');
  assert.equal(c && c.kind === 'report' && c.report.kind, 'vrid-collision');
  // reported once per sender, counted every time
  const twice = step(
    collision.state,
    { kind: 'advert', packet: advertFrom(sp, '10.0.0.7', 200, { vips: ['192.168.9.9'] }) },
    2,
  );
  assert.equal(twice.effects.filter((f) => f.kind === 'report').length, 0);
  assert.equal(twice.state.stats.addr_list_err, 2);
});

test('unicast: foreign senders are reported, or refused with check_unicast_src', () => {
  const sp = spec({ unicastPeers: ['10.0.0.2'] });
  const s = started(sp).state;
  const r = step(s, { kind: 'advert', packet: advertFrom(sp, '10.0.0.66', 200) }, 1);
  assert.ok(r.effects.some((f) => f.kind === 'report' && f.report.kind === 'foreign-sender'));
  const strict = spec({ unicastPeers: ['10.0.0.2'], checkUnicastSrc: true });
  const r2 = step(started(strict).state, { kind: 'advert', packet: advertFrom(strict, '10.0.0.66', 200) }, 1);
  assert.equal(r2.state.stats.unicast_src_err, 1);
});

test('tracker fault: MASTER sends priority 0, removes VIPs, FAULT; recovery goes BACKUP with a fresh timer', () => {
  const sp = spec({ priority: 150, trackers: [{ id: 'interface:eth0', kind: 'interface', weight: 0 }] });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0).state;
  const f = step(m, { kind: 'tracker', id: 'interface:eth0', status: { kind: 'state', state: 'down' } }, 500);
  assert.equal(f.state.state, 'FAULT');
  assert.deepEqual(kinds(f.effects), [
    'send-advert:0',
    'cancel-timer:advert',
    'cancel-timer:garp-delayed',
    'remove-vips',
    'notify:FAULT',
  ]);
  assert.equal(f.state.stats.pri_zero_sent, 1);
  const b = step(
    f.state,
    { kind: 'tracker', id: 'interface:eth0', status: { kind: 'state', state: 'up' } },
    900,
  );
  assert.equal(b.state.state, 'BACKUP');
  assert.equal(armedAt(b.effects, 'master-down'), 900 + 3414.0625);
});

test('an unweighted script not yet run keeps the instance in FAULT from start', () => {
  const sp = spec({ trackers: [{ id: 'script:chk', kind: 'script', weight: 0 }] });
  const s = started(sp);
  assert.equal(s.state.state, 'FAULT');
  const ok = step(s.state, { kind: 'tracker', id: 'script:chk', status: { kind: 'state', state: 'up' } }, 10);
  assert.equal(ok.state.state, 'BACKUP');
});

test('shutdown: MASTER sends priority 0 and removes VIPs; STOP ignores everything after', () => {
  const sp = spec({ priority: 150 });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0).state;
  const r = step(m, { kind: 'shutdown' }, 10);
  assert.deepEqual(kinds(r.effects), [
    'send-advert:0',
    'cancel-timer:advert',
    'cancel-timer:garp-delayed',
    'remove-vips',
    'notify:STOP',
  ]);
  const n = r.effects.find((f) => f.kind === 'notify');
  assert.equal(n && n.kind === 'notify' && n.priority, 150);
  assert.deepEqual(step(r.state, { kind: 'timer', timer: 'advert' }, 20).effects, []);
});

test('a timer that is not armed (stale fire) is ignored', () => {
  const sp = spec();
  const s = started(sp).state;
  assert.deepEqual(step(s, { kind: 'timer', timer: 'advert' }, 1).effects, []);
  assert.equal(step(s, { kind: 'timer', timer: 'advert' }, 1).state, s);
});

test('notify effects carry increasing sequence numbers', () => {
  const sp = spec({ priority: 150 });
  const { effects } = run(initialInstanceState(sp), [
    [0, { kind: 'start' }],
    [3414.0625, { kind: 'timer', timer: 'master-down' }],
    [5000, { kind: 'advert', packet: advertFrom(sp, '10.0.0.2', 200) }],
  ]);
  const seqs = effects.flatMap((f) => (f.kind === 'notify' ? [f.seq] : []));
  assert.deepEqual(seqs, [1, 2, 3]);
});

test('priority changes notify MASTER_PRIORITY when asked, and the next advert carries the new priority', () => {
  const sp = spec({
    priority: 150,
    notifyPriorityChanges: true,
    trackers: [{ id: 'script:w', kind: 'script', weight: -60 }],
  });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 0).state;
  const r = step(m, { kind: 'tracker', id: 'script:w', status: { kind: 'state', state: 'down' } }, 10);
  assert.deepEqual(kinds(r.effects), ['notify:MASTER_PRIORITY']);
  assert.equal(r.state.state, 'MASTER', 'a master whose priority drops does not step down by itself');
  const a = step(r.state, { kind: 'timer', timer: 'advert' }, 1000);
  assert.deepEqual(kinds(a.effects), ['send-advert:90', 'arm-timer:advert']);
});

test('unicast: leaving FAULT announces our own source address so the master re-learns it', () => {
  const sp = spec({
    unicastPeers: ['10.0.0.2'],
    trackers: [{ id: 'interface:eth0', kind: 'interface', weight: 0 }],
  });
  const down = step(
    started(sp).state,
    { kind: 'tracker', id: 'interface:eth0', status: { kind: 'state', state: 'down' } },
    1,
  );
  const up = step(
    down.state,
    { kind: 'tracker', id: 'interface:eth0', status: { kind: 'state', state: 'up' } },
    2,
  );
  const garp = up.effects.find((f) => f.kind === 'send-garp');
  assert.deepEqual(garp?.kind === 'send-garp' && [garp.addresses, garp.reason], [
    ['10.0.0.1'],
    'unicast-source',
  ]);
});

test('a timer firing more than half an interval late is reported (starvation metric)', () => {
  const sp = spec({ priority: 150 });
  const m = step(started(sp).state, { kind: 'timer', timer: 'master-down' }, 3414.0625);
  const onTime = step(m.state, { kind: 'timer', timer: 'advert' }, 4414.0625 + 400);
  assert.ok(!onTime.effects.some((f) => f.kind === 'report'));
  const late = step(m.state, { kind: 'timer', timer: 'advert' }, 4414.0625 + 700);
  const r = late.effects.find((f) => f.kind === 'report');
  assert.deepEqual(r?.kind === 'report' && r.report, { kind: 'timer-late', timer: 'advert', lateMs: 700 });
});
