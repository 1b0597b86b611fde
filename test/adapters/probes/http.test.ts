import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { httpProbe, httpRequestText } from '../../../adapters/probes/index.ts';
import type { HttpUrl, ProbeRequest } from '../../../core/ports/index.ts';
import { selfSigned } from './tls-cert.ts';
import { skipUnless } from '../../helpers/prerequisites.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Http = Extract<ProbeRequest, { kind: 'http' }>;
const seen: Array<{ url: string; headers: IncomingHttpHeaders; httpVersion: string }> = [];

function handler(req: IncomingMessage, res: ServerResponse) {
  seen.push({ url: req.url ?? '', headers: req.headers, httpVersion: req.httpVersion });
  if (req.url === '/ok') res.end('hello');
  else if (req.url === '/created') res.writeHead(201).end('made');
  else if (req.url === '/hang')
    return; // never answers
  else res.writeHead(404).end('missing');
}

async function start<S extends Server>(server: S): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const url = (path: string, extra: Partial<HttpUrl> = {}): HttpUrl => ({
  path,
  statusRanges: [[200, 299]],
  ...extra,
});
const req = (port: number, u: HttpUrl, extra: Partial<Http> = {}): Http => ({
  kind: 'http',
  host: '127.0.0.1',
  port,
  timeoutMs: 2_000,
  url: u,
  protocol: '1.0',
  ...extra,
});

test('HTTP_GET sends keepalived’s request and checks status ranges', async (t) => {
  const server = createServer(handler);
  const port = await start(server);
  t.after(() => server.close());
  seen.length = 0;
  const ok = await httpProbe(req(port, url('/ok')));
  assert.equal(ok.ok, true, ok.detail);
  assert.equal(seen[0]?.headers['user-agent'], 'KeepAliveClient');
  assert.equal(seen[0]?.headers.host, `127.0.0.1:${port}`);
  assert.equal(seen[0]?.httpVersion, '1.0');
  assert.equal(seen[0]?.headers.connection, undefined);
  const missing = await httpProbe(req(port, url('/nope')));
  assert.equal(missing.ok, false);
  assert.match(missing.detail, /status 404 not accepted/);
  const only201 = await httpProbe(req(port, url('/ok', { statusRanges: [[201, 201]] })));
  assert.equal(only201.ok, false);
  const created = await httpProbe(req(port, url('/created', { statusRanges: [[201, 201]] })));
  assert.equal(created.ok, true);
  const range = await httpProbe(
    req(
      port,
      url('/nope', {
        statusRanges: [
          [200, 204],
          [400, 404],
        ],
      }),
    ),
  );
  assert.equal(range.ok, true);
});

test('HTTP_GET: virtualhost sets Host, http_protocol 1.1 adds Connection: close', async (t) => {
  const server = createServer(handler);
  const port = await start(server);
  t.after(() => server.close());
  seen.length = 0;
  const r = await httpProbe(req(port, url('/ok', { virtualhost: 'www.example.test' }), { protocol: '1.1' }));
  assert.equal(r.ok, true, r.detail);
  assert.equal(seen[0]?.headers.host, 'www.example.test');
  assert.equal(seen[0]?.headers.connection, 'close');
  assert.equal(seen[0]?.httpVersion, '1.1');
  assert.equal(
    httpRequestText(req(80, url('/x'), { host: '::1', protocol: '1.0C' })),
    'GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: [::1]:80\r\n\r\n',
  );
});

test('HTTP_GET digest is the MD5 of the body as genhash prints it; regex and regex_no_match', async (t) => {
  const server = createServer(handler);
  const port = await start(server);
  t.after(() => server.close());
  // md5("hello")
  const good = await httpProbe(req(port, url('/ok', { digest: '5D41402ABC4B2A76B9719D911017C592' })));
  assert.equal(good.ok, true, good.detail);
  const bad = await httpProbe(req(port, url('/ok', { digest: '00000000000000000000000000000000' })));
  assert.equal(bad.ok, false);
  assert.match(bad.detail, /digest 5d41402abc4b2a76b9719d911017c592 != 0{32}/);
  assert.equal((await httpProbe(req(port, url('/ok', { regex: 'el+o' })))).ok, true);
  assert.equal((await httpProbe(req(port, url('/ok', { regex: 'bye' })))).ok, false);
  assert.equal((await httpProbe(req(port, url('/ok', { regex: 'bye', regexNoMatch: true })))).ok, true);
});

test('HTTP_GET times out on a server that never answers', async (t) => {
  const server = createServer(handler);
  const port = await start(server);
  t.after(() => server.closeAllConnections());
  t.after(() => server.close());
  const r = await httpProbe(req(port, url('/hang'), { timeoutMs: 200 }));
  assert.equal(r.ok, false);
  assert.match(r.detail, /timeout after 200 ms/);
});

/** The certificates are made with openssl. */
const noOpenssl = await skipUnless(['openssl']);

test('SSL_GET over real TLS: no verification by default, optional CA verification, SNI from virtualhost', async (t) => {
  if (noOpenssl) return t.skip(noOpenssl);
  const { key, cert } = selfSigned('localhost');
  const other = selfSigned('other');
  const names: Array<string | false | null> = [];
  const server = createHttpsServer({ key, cert }, handler);
  server.on('secureConnection', (s: TLSSocket) => names.push(s.servername));
  const port = await start(server);
  t.after(() => server.close());
  const plain = await httpProbe(req(port, url('/ok'), { tls: {} }));
  assert.equal(plain.ok, true, plain.detail);
  const verified = await httpProbe(req(port, url('/ok'), { tls: { verify: true, ca: cert } }));
  assert.equal(verified.ok, true, verified.detail);
  const dir = mkdtempSync(join(tmpdir(), 'fip-hc-ca-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.pem'), cert);
  const fromFile = await httpProbe(
    req(port, url('/ok'), { tls: { verify: true, caFile: join(dir, 'ca.pem') } }),
  );
  assert.equal(fromFile.ok, true, fromFile.detail);
  const noFile = await httpProbe(req(port, url('/ok'), { tls: { caFile: join(dir, 'missing.pem') } }));
  assert.equal(noFile.ok, false);
  assert.match(noFile.detail, /ENOENT/);
  const wrongCa = await httpProbe(req(port, url('/ok'), { tls: { verify: true, ca: other.cert } }));
  assert.equal(wrongCa.ok, false);
  assert.match(wrongCa.detail, /certificate|self.signed|verify/i);
  const sni = await httpProbe(req(port, url('/ok', { virtualhost: 'localhost' }), { tls: { sni: true } }));
  assert.equal(sni.ok, true, sni.detail);
  assert.equal(names[0], false); // no SNI unless asked
  assert.deepEqual(
    names.filter((n) => typeof n === 'string'),
    ['localhost'],
  );
  const httpToTls = await httpProbe(req(port, url('/ok'), { timeoutMs: 500 }));
  assert.equal(httpToTls.ok, false);
});
