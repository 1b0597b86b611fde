/**
 * auth_type AH through the VRRP use case: the service asks for a PacketIo that also receives protocol 51,
 * sends whole IPv4 datagrams (IP header + AH + VRRP) numbered by the FSM's sequence counter, and passes
 * received AH packets (with their IP header) to the router. In-memory ports on a simulated segment that
 * delivers the datagrams as the raw sockets would.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../adapters/memory/index.ts';
import { VrrpService, type PacketIoRequest, type VrrpPlan } from '../../../core/app/index.ts';
import type { Logger, PacketIo, ReceivedAdvert } from '../../../core/ports/index.ts';
import { IPPROTO_AH, IPV4_HEADER_LENGTH, makeInstanceSpec, splitAh } from '../../../core/vrrp/index.ts';

const VIP = '10.0.0.100';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

class Segment {
  readonly clock = new ManualClock(0);
  readonly timers = new Map<string, { at: number; fire: () => void }>();
  readonly receivers = new Map<string, (a: ReceivedAdvert) => void>();
  readonly sent: { from: string; datagram: Uint8Array }[] = [];
  readonly requests: PacketIoRequest[] = [];
  #n = 0;

  packetIo(source: string, request: PacketIoRequest): PacketIo {
    this.requests.push(request);
    return {
      sourceAddress: source,
      send: (advert) => {
        assert.equal(advert.ipv4Datagram, true, 'AH adverts go out as whole datagrams');
        const d = advert.payload.slice();
        this.sent.push({ from: source, datagram: d });
        for (const [peer, deliver] of this.receivers)
          if (peer !== source)
            this.timers.set(`wire:${++this.#n}`, {
              at: this.clock.monotonicMs() + 1,
              fire: () =>
                deliver({
                  family: 4,
                  source,
                  destination: advert.destination,
                  ttl: d[8] ?? 0,
                  payload: d.subarray(IPV4_HEADER_LENGTH),
                  protocol: d[9] ?? 0,
                  ipHeader: d.subarray(0, IPV4_HEADER_LENGTH),
                }),
            });
        return true;
      },
      onReceive: (h) => {
        this.receivers.set(source, h);
        return () => this.receivers.delete(source);
      },
      close: () => void this.receivers.delete(source),
    };
  }

  async run(untilMs: number): Promise<void> {
    for (;;) {
      let next: [string, { at: number; fire: () => void }] | undefined;
      for (const e of this.timers) if (!next || e[1].at < next[1].at) next = e;
      if (!next || next[1].at > untilMs) break;
      this.timers.delete(next[0]);
      this.clock.set(Math.max(this.clock.monotonicMs(), next[1].at));
      next[1].fire();
      await new Promise((r) => setImmediate(r));
    }
    this.clock.set(Math.max(this.clock.monotonicMs(), untilMs));
    await new Promise((r) => setImmediate(r));
  }
}

function node(seg: Segment, name: string, source: string): VrrpService {
  const addresses = new Set<string>();
  return new VrrpService({
    clock: seg.clock,
    addresses: {
      list: () => Promise.resolve([]),
      add: (a) => Promise.resolve(void addresses.add(a.address)),
      remove: (a) => Promise.resolve(void addresses.delete(a.address)),
      close() {},
    },
    announcer: { announce: () => Promise.resolve(), close() {} },
    timers: {
      arm: (id, atMs, fire) => void seg.timers.set(`${name}:${id}`, { at: atMs, fire }),
      cancel: (id) => void seg.timers.delete(`${name}:${id}`),
      sleep: () => Promise.resolve(),
      cancelAll: () => {
        for (const k of [...seg.timers.keys()]) if (k.startsWith(`${name}:`)) seg.timers.delete(k);
      },
    },
    notifier: { notify: () => {}, idle: () => Promise.resolve() },
    logger: quiet,
    openPacketIo: (req) => seg.packetIo(source, req),
  });
}

function plan(priority: number, source: string, password: string | null = 'k3y'): VrrpPlan {
  const made = makeInstanceSpec({
    name: 'VI_1',
    vrid: 51,
    version: 2,
    priority,
    advertIntervalMs: 1000,
    sourceIp: source,
    vips: [VIP],
    interface: 'eth0',
    ...(password === null ? {} : { auth: { type: 'ah' as const, password } }),
  });
  assert.ok(made.ok);
  return {
    instances: [
      {
        spec: made.spec,
        interfaceName: 'eth0',
        group: '224.0.0.18',
        addresses: { [VIP]: { interfaceName: 'eth0', address: VIP, prefixLength: 24 } },
      },
    ],
    syncGroups: [],
  };
}

describe('VrrpService with auth_type AH', () => {
  it('elects over AH: numbered datagrams, accepted by the backup, handed over on stop', async () => {
    const seg = new Segment();
    const a = node(seg, 'a', '10.0.0.1');
    const b = node(seg, 'b', '10.0.0.2');
    await a.start(plan(150, '10.0.0.1'));
    await b.start(plan(100, '10.0.0.2'));
    assert.ok(
      seg.requests.every((r) => r.ah === true),
      'the socket is asked to receive protocol 51',
    );
    await seg.run(10_000);
    assert.equal(a.status()[0]?.state, 'MASTER');
    const bs = b.status()[0];
    assert.equal(bs?.state, 'BACKUP');
    assert.ok((bs?.stats.advert_rcvd ?? 0) >= 5);
    assert.equal(bs?.stats.auth_failure, 0);
    const fromA = seg.sent.filter((s) => s.from === '10.0.0.1').map((s) => s.datagram);
    assert.ok(fromA.every((d) => d[9] === IPPROTO_AH));
    const seqs = fromA.map((d) => {
      const split = splitAh(d.subarray(IPV4_HEADER_LENGTH));
      assert.ok(split.ok);
      return split.seq;
    });
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'sequence numbers 1, 2, 3...',
    );
    const ids = fromA.map((d) => (d[4]! << 8) | d[5]!);
    assert.deepEqual(
      ids,
      ids.map((_, i) => i + 1),
      'one IP Identification per advert, never 0',
    );

    const stoppedAt = seg.clock.monotonicMs();
    await a.stop();
    await seg.run(stoppedAt + 1000);
    assert.equal(b.status()[0]?.state, 'MASTER', 'the priority-0 AH advert was accepted');
  });

  it('a different password: every advert is an auth failure, so both become master', async () => {
    const seg = new Segment();
    const a = node(seg, 'a', '10.0.0.1');
    const b = node(seg, 'b', '10.0.0.2');
    await a.start(plan(150, '10.0.0.1', 'one'));
    await b.start(plan(100, '10.0.0.2', 'two'));
    await seg.run(10_000);
    assert.equal(a.status()[0]?.state, 'MASTER');
    assert.equal(b.status()[0]?.state, 'MASTER');
    assert.ok((b.status()[0]?.stats.auth_failure ?? 0) >= 5);
    assert.equal(b.status()[0]?.stats.advert_rcvd, 0);
  });

  it('a reload that turns AH on reopens the PacketIo so that it receives protocol 51', async () => {
    const seg = new Segment();
    const a = node(seg, 'a', '10.0.0.1');
    await a.start(plan(150, '10.0.0.1', null));
    assert.deepEqual(
      seg.requests.map((r) => r.ah ?? false),
      [false],
    );
    await a.reload(plan(150, '10.0.0.1'));
    assert.deepEqual(
      seg.requests.map((r) => r.ah ?? false),
      [false, true],
    );
    await a.reload(plan(150, '10.0.0.1', 'other'));
    assert.equal(seg.requests.length, 2, 'an AH socket is kept across reloads');
    await a.stop();
  });
});
