// The router reducer the agent drives: wire packets in (demultiplexed by VRID, family, interface and
// unicast peer), timer ids, tracker fan-out, router-level stats, one notify sequence, spec errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createRouter,
  encodeAdvert,
  parseTimerId,
  stepRouter,
  timerId,
  type IpHeaderInfo,
  type RouterState,
  type VrrpAdvert,
} from '../../../../core/vrrp/index.ts';
import { spec } from '../fsm/helpers.ts';

const ip = (src: string, over: Partial<IpHeaderInfo> = {}): IpHeaderInfo => ({
  family: 'ipv4',
  src,
  dst: '224.0.0.18',
  ttl: 255,
  protocol: 112,
  ...over,
});

const v2 = (vrid: number, priority: number, addresses = ['10.0.0.100']): VrrpAdvert => ({
  version: 2,
  vrid,
  priority,
  addresses,
  authType: 0,
  authData: new Uint8Array(8),
  advertIntervalSec: 1,
});

function wire(advert: VrrpAdvert, header: IpHeaderInfo): Uint8Array {
  const r = encodeAdvert(advert, header);
  assert.ok(r.ok);
  return r.bytes;
}

function router(): RouterState {
  const r = createRouter({
    instances: [
      spec({ name: 'A', vrid: 1, interface: 'eth0' }),
      spec({ name: 'B', vrid: 1, interface: 'eth1' }),
      spec({
        name: 'U',
        vrid: 2,
        unicastPeers: ['10.0.0.2'],
        checkUnicastSrc: true,
        trackers: [{ id: 'script:x', kind: 'script', weight: 10 }],
      }),
      spec({ name: 'W', vrid: 3, trackers: [{ id: 'script:x', kind: 'script', weight: -10 }] }),
    ],
  });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return stepRouter(r.state, { kind: 'start' }, 0).state;
}

test('packets reach the instance with their VRID on their interface, checked with its own rules', () => {
  let s = router();
  const pkt = wire(v2(1, 200), ip('10.0.0.2'));
  s = stepRouter(s, { kind: 'packet', bytes: pkt, ip: ip('10.0.0.2'), interface: 'eth1' }, 10).state;
  assert.equal(s.instances.B?.stats.advert_rcvd, 1);
  assert.equal(s.instances.A?.stats.advert_rcvd, 0);
  assert.equal(s.instances.B?.master?.address, '10.0.0.2');
  // a TTL-64 copy is refused by the codec and counted on the instance the VRID names
  s = stepRouter(
    s,
    { kind: 'packet', bytes: pkt, ip: ip('10.0.0.2', { ttl: 64 }), interface: 'eth0' },
    11,
  ).state;
  assert.equal(s.instances.A?.stats.ip_ttl_err, 1);
});

test('unicast instances skip the TTL rule unless a range is set, and refuse non-peers with check_unicast_src', () => {
  let s = router();
  const peer = ip('10.0.0.2', { dst: '10.0.0.1', ttl: 61 });
  s = stepRouter(s, { kind: 'packet', bytes: wire(v2(2, 200), peer), ip: peer }, 5).state;
  assert.equal(s.instances.U?.stats.advert_rcvd, 1);
  const stranger = ip('10.0.0.66', { dst: '10.0.0.1' });
  const r = stepRouter(s, { kind: 'packet', bytes: wire(v2(2, 200), stranger), ip: stranger }, 6);
  assert.equal(r.state.instances.U?.stats.unicast_src_err, 1);
  assert.ok(r.effects.some((f) => f.kind === 'report' && f.report.kind === 'rejected'));
});

test('unknown VRIDs and garbage are counted at router level; the unknown VRID is reported once', () => {
  let s = router();
  const r1 = stepRouter(
    s,
    { kind: 'packet', bytes: wire(v2(99, 100), ip('10.0.0.7')), ip: ip('10.0.0.7') },
    1,
  );
  assert.deepEqual(
    r1.effects.map((f) => f.kind === 'report' && f.report),
    [{ kind: 'unknown-vrid', from: '10.0.0.7', vrid: 99 }],
  );
  s = stepRouter(
    r1.state,
    { kind: 'packet', bytes: wire(v2(99, 100), ip('10.0.0.7')), ip: ip('10.0.0.7') },
    2,
  ).state;
  assert.equal(s.stats.vrid_err, 2);
  const r3 = stepRouter(s, { kind: 'packet', bytes: Uint8Array.of(1), ip: ip('10.0.0.7') }, 3);
  assert.equal(r3.state.stats.packet_len_err, 1);
  assert.deepEqual(r3.effects, []);
});

test('tracker events reach every instance that tracks the id', () => {
  const s = stepRouter(
    router(),
    { kind: 'tracker', id: 'script:x', status: { kind: 'state', state: 'down' } },
    1,
  ).state;
  assert.equal(s.instances.U?.effectivePriority, 100);
  assert.equal(s.instances.W?.effectivePriority, 90);
  assert.equal(s.instances.A?.effectivePriority, 100);
});

test('timer ids round-trip and route to their instance; notifies are numbered across instances', () => {
  assert.deepEqual(parseTimerId(timerId('VI/1', 'master-down')), { instance: 'VI/1', timer: 'master-down' });
  assert.equal(parseTimerId('nonsense'), undefined);
  const r = createRouter({ instances: [spec({ name: 'A', vrid: 1 }), spec({ name: 'B', vrid: 2 })] });
  assert.ok(r.ok);
  const started = stepRouter(r.state, { kind: 'start' }, 0);
  const seqs = started.effects.flatMap((f) => (f.kind === 'notify' ? [[f.target.name, f.seq]] : []));
  assert.deepEqual(seqs, [
    ['A', 1],
    ['B', 2],
  ]);
  const fired = stepRouter(started.state, { kind: 'timer', id: timerId('B', 'master-down') }, 3609.375);
  assert.equal(fired.state.instances.B?.state, 'MASTER');
  assert.equal(fired.state.instances.A?.state, 'BACKUP');
  const note = fired.effects.find((f) => f.kind === 'notify');
  assert.equal(note?.kind === 'notify' && note.seq, 3);
});

test('createRouter refuses duplicate names, clashing VRIDs and bad sync groups, naming them', () => {
  const r = createRouter({
    instances: [spec({ name: 'A', vrid: 1 }), spec({ name: 'A', vrid: 2 }), spec({ name: 'C', vrid: 1 })],
    syncGroups: [
      { name: 'G1', members: ['A', 'Z'] },
      { name: 'G2', members: ['A'] },
    ],
  });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(r.errors, [
    'instance A: name used twice',
    'instance C: virtual_router_id 1 already used by A on the same interface and family',
    'vrrp_sync_group G1: member Z is not an instance',
    'vrrp_sync_group G2: member A is already in group G1',
  ]);
});

test('sync group: a member that starts faulted holds the whole group in FAULT until it clears', () => {
  const r = createRouter({
    instances: [
      spec({ name: 'X', vrid: 1 }),
      spec({ name: 'Y', vrid: 2, trackers: [{ id: 'script:chk', kind: 'script', weight: 0 }] }),
    ],
    syncGroups: [{ name: 'G', members: ['X', 'Y'] }],
  });
  assert.ok(r.ok);
  const started = stepRouter(r.state, { kind: 'start' }, 0);
  assert.equal(started.state.instances.X?.state, 'FAULT');
  assert.equal(started.state.instances.Y?.state, 'FAULT');
  const groupNotes = (fx: typeof started.effects) =>
    fx.flatMap((f) => (f.kind === 'notify' && f.target.type === 'group' ? [f.what] : []));
  assert.deepEqual(groupNotes(started.effects), ['FAULT']);
  const ok = stepRouter(
    started.state,
    { kind: 'tracker', id: 'script:chk', status: { kind: 'state', state: 'up' } },
    5,
  );
  assert.equal(ok.state.instances.X?.state, 'BACKUP');
  assert.equal(ok.state.instances.Y?.state, 'BACKUP');
  assert.deepEqual(groupNotes(ok.effects), ['BACKUP']);
  // both members time out; the group goes MASTER only once both want it
  const x = stepRouter(ok.state, { kind: 'timer', id: timerId('X', 'master-down') }, 3614);
  assert.equal(x.state.instances.X?.state, 'BACKUP');
  assert.equal(x.state.instances.X?.wantMaster, true);
  const y = stepRouter(x.state, { kind: 'timer', id: timerId('Y', 'master-down') }, 3614);
  assert.equal(y.state.instances.X?.state, 'MASTER');
  assert.equal(y.state.instances.Y?.state, 'MASTER');
  assert.deepEqual(groupNotes(y.effects), ['MASTER']);
});
