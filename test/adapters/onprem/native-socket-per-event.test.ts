/**
 * NativeSocket.onMessage with maxPerEvent 1 (what the VRRP sockets use): the poll is level-triggered, so
 * datagrams queued before the loop turns are all delivered, one per readiness event, in order.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { linux } from '../../../adapters/onprem/native/index.ts';
import { NativeSocket } from '../../../adapters/onprem/native/socket.ts';
import { sockaddrIn } from '../../../adapters/onprem/net/sockaddr.ts';

it('delivers every queued datagram, one per event', async (t) => {
  const rx = NativeSocket.open(linux.AF_INET, linux.SOCK_DGRAM, 0);
  const tx = NativeSocket.open(linux.AF_INET, linux.SOCK_DGRAM, 0);
  t.after(() => {
    rx.close();
    tx.close();
  });
  // No getsockname in the addon: take a free high port, trying the next one while busy.
  let addr: Uint8Array = new Uint8Array();
  for (let port = 40_000 + (process.pid % 20_000), tries = 0; ; port++, tries++) {
    addr = sockaddrIn(new Uint8Array([127, 0, 0, 1]), port);
    try {
      rx.bind(addr);
      break;
    } catch (e) {
      if (tries > 50) throw e;
    }
  }
  const got: number[] = [];
  for (let i = 0; i < 5; i++) assert.ok(tx.send(new Uint8Array([i]), addr));
  rx.onMessage({ maxData: 64, maxControl: 0, maxPerEvent: 1 }, (m) => got.push(m.data[0] ?? -1));
  for (let i = 0; i < 100 && got.length < 5; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
});
