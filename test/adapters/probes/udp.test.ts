import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { matchesReplyPattern, udpProbe } from '../../../adapters/probes/index.ts';

async function echo(prefix: Buffer | null) {
  const sock = createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (msg, r) => {
    got.push(msg);
    if (prefix) sock.send(Buffer.concat([prefix, msg]), r.port, r.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { sock, port: sock.address().port, got };
}

const base = {
  kind: 'udp',
  host: '127.0.0.1',
  timeoutMs: 300,
  minReplyLength: 0,
  maxReplyLength: 255,
} as const;

test('UDP_CHECK sends the payload and matches the reply prefix with X nibble wildcards', async (t) => {
  const s = await echo(Buffer.from([0xab, 0xcd]));
  t.after(() => s.sock.close());
  const payload = Uint8Array.from([1, 2, 3]);
  const r = await udpProbe({ ...base, port: s.port, payload, requireReply: 'aBXd01' });
  assert.equal(r.ok, true, r.detail);
  assert.deepEqual([...(s.got[0] ?? [])], [1, 2, 3]);
  const miss = await udpProbe({ ...base, port: s.port, payload, requireReply: 'ab00' });
  assert.equal(miss.ok, false);
  const long = await udpProbe({ ...base, port: s.port, payload, requireReply: '', maxReplyLength: 4 });
  assert.equal(long.ok, false);
  assert.match(long.detail, /outside 0\.\.4/);
});

test('UDP_CHECK with require_reply fails on silence; without it silence is up (keepalived default)', async (t) => {
  const s = await echo(null);
  t.after(() => s.sock.close());
  const payload = new Uint8Array(0);
  const strict = await udpProbe({ ...base, port: s.port, payload, requireReply: '' });
  assert.equal(strict.ok, false);
  assert.match(strict.detail, /no reply within 300 ms/);
  const lax = await udpProbe({ ...base, port: s.port, payload, requireReply: null });
  assert.equal(lax.ok, true);
});

test('UDP_CHECK fails on an ICMP port unreachable even without require_reply', async () => {
  const s = await echo(null);
  const port = s.port;
  await new Promise<void>((r) => s.sock.close(r));
  const r = await udpProbe({
    ...base,
    timeoutMs: 1_000,
    port,
    payload: Uint8Array.from([1]),
    requireReply: null,
  });
  assert.equal(r.ok, false);
  assert.match(r.detail, /ECONNREFUSED/);
});

test('reply patterns: hex pairs with X wildcards; malformed patterns are refused', () => {
  assert.equal(matchesReplyPattern('X1', Uint8Array.from([0xf1, 9])), true);
  assert.equal(matchesReplyPattern('X1', Uint8Array.from([0xf2])), false);
  assert.equal(matchesReplyPattern('0102', Uint8Array.from([1])), false);
  assert.throws(() => matchesReplyPattern('abc', Uint8Array.from([])), /pairs of hex digits/);
  assert.throws(() => matchesReplyPattern('zz', Uint8Array.from([])), /pairs of hex digits/);
});
