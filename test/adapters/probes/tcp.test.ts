import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { tcpProbe } from '../../../adapters/probes/index.ts';

async function listen(host = '127.0.0.1') {
  const peers: string[] = [];
  const server = createServer((s) => {
    peers.push(s.remoteAddress ?? '');
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return { server, port: (server.address() as AddressInfo).port, peers };
}

test('TCP_CHECK passes when the connection completes and uses bindto as the source address', async (t) => {
  const { server, port, peers } = await listen('0.0.0.0');
  t.after(() => server.close());
  const r = await tcpProbe({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2_000, bindTo: '127.0.0.2' });
  assert.equal(r.ok, true, r.detail);
  assert.ok(r.durationMs >= 0);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(peers, ['127.0.0.2']);
});

test('TCP_CHECK fails with the reason when nothing listens', async () => {
  const { server, port } = await listen();
  await new Promise((r) => server.close(r));
  const r = await tcpProbe({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2_000 });
  assert.equal(r.ok, false);
  assert.match(r.detail, /ECONNREFUSED/);
});

test('TCP_CHECK never throws on bad input', async () => {
  const r = await tcpProbe({ kind: 'tcp', host: '127.0.0.1', port: 70_000, timeoutMs: 500 });
  assert.equal(r.ok, false);
  assert.match(r.detail, /port|range/i);
});
