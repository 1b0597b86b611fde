/**
 * The VRRP use case with in-memory ports on a simulated segment (manual clock, timers run in time order):
 * election, VIPs and GARPs on the winner, priority-0 handover on stop, reload keeping unchanged instances.
 * Every case runs twice: with PacketIos that send each advert when told, and with PacketIos that can
 * repeat a master's steady adverts on their own (PacketIo.repeat; the service hands them over). The same
 * service runs with the real adapters in test/netns/vrrp.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../adapters/memory/index.ts';
import {
  VrrpService,
  type VrrpInstanceBinding,
  type VrrpPlan,
  type VrrpServiceDeps,
} from '../../../core/app/index.ts';
import type {
  AddressManager,
  Announcer,
  InterfaceAddress,
  LinkWatcher,
  Logger,
  PacketIo,
  ReceivedAdvert,
  StateChange,
  TimerService,
} from '../../../core/ports/index.ts';
import { makeInstanceSpec } from '../../../core/vrrp/index.ts';

const VIP = '10.0.0.100';

class Segment {
  readonly clock = new ManualClock(0);
  readonly timers = new Map<string, { at: number; fire: () => void }>();
  readonly ios: { io: PacketIo; deliver: (a: ReceivedAdvert) => void }[] = [];
  /** Repeats and absorbs handed to the PacketIos (with `repeats`), and how many are running. */
  repeatsStarted = 0;
  repeatsRunning = 0;
  absorbsStarted = 0;
  absorbsRunning = 0;
  #seq = 0;

  /**
   * `repeats`: the PacketIos offer repeat() (sending on the segment's timers) and absorb() (counting
   * copies of the last advert received), as the raw-socket adapter does.
   */
  readonly repeats: boolean;
  constructor(repeats = false) {
    this.repeats = repeats;
  }

  timerService(prefix: string): TimerService {
    return {
      arm: (id, atMs, fire) => void this.timers.set(`${prefix}:${id}`, { at: atMs, fire }),
      cancel: (id) => void this.timers.delete(`${prefix}:${id}`),
      sleep: () => Promise.resolve(),
      cancelAll: () => {
        for (const k of [...this.timers.keys()]) if (k.startsWith(`${prefix}:`)) this.timers.delete(k);
      },
    };
  }

  packetIo(source: string): PacketIo {
    let handler: ((a: ReceivedAdvert) => void) | undefined;
    let last: ReceivedAdvert | undefined;
    let absorbing:
      | {
          template: ReceivedAdvert;
          copies: number;
          lastAfterMs: number;
          startedMs: number;
          deadline: () => void;
        }
      | undefined;
    const same = (a: ReceivedAdvert, b: ReceivedAdvert) =>
      a.source === b.source &&
      a.destination === b.destination &&
      a.ttl === b.ttl &&
      a.payload.length === b.payload.length &&
      a.payload.every((x, i) => x === b.payload[i]);
    const deliver = (a: ReceivedAdvert) => {
      if (absorbing && same(a, absorbing.template)) {
        absorbing.copies++;
        absorbing.lastAfterMs = this.clock.monotonicMs() - absorbing.startedMs;
        absorbing.deadline();
        return;
      }
      last = a;
      handler?.(a);
    };
    const io: PacketIo = {
      sourceAddress: source,
      send: (advert) => {
        const seq = ++this.#seq;
        for (const peer of this.ios)
          if (peer.io !== io)
            this.timers.set(`wire:${seq}:${this.ios.indexOf(peer)}`, {
              at: this.clock.monotonicMs() + 1,
              fire: () =>
                peer.deliver({
                  family: 4,
                  source: advert.source ?? source,
                  destination: advert.destination,
                  ttl: advert.ttl ?? 255,
                  payload: advert.payload,
                }),
            });
        return true;
      },
      onReceive: (h) => {
        handler = h;
        return () => (handler = undefined);
      },
      close: () => {
        const i = this.ios.findIndex((p) => p.io === io);
        if (i >= 0) this.ios.splice(i, 1);
      },
    };
    if (this.repeats)
      io.repeat = (advert, firstInMs, intervalMs) => {
        const key = `repeat:${source}:${++this.#seq}`;
        const startedMs = this.clock.monotonicMs();
        let sent = 0;
        let lastAfterMs = 0;
        const at = (t: number) =>
          this.timers.set(key, {
            at: t,
            fire: () => {
              io.send(advert);
              sent++;
              lastAfterMs = this.clock.monotonicMs() - startedMs;
              at(t + intervalMs);
            },
          });
        at(startedMs + firstInMs);
        this.repeatsStarted++;
        this.repeatsRunning++;
        let stopped = false;
        return {
          progress: () => ({ sent, lastAfterMs, failed: 0 }),
          stop: () => {
            if (!stopped) this.repeatsRunning--;
            stopped = true;
            this.timers.delete(key);
            return { sent, lastAfterMs, failed: 0 };
          },
        };
      };
    if (this.repeats)
      io.absorb = (advert, deadlineInMs, onDeadline) => {
        if (advert !== last) return undefined;
        const key = `deadline:${source}:${++this.#seq}`;
        const startedMs = this.clock.monotonicMs();
        const a = {
          template: advert,
          copies: 0,
          lastAfterMs: 0,
          startedMs,
          deadline: () =>
            this.timers.set(key, { at: this.clock.monotonicMs() + deadlineInMs, fire: onDeadline }),
        };
        a.deadline();
        absorbing = a;
        this.absorbsStarted++;
        this.absorbsRunning++;
        let stopped = false;
        return {
          progress: () => ({ copies: a.copies, lastAfterMs: a.lastAfterMs }),
          stop: () => {
            if (!stopped) this.absorbsRunning--;
            stopped = true;
            this.timers.delete(key);
            if (absorbing === a) absorbing = undefined;
            return { copies: a.copies, lastAfterMs: a.lastAfterMs };
          },
        };
      };
    this.ios.push({ io, deliver });
    return io;
  }

  /** Fires timers in time order up to `untilMs`, letting promises settle after each. */
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

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function node(segment: Segment, name: string, source: string, extra: Partial<VrrpServiceDeps> = {}) {
  const addresses = new Map<string, InterfaceAddress>();
  const announced: string[] = [];
  const changes: string[] = [];
  const removals: string[] = [];
  const am: AddressManager = {
    list: () => Promise.resolve([...addresses.values()]),
    add: (a) => Promise.resolve(void addresses.set(a.address, a)),
    remove: (a) => {
      removals.push(`${a.address}@${a.interfaceName}`);
      return Promise.resolve(void addresses.delete(a.address));
    },
    close() {},
  };
  const announcer: Announcer = {
    announce: (_i, a) => Promise.resolve(void announced.push(a)),
    close() {},
  };
  const service = new VrrpService({
    clock: segment.clock,
    addresses: am,
    announcer,
    timers: segment.timerService(name),
    notifier: {
      notify: (c: StateChange) => void changes.push(`${c.target.name} ${c.what} ${c.priority}`),
      idle: () => Promise.resolve(),
    },
    logger: quiet,
    openPacketIo: () => segment.packetIo(source),
    ...extra,
  });
  return { service, addresses, announced, changes, removals };
}

function plan(priority: number, source: string, advertIntervalMs = 100): VrrpPlan {
  const made = makeInstanceSpec({
    name: 'VI_1',
    vrid: 51,
    version: 3,
    priority,
    advertIntervalMs,
    sourceIp: source,
    vips: [VIP],
    interface: 'eth0',
  });
  assert.ok(made.ok);
  const binding: VrrpInstanceBinding = {
    spec: made.spec,
    interfaceName: 'eth0',
    group: '224.0.0.18',
    addresses: { [VIP]: { interfaceName: 'eth0', address: VIP, prefixLength: 24 } },
  };
  return { instances: [binding], syncGroups: [] };
}

const stateOf = (s: VrrpService) => s.status()[0]?.state;

for (const repeats of [false, true])
  describe(`VrrpService on a simulated segment${repeats ? ', steady adverts repeated by the PacketIo' : ''}`, () => {
    it('elects the higher priority, which adds the VIP and sends a GARP burst; the backup removes a stale VIP', async () => {
      const seg = new Segment(repeats);
      const a = node(seg, 'a', '10.0.0.1');
      const b = node(seg, 'b', '10.0.0.2');
      b.addresses.set(VIP, { interfaceName: 'eth0', address: VIP, prefixLength: 24 });
      await a.service.start(plan(150, '10.0.0.1'));
      await b.service.start(plan(100, '10.0.0.2'));
      assert.ok(!b.addresses.has(VIP), 'a stale VIP of our instance is removed at start');
      await seg.run(2000);
      assert.equal(stateOf(a.service), 'MASTER');
      assert.equal(stateOf(b.service), 'BACKUP');
      assert.ok(a.addresses.has(VIP) && !b.addresses.has(VIP));
      assert.ok(a.announced.length >= 5, `a GARP burst of 5 (got ${a.announced.length})`);
      assert.deepEqual(a.changes, ['VI_1 BACKUP 150', 'VI_1 MASTER 150']);
      assert.deepEqual(b.changes, ['VI_1 BACKUP 100']);
      assert.equal(b.service.status()[0]?.master?.address, '10.0.0.1');
    });

    it('hands over on stop: priority 0, VIP removed on the old master, the backup takes over within its skew', async () => {
      const seg = new Segment(repeats);
      const a = node(seg, 'a', '10.0.0.1');
      const b = node(seg, 'b', '10.0.0.2');
      await a.service.start(plan(150, '10.0.0.1'));
      await b.service.start(plan(100, '10.0.0.2'));
      await seg.run(2000);
      const stoppedAt = seg.clock.monotonicMs();
      await a.service.stop();
      assert.ok(!a.addresses.has(VIP));
      assert.equal(a.changes.at(-1), 'VI_1 STOP 150');
      // Skew time at priority 100, v3, 100 ms adverts: 156/256 x 100 ms = 61 ms (plus 1 ms on the wire).
      await seg.run(stoppedAt + 70);
      assert.equal(stateOf(b.service), 'MASTER');
      assert.ok(b.addresses.has(VIP));
    });

    it('reload keeps an unchanged instance and restarts a changed one in BACKUP', async () => {
      const seg = new Segment(repeats);
      const a = node(seg, 'a', '10.0.0.1');
      await a.service.start(plan(150, '10.0.0.1'));
      await seg.run(2000);
      assert.equal(stateOf(a.service), 'MASTER');
      assert.deepEqual(await a.service.reload(plan(150, '10.0.0.1')), {
        kept: ['VI_1'],
        started: [],
        removed: [],
      });
      assert.equal(stateOf(a.service), 'MASTER');
      const r = await a.service.reload(plan(120, '10.0.0.1'));
      assert.deepEqual(r, { kept: [], started: ['VI_1'], removed: [] });
      assert.equal(stateOf(a.service), 'BACKUP');
      assert.ok(!a.addresses.has(VIP), 'the old instance left: its VIP is removed');
      await seg.run(4000);
      assert.equal(stateOf(a.service), 'MASTER');
      assert.equal(a.service.status()[0]?.effectivePriority, 120);
    });

    it('track_file values and track_process quorum from the shell move the effective priority', async () => {
      const seg = new Segment(repeats);
      const a = node(seg, 'a', '10.0.0.1');
      const p = plan(150, '10.0.0.1');
      const b = p.instances[0];
      assert.ok(b);
      b.spec = {
        ...b.spec,
        trackers: [
          { id: 'file:maint', kind: 'file', weight: -10 },
          { id: 'process:web', kind: 'process', weight: 15 },
        ],
      };
      await a.service.start(p);
      await seg.run(2000);
      assert.equal(
        a.service.status()[0]?.effectivePriority,
        150,
        'a weighted process tracker in init adds nothing',
      );
      a.service.trackValue('file:maint', 3);
      a.service.track('process:web', true);
      await seg.run(2100);
      assert.equal(a.service.status()[0]?.effectivePriority, 150 - 30 + 15);
      a.service.trackValue('file:maint', 0);
      await seg.run(2200);
      assert.equal(a.service.status()[0]?.effectivePriority, 165);
      await a.service.stop();
    });

    it('a master re-encodes its advert when the priority changes (the encoded advert is reused only while equal)', async () => {
      const seg = new Segment(repeats);
      const a = node(seg, 'a', '10.0.0.1');
      const seen: number[] = [];
      const b = node(seg, 'b', '10.0.0.2');
      const p = plan(150, '10.0.0.1');
      const binding = p.instances[0];
      assert.ok(binding);
      binding.spec = { ...binding.spec, trackers: [{ id: 'file:maint', kind: 'file', weight: -10 }] };
      await a.service.start(p);
      await b.service.start(plan(100, '10.0.0.2'));
      const peer = seg.ios.find((x) => x.io.sourceAddress === '10.0.0.2');
      assert.ok(peer);
      const deliver = peer.deliver;
      peer.deliver = (adv) => {
        seen.push(adv.payload[2] ?? -1); // rfc5798 §5.2: Priority is the third octet
        deliver(adv);
      };
      await seg.run(1000);
      a.service.trackValue('file:maint', 2);
      await seg.run(2000);
      a.service.trackValue('file:maint', 0);
      await seg.run(3000);
      const runs = seen.filter((x, i) => i === 0 || seen[i - 1] !== x);
      assert.deepEqual(runs, [150, 130, 150]);
      assert.equal(b.service.status()[0]?.master?.priority, 150);
    });

    it('a steady master sends no advert of its own while the PacketIo repeats; every advert is counted', async () => {
      const seg = new Segment(repeats);
      const a = node(seg, 'a', '10.0.0.1');
      const b = node(seg, 'b', '10.0.0.2');
      let heard = 0;
      await a.service.start(plan(150, '10.0.0.1'));
      await b.service.start(plan(100, '10.0.0.2'));
      const peer = seg.ios.find((x) => x.io.sourceAddress === '10.0.0.2');
      assert.ok(peer);
      const deliver = peer.deliver;
      peer.deliver = (adv) => {
        heard++;
        deliver(adv);
      };
      await seg.run(5000);
      assert.equal(stateOf(a.service), 'MASTER');
      assert.equal(stateOf(b.service), 'BACKUP');
      const sent = a.service.status()[0]?.stats['advert_sent'] ?? 0;
      // 100 ms adverts: from the takeover (~360 ms) to 5 s, about 46; the last may still be on the wire.
      assert.ok(sent > 40, `adverts sent: ${sent}`);
      assert.ok(heard === sent || heard === sent - 1, `heard ${heard}, sent ${sent}`);
      assert.equal(seg.repeatsStarted > 0, repeats);
      assert.equal(seg.repeatsRunning, repeats ? 1 : 0);
      // The backup counted every advert it heard, whether the PacketIo handed it over or counted it.
      assert.equal(b.service.status()[0]?.stats['advert_rcvd'], heard);
      assert.equal(seg.absorbsStarted > 0, repeats);
      assert.equal(seg.absorbsRunning, repeats ? 1 : 0);
      // Stop takes the repeat back before the priority-0 advert: nothing keeps sending. The priority-0
      // advert is not a copy: the backup takes the copies back and takes over within its skew time.
      const stoppedAt = seg.clock.monotonicMs();
      await a.service.stop();
      assert.equal(seg.repeatsRunning, 0);
      assert.equal(a.service.status()[0]?.stats['pri_zero_sent'], 1);
      await seg.run(stoppedAt + 70);
      assert.equal(stateOf(b.service), 'MASTER');
      assert.equal(seg.absorbsRunning, 0);
    });

    it('a backup whose master goes silent takes over after the Master_Down_Interval, copies counted or not', async () => {
      const seg = new Segment(repeats);
      const a = node(seg, 'a', '10.0.0.1');
      const b = node(seg, 'b', '10.0.0.2');
      await a.service.start(plan(150, '10.0.0.1'));
      await b.service.start(plan(100, '10.0.0.2'));
      await seg.run(3000);
      assert.equal(stateOf(b.service), 'BACKUP');
      assert.equal(seg.absorbsRunning, repeats ? 1 : 0);
      // The master's cable is cut: its adverts stop reaching the backup.
      const peer = seg.ios.find((x) => x.io.sourceAddress === '10.0.0.2');
      assert.ok(peer);
      peer.deliver = () => {};
      const cutAt = seg.clock.monotonicMs();
      // Master_Down_Interval: 3 x 100 ms + skew 61 ms, from the last advert heard (at most 100 ms before).
      await seg.run(cutAt + 250);
      assert.equal(stateOf(b.service), 'BACKUP');
      await seg.run(cutAt + 365);
      assert.equal(stateOf(b.service), 'MASTER');
      assert.equal(seg.absorbsRunning, 0);
      assert.ok(b.addresses.has(VIP));
    });
  });

describe('VrrpService and a deleted VMAC', () => {
  it('FAULT when the link it runs on is deleted (its VIPs went with it); the socket is opened again when it is back', async () => {
    const seg = new Segment();
    let tell: ((name: string, up: boolean, removed: boolean) => void) | undefined;
    const links: LinkWatcher = {
      watch: (f) => {
        tell = f;
        return () => (tell = undefined);
      },
      close() {},
    };
    let opened = 0;
    const errors: string[] = [];
    const a = node(seg, 'a', '10.0.0.1', {
      links,
      logger: { ...quiet, error: (m: string) => void errors.push(m) },
      openPacketIo: () => {
        opened++;
        return seg.packetIo('10.0.0.1');
      },
    });
    const p = plan(150, '10.0.0.1');
    const b = p.instances[0];
    assert.ok(b);
    const made = makeInstanceSpec({
      ...b.spec,
      interface: 'vrrp.51',
      trackers: [{ id: 'interface:vrrp.51', kind: 'interface', weight: 0 }],
    });
    assert.ok(made.ok);
    const vmac: VrrpInstanceBinding = {
      ...b,
      spec: made.spec,
      interfaceName: 'vrrp.51',
      addresses: { [VIP]: { interfaceName: 'vrrp.51', address: VIP, prefixLength: 24 } },
    };
    const service = a.service;
    await service.start({ instances: [vmac], syncGroups: [] });
    await seg.run(1000);
    assert.equal(stateOf(service), 'MASTER');
    assert.equal(opened, 1);

    a.addresses.delete(VIP); // the kernel drops the link's addresses with it
    const removalsBefore = a.removals.length;
    tell?.('vrrp.51', false, true);
    await seg.run(1100);
    assert.equal(stateOf(service), 'FAULT');
    assert.deepEqual(a.removals.slice(removalsBefore), [], 'no removal of VIPs that went with the link');
    assert.deepEqual(errors, []);
    assert.equal(a.changes.at(-1), 'VI_1 FAULT 150');

    tell?.('vrrp.51', false, false); // made again: down first,
    await seg.run(1150);
    assert.equal(opened, 1, 'not reopened while still down');
    tell?.('vrrp.51', true, false); // then up
    await seg.run(1200);
    assert.equal(opened, 2, 'the socket is opened again on the new link');
    assert.equal(stateOf(service), 'BACKUP');
    await seg.run(3000);
    assert.equal(stateOf(service), 'MASTER');
    assert.ok(a.addresses.has(VIP));
    assert.deepEqual(
      a.changes.map((c) => c.split(' ')[1]),
      ['BACKUP', 'MASTER', 'FAULT', 'BACKUP', 'MASTER'],
    );
  });
});
