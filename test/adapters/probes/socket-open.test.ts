// Probes with `fwmark` / `bind_if` take their socket from the on-prem opener (adapters/onprem
// probe-socket.ts: SO_MARK, SO_BINDTODEVICE, bind through the native addon) and Node drives it from the
// fd. Here every connection probe kind runs that path against real loopback servers, failures included,
// and the process's open descriptors are counted before and after to prove nothing leaks. Needs root
// (SO_MARK wants CAP_NET_ADMIN); a mark on loopback traffic changes nothing else on the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { openProbeSocket } from '../../../adapters/onprem/probe-socket.ts';
import { createProbeRunner, runOne } from '../../../adapters/probes/index.ts';
import type { ProbeRequest } from '../../../core/ports/index.ts';
import { selfSigned } from './tls-cert.ts';
import { skipUnless } from '../../helpers/prerequisites.ts';

const fdCount = (): number => readdirSync('/proc/self/fd').length;
const port = (s: { address(): unknown }): number => (s.address() as AddressInfo).port;

async function servers() {
  const http = createHttpServer((_q, r) => r.end('all good here'));
  const { key, cert } = selfSigned('127.0.0.1');
  const https = createHttpsServer({ key, cert }, (_q, r) => r.end('secure ok'));
  const smtp = createServer((s) => {
    s.write('220 ready\r\n');
    s.on('data', (d) => {
      const t = d.toString();
      if (t.startsWith('HELO')) s.write('250 ok\r\n');
      if (t.startsWith('QUIT')) s.end('221 bye\r\n');
    });
    s.on('error', () => {});
  });
  const silent = createServer((c) => c.resume()); // accepts and reads, never answers
  const udp = createSocket('udp4');
  udp.on('message', (m, r) => {
    if (m.length >= 12) {
      // DNS: echo the header back as a reply (QR=1, RCODE=0)
      const reply = Buffer.from(m);
      reply[2] = (reply[2] ?? 0) | 0x80;
      reply[3] = 0;
      udp.send(reply, r.port, r.address);
    } else udp.send(Buffer.from('pong'), r.port, r.address);
  });
  await Promise.all([
    new Promise<void>((r) => http.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => https.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => silent.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => udp.bind(0, '127.0.0.1', r)),
  ]);
  const close = (): void => {
    for (const s of [http, https, smtp, silent]) {
      s.close();
      if ('closeAllConnections' in s) s.closeAllConnections();
    }
    udp.close();
  };
  return { http, https, smtp, silent, udp, close };
}

/** The TLS server's certificate is made with openssl. */
const noOpenssl = await skipUnless(['openssl']);

test('fwmark probes of every connection kind run on opener-made sockets and leak no descriptor', async (t) => {
  if (noOpenssl) return t.skip(noOpenssl);
  const s = await servers();
  t.after(s.close);
  const base = { host: '127.0.0.1', timeoutMs: 2_000, fwmark: 7 };
  const url = { path: '/', statusRanges: [[200, 299]] as const, regex: 'good' };
  const good: ProbeRequest[] = [
    { kind: 'tcp', ...base, port: port(s.http) },
    { kind: 'http', ...base, port: port(s.http), url, protocol: '1.0' },
    {
      kind: 'http',
      ...base,
      port: port(s.https),
      url: { ...url, regex: 'secure' },
      protocol: '1.1',
      tls: {},
    },
    { kind: 'smtp', ...base, port: port(s.smtp), heloName: 'lb.test' },
    { kind: 'dns', ...base, port: port(s.udp), type: 'A', name: 'example.test' },
    {
      kind: 'udp',
      ...base,
      port: port(s.udp),
      payload: new Uint8Array([1, 2]),
      requireReply: '706f6e67',
      minReplyLength: 0,
      maxReplyLength: 255,
    },
    { kind: 'tcp', ...base, bindTo: '127.0.0.5', bindIf: 'lo', port: port(s.http) },
  ];
  for (const req of good) {
    const r = await runOne(req, openProbeSocket);
    assert.equal(r.ok, true, `${req.kind}: ${r.detail}`);
  }

  const refused = createServer();
  await new Promise<void>((r) => refused.listen(0, '127.0.0.1', r));
  const closedPort = port(refused);
  await new Promise<void>((r) => refused.close(() => r()));
  const bad: ProbeRequest[] = [
    { kind: 'tcp', ...base, port: closedPort }, // ECONNREFUSED
    { kind: 'http', ...base, port: closedPort, url, protocol: '1.0' },
    { kind: 'http', ...base, port: port(s.silent), url, protocol: '1.0', timeoutMs: 200 }, // timeout
    { kind: 'http', ...base, port: port(s.silent), url, protocol: '1.0', timeoutMs: 200, tls: {} },
    { kind: 'smtp', ...base, port: port(s.silent), heloName: 'x', timeoutMs: 200 },
    { kind: 'tcp', ...base, port: port(s.http), bindIf: 'no-such-if0' }, // ENODEV before the socket
    { kind: 'tcp', ...base, port: port(s.http), bindTo: '192.0.2.77' }, // EADDRNOTAVAIL after socket()
    {
      kind: 'udp',
      ...base,
      port: closedPort,
      payload: new Uint8Array([1]),
      requireReply: '',
      minReplyLength: 0,
      maxReplyLength: 255,
      timeoutMs: 300,
    },
    { kind: 'dns', ...base, port: closedPort, type: 'A', name: 'x.test', timeoutMs: 300 },
  ];
  const details: string[] = [];
  for (const req of bad) {
    const r = await runOne(req, openProbeSocket);
    assert.equal(r.ok, false, `${req.kind} should fail: ${r.detail}`);
    details.push(r.detail);
  }
  assert.match(details[0] ?? '', /ECONNREFUSED/);
  assert.match(details[2] ?? '', /timeout/);
  assert.match(details[5] ?? '', /no-such-if0.*no such interface/);
  assert.match(details[6] ?? '', /EADDRNOTAVAIL/);

  // Many rounds through the runner: the descriptor count comes back to where it was.
  const runner = createProbeRunner({ concurrency: 16, openSocket: openProbeSocket });
  const all = [...good, ...bad.map((r) => ({ ...r, timeoutMs: Math.min(r.timeoutMs, 300) }))];
  const before = fdCount();
  for (let round = 0; round < 20; round++) await Promise.all(all.map((r) => runner.run(r)));
  // closes finish on the next turns of the loop: wait until they are done
  const deadline = performance.now() + 10_000;
  while (fdCount() > before && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(fdCount(), before, `descriptors before ${before}, after ${fdCount()}`);
});

test('bind_if / fwmark without an opener fail the attempt clearly instead of being ignored', async () => {
  const r = await runOne({ kind: 'tcp', host: '127.0.0.1', port: 9, timeoutMs: 500, fwmark: 1 });
  assert.equal(r.ok, false);
  assert.match(r.detail, /socket opener/);
  const u = await runOne({
    kind: 'udp',
    host: '127.0.0.1',
    port: 9,
    timeoutMs: 500,
    bindIf: 'lo',
    payload: new Uint8Array(0),
    requireReply: null,
    minReplyLength: 0,
    maxReplyLength: 1,
  });
  assert.equal(u.ok, false);
  assert.match(u.detail, /socket opener/);
});
