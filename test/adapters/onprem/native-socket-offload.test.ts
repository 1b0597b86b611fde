/**
 * The addon's offloads for steady VRRP (src/repeat.c, absorb in src/sock.c), over UDP on loopback:
 * NativeSocket.repeat keeps sending one datagram until stopped and says how many went out;
 * NativeSocket.absorb counts copies of one datagram (an IPv4 header's Identification and checksum aside)
 * instead of handing them over, hands over anything else, calls back when copies stop, and after stop()
 * every datagram reaches the handler again.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { linux } from '../../../adapters/onprem/native/index.ts';
import { NativeSocket } from '../../../adapters/onprem/native/socket.ts';
import { sockaddrIn } from '../../../adapters/onprem/net/sockaddr.ts';

function pair(t: { after(fn: () => void): void }): { rx: NativeSocket; tx: NativeSocket; addr: Uint8Array } {
  const rx = NativeSocket.open(linux.AF_INET, linux.SOCK_DGRAM, 0);
  const tx = NativeSocket.open(linux.AF_INET, linux.SOCK_DGRAM, 0);
  t.after(() => {
    rx.close();
    tx.close();
  });
  // No getsockname in the addon: take a free high port, trying the next one while busy.
  for (let port = 41_000 + (process.pid % 20_000), tries = 0; ; port++, tries++) {
    const addr = sockaddrIn(new Uint8Array([127, 0, 0, 1]), port);
    try {
      rx.bind(addr);
      return { rx, tx, addr };
    } catch (e) {
      if (tries > 50) throw e;
    }
  }
}

const until = async (what: string, ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), what);
};

it('repeat sends the datagram until stopped, and counts what went out', async (t) => {
  const { rx, tx, addr } = pair(t);
  const got: number[] = [];
  rx.onMessage({ maxData: 64, maxControl: 0 }, (m) => got.push(m.data[0] ?? -1));
  const r = tx.repeat(new Uint8Array([9, 1, 2]), addr, 0, 2);
  await until('five sends arrive', () => got.length >= 5);
  const final = r.stop();
  const arrived = got.length;
  assert.ok(final.sent >= arrived && final.failed === 0, JSON.stringify({ final, arrived }));
  assert.ok(final.lastAfterMs >= 0);
  assert.deepEqual(r.progress(), final, 'stopped: the figures stay');
  // Nothing more is sent: a marker sent now is the next (and last) datagram to arrive.
  assert.ok(tx.send(new Uint8Array([5]), addr));
  await until('the marker arrives', () => got.includes(5));
  assert.equal(got.length, final.sent + 1);
  assert.ok(got.slice(0, -1).every((x) => x === 9));
});

it('closing the socket stops its repeat first: no sender outlives its descriptor', async (t) => {
  const { rx, addr } = pair(t);
  const got: number[] = [];
  rx.onMessage({ maxData: 64, maxControl: 0 }, (m) => got.push(m.data[0] ?? -1));
  const tx = NativeSocket.open(linux.AF_INET, linux.SOCK_DGRAM, 0);
  const r = tx.repeat(new Uint8Array([7]), addr, 0, 2);
  await until('sends arrive', () => got.length >= 3);
  tx.close(); // without r.stop(): the descriptor's number may be reused at once
  const sent = r.progress().sent;
  // The next socket very likely takes the same number; nothing but its own marker arrives from it.
  const next = NativeSocket.open(linux.AF_INET, linux.SOCK_DGRAM, 0);
  t.after(() => next.close());
  await new Promise((res) => setTimeout(res, 30));
  // A sender left running would either fail on the closed number or send on the new socket.
  assert.deepEqual([r.progress().sent, r.progress().failed], [sent, 0], 'the sender stopped with the close');
  const before = got.length;
  assert.ok(next.send(new Uint8Array([5]), addr));
  await until('the marker arrives', () => got.includes(5));
  assert.equal(got.length, before + 1, 'only the marker came after the close');
});

it('absorb counts copies (IP Identification and checksum aside), hands over the rest, calls back when copies stop', async (t) => {
  const { rx, tx, addr } = pair(t);
  const got: Uint8Array[] = [];
  rx.onMessage({ maxData: 64, maxControl: 0, maxPerEvent: 1 }, (m) => got.push(m.data));
  // Shaped like an IPv4 header + payload: bytes 4-5 (Identification) and 10-11 (checksum) may differ.
  const template = new Uint8Array(24).map((_, i) => i);
  template[0] = 0x45;
  const copy = (over: Record<number, number>) => {
    const d = template.slice();
    for (const [i, v] of Object.entries(over)) d[Number(i)] = v;
    return d;
  };
  let deadlines = 0;
  const a = rx.absorb(template, 30, () => deadlines++);
  tx.send(copy({}), addr);
  tx.send(copy({ 4: 0xaa, 5: 0xbb, 10: 0x12, 11: 0x34 }), addr);
  tx.send(copy({ 8: 64 }), addr); // another TTL: not a copy
  tx.send(copy({ 5: 7 }), addr);
  await until('the different one is handed over', () => got.length >= 1);
  await until('three copies counted', () => a.progress().copies === 3);
  assert.equal(got.length, 1);
  assert.equal(got[0]?.[8], 64);
  await until('the deadline callback runs once copies stop', () => deadlines > 0);
  const final = a.stop();
  assert.equal(final.copies, 3);
  // Stopped: copies reach the handler again.
  tx.send(copy({}), addr);
  await until('a copy is handed over after stop', () => got.length === 2);
  assert.deepEqual(got[1], template);
});
