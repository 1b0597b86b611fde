/** The BFD demultiplexer: session by Your Discriminator or by address, the TTL rule, typed rejects. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countReject,
  demuxBfd,
  encodeBfdControl,
  ttlAccepted,
  type BfdControl,
  type BfdPeerKey,
} from '../../../core/bfd/index.ts';

const peers: BfdPeerKey[] = [
  { name: 'a', localDiscr: 100, neighbor: '10.0.0.2', multihop: false, maxHops: 0 },
  { name: 'b', localDiscr: 200, neighbor: '10.0.0.3', local: '10.0.0.1', multihop: false, maxHops: 0 },
  { name: 'm', localDiscr: 300, neighbor: '192.0.2.9', multihop: true, maxHops: 10 },
];
const pkt = (over: Partial<BfdControl> = {}): Uint8Array =>
  encodeBfdControl({
    diag: 0,
    state: 'Down',
    poll: false,
    final: false,
    cpi: false,
    auth: false,
    demand: false,
    multipoint: false,
    detectMult: 3,
    myDiscr: 7,
    yourDiscr: 0,
    desiredMinTxUs: 1_000_000,
    requiredMinRxUs: 10_000,
    requiredMinEchoRxUs: 0,
    ...over,
  });
const dg = (payload: Uint8Array, from: string, ttl: number | undefined = 255, port = 3784, to?: string) => ({
  payload,
  from,
  port,
  ttl,
  ...(to ? { to } : {}),
});

describe('BFD demultiplexer', () => {
  it('finds the session by address while Your Discriminator is 0', () => {
    const r = demuxBfd(dg(pkt(), '10.0.0.2'), peers);
    assert.equal(r.ok && r.session, 'a');
  });
  it('finds the session by Your Discriminator, and refuses one from another address', () => {
    const r = demuxBfd(dg(pkt({ state: 'Up', yourDiscr: 200 }), '10.0.0.3'), peers);
    assert.equal(r.ok && r.session, 'b');
    assert.deepEqual(demuxBfd(dg(pkt({ state: 'Up', yourDiscr: 200 }), '10.0.0.2'), peers), {
      ok: false,
      reason: 'no-session',
    });
    assert.deepEqual(demuxBfd(dg(pkt({ state: 'Up', yourDiscr: 999 }), '10.0.0.2'), peers), {
      ok: false,
      reason: 'no-session',
    });
  });
  it('honours source_ip: a packet to another local address does not match', () => {
    assert.deepEqual(demuxBfd(dg(pkt(), '10.0.0.3', 255, 3784, '10.0.0.9'), peers), {
      ok: false,
      reason: 'no-session',
    });
    assert.equal(demuxBfd(dg(pkt(), '10.0.0.3', 255, 3784, '10.0.0.1'), peers).ok, true);
  });
  it('single-hop needs TTL 255 (rfc5881 §5); an unreported TTL is refused too', () => {
    for (const ttl of [254, 64, 1])
      assert.deepEqual(demuxBfd(dg(pkt(), '10.0.0.2', ttl), peers), { ok: false, reason: 'bad-ttl' });
    const unreported = { payload: pkt(), from: '10.0.0.2', port: 3784, ttl: undefined };
    assert.deepEqual(demuxBfd(unreported, peers), { ok: false, reason: 'bad-ttl' });
  });
  it('max_hops relaxes the TTL rule; multihop sessions only match port 4784', () => {
    assert.equal(ttlAccepted(245, peers[2]!), true);
    assert.equal(ttlAccepted(244, peers[2]!), false);
    assert.equal(demuxBfd(dg(pkt(), '192.0.2.9', 250, 4784), peers).ok, true);
    assert.deepEqual(demuxBfd(dg(pkt(), '192.0.2.9', 250, 3784), peers), { ok: false, reason: 'no-session' });
  });
  it('passes codec rejects through and counts every reason', () => {
    const r = demuxBfd(dg(pkt({ detectMult: 0 }), '10.0.0.2'), peers);
    assert.deepEqual(r, { ok: false, reason: 'zero-detect-mult' });
    let c = countReject({}, 'bad-ttl');
    c = countReject(c, 'bad-ttl');
    c = countReject(c, 'no-session');
    assert.deepEqual(c, { 'bad-ttl': 2, 'no-session': 1 });
  });
});
