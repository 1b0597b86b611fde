// auth_type AH through the router and the instance FSM with real datagrams (codec/ah.ts): ICV, SPI and
// sequence-number checks as keepalived 2.2.7 makes them, counted as rejects and never thrown, and the one
// sequence counter per instance shared by sending and receiving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IPV4_HEADER_LENGTH,
  createRouter,
  encodeAdvert,
  encodeAhDatagram,
  ownAdvert,
  passAuthData,
  stepRouter,
  type RouterEvent,
  type RouterState,
  type VrrpEffect,
  type VrrpInstanceSpec,
} from '../../../../core/vrrp/index.ts';
import { spec } from '../fsm/helpers.ts';

const ME = '10.0.0.1';
const PEER = '10.0.0.2';
const GROUP = '224.0.0.18';

const ahSpec = (over: Partial<Parameters<typeof spec>[0]> = {}): VrrpInstanceSpec =>
  spec({ name: 'AH', vrid: 9, sourceIp: ME, priority: 100, auth: { type: 'ah', password: 'k3y' }, ...over });

function start(s: VrrpInstanceSpec): RouterState {
  const r = createRouter({ instances: [s] });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return stepRouter(r.state, { kind: 'start' }, 0).state;
}

/** A peer's AH advert as keepalived would put it on the wire, cut into header + payload as the socket does. */
function ahPacket(o: {
  priority: number;
  seq: number;
  password?: string;
  src?: string;
  dst?: string;
  unicast?: boolean;
  tamper?: (d: Uint8Array) => void;
}): RouterEvent {
  const src = o.src ?? PEER;
  const dst = o.dst ?? GROUP;
  const peer = ahSpec({ name: 'peer', sourceIp: src, priority: Math.max(1, o.priority) });
  const vrrp = encodeAdvert(ownAdvert(peer, o.priority), { family: 'ipv4', src, dst });
  assert.ok(vrrp.ok);
  const d = encodeAhDatagram({
    src,
    dst,
    ipId: o.seq,
    ttl: 255,
    seq: o.seq,
    key: passAuthData(o.password ?? 'k3y'),
    unicast: o.unicast ?? false,
    vrrp: vrrp.bytes,
  });
  assert.ok(d.ok);
  o.tamper?.(d.bytes);
  return {
    kind: 'packet',
    bytes: d.bytes.subarray(IPV4_HEADER_LENGTH),
    ipHeader: d.bytes.subarray(0, IPV4_HEADER_LENGTH),
    ip: { family: 'ipv4', src, dst, ttl: 255, protocol: 51 },
  };
}

function feed(state: RouterState, events: Array<[number, RouterEvent]>) {
  let s = state;
  const effects: VrrpEffect[] = [];
  for (const [now, e] of events) {
    const r = stepRouter(s, e, now);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects, instance: s.instances['AH']! };
}

const sentSeqs = (effects: VrrpEffect[]) =>
  effects.flatMap((e) => (e.kind === 'send-advert' ? [e.ahSeq] : []));

test('a backup accepts good AH adverts with rising sequence numbers and stays backup', () => {
  const r = feed(start(ahSpec()), [
    [1000, ahPacket({ priority: 150, seq: 1 })],
    [2000, ahPacket({ priority: 150, seq: 2 })],
    [3000, ahPacket({ priority: 150, seq: 7 })],
  ]);
  assert.equal(r.instance.state, 'BACKUP');
  assert.equal(r.instance.stats.advert_rcvd, 3);
  assert.equal(r.instance.stats.auth_failure, 0);
  assert.deepEqual(r.instance.ahCounter, { seq: 7, cycled: false });
  assert.equal(r.instance.master?.address, PEER);
});

test('replayed or old sequence numbers, a wrong key, a changed byte or a bad SPI: counted auth failures', () => {
  const r = feed(start(ahSpec()), [
    [1000, ahPacket({ priority: 150, seq: 5 })],
    [1100, ahPacket({ priority: 150, seq: 5 })], // replay
    [1200, ahPacket({ priority: 150, seq: 4 })], // older
    [1300, ahPacket({ priority: 150, seq: 6, password: 'other' })],
    [1400, ahPacket({ priority: 150, seq: 7, tamper: (d) => (d[IPV4_HEADER_LENGTH + 2]! ^= 1) })],
    // SPI rewritten: the ICV no longer matches either; both rules refuse it.
    [1500, ahPacket({ priority: 150, seq: 8, tamper: (d) => (d[IPV4_HEADER_LENGTH + 7]! ^= 1) })],
  ]);
  assert.equal(r.instance.stats.advert_rcvd, 1);
  assert.equal(r.instance.stats.auth_failure, 5);
  assert.deepEqual(
    r.instance.ahCounter,
    { seq: 5, cycled: false },
    'refused adverts do not move the counter',
  );
  assert.ok(r.effects.some((e) => e.kind === 'report' && e.report.kind === 'rejected'));
});

test('AH on one side only is an auth type mismatch, either way round', () => {
  const plain = spec({ name: 'AH', vrid: 9, sourceIp: ME, priority: 100 });
  const r1 = feed(start(plain), [[1000, ahPacket({ priority: 150, seq: 1 })]]);
  assert.equal(r1.instance.stats.authtype_mismatch, 1);
  const v = encodeAdvert(ownAdvert(spec({ name: 'p', vrid: 9, sourceIp: PEER, priority: 150 }), 150), {
    family: 'ipv4',
    src: PEER,
    dst: GROUP,
  });
  assert.ok(v.ok);
  const r2 = feed(start(ahSpec()), [
    [
      1000,
      {
        kind: 'packet',
        bytes: v.bytes,
        ip: { family: 'ipv4', src: PEER, dst: GROUP, ttl: 255, protocol: 112 },
      },
    ],
  ]);
  assert.equal(r2.instance.stats.authtype_mismatch, 1);
  assert.equal(r2.instance.stats.advert_rcvd, 0);
});

test('an AH whose next header is not VRRP is dropped silently; a truncated one counts as a length error', () => {
  const other = ahPacket({ priority: 150, seq: 1 }) as Extract<RouterEvent, { kind: 'packet' }>;
  const bytes = other.bytes.slice();
  bytes[0] = 6; // TCP
  const r = feed(start(ahSpec()), [
    [1000, { ...other, bytes }],
    [1100, { ...other, bytes: other.bytes.subarray(0, 10) }],
  ]);
  assert.equal(r.instance.stats.auth_failure + r.instance.stats.advert_rcvd, 0);
  assert.equal(r.state.stats.packet_len_err, 1);
});

test('the master numbers its adverts 1, 2, 3... continuing above the numbers it heard as backup', () => {
  const s = ahSpec({ priority: 200 });
  const r = feed(start(s), [
    [500, ahPacket({ priority: 100, seq: 40 })], // a lower-priority master's advert, accepted (counter 40)
    [10_000, { kind: 'timer', id: 'AH/master-down' }],
    [11_000, { kind: 'timer', id: 'AH/advert' }],
  ]);
  assert.equal(r.instance.state, 'MASTER');
  assert.deepEqual(sentSeqs(r.effects), [41, 42]);
  // A master hearing a lower priority continues above that sender's number (keepalived "Syncing seq_num").
  const r2 = feed(r.state, [[11_500, ahPacket({ priority: 100, seq: 90 })]]);
  assert.deepEqual(sentSeqs(r2.effects), [92]);
  // And its priority-0 advert on shutdown carries the next one, so a backup accepts it.
  const r3 = feed(r2.state, [[12_000, { kind: 'shutdown' }]]);
  assert.deepEqual(sentSeqs(r3.effects), [93]);
});

test('unicast: the TTL is outside the ICV, so a peer behind routers (TTL < 255) still verifies', () => {
  const s = ahSpec({ unicastPeers: [PEER] });
  const e = ahPacket({ priority: 150, seq: 3, dst: ME, unicast: true }) as Extract<
    RouterEvent,
    { kind: 'packet' }
  >;
  const header = e.ipHeader!.slice();
  header[8] = 61;
  const r = feed(start(s), [[1000, { ...e, ipHeader: header, ip: { ...e.ip, dst: ME, ttl: 61 } }]]);
  assert.equal(r.instance.stats.auth_failure, 0);
  assert.equal(r.instance.stats.advert_rcvd, 1);
});
