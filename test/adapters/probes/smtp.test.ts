import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { smtpProbe } from '../../../adapters/probes/index.ts';

async function smtpServer(
  banner: string | null,
  heloReply = '250 ok',
  quitReply: string | null = '221 bye',
): Promise<{ server: Server; port: number; said: string[] }> {
  const said: string[] = [];
  const server = createServer((s) => {
    if (banner !== null) s.write(banner);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      let eol: number;
      while ((eol = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, eol);
        buf = buf.slice(eol + 2);
        said.push(line);
        if (line.startsWith('HELO')) s.write(`${heloReply}\r\n`);
        if (line === 'QUIT' && quitReply !== null) s.end(`${quitReply}\r\n`);
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, said };
}

test('SMTP_CHECK: multi-line 220 banner, HELO with helo_name, 250, then QUIT', async (t) => {
  const s = await smtpServer('220-mx.test ESMTP\r\n220 ready\r\n');
  t.after(() => s.server.close());
  const r = await smtpProbe({
    kind: 'smtp',
    host: '127.0.0.1',
    port: s.port,
    timeoutMs: 1_000,
    heloName: 'lb1.test',
  });
  assert.equal(r.ok, true, r.detail);
  for (let i = 0; i < 200 && s.said.length < 2; i++) await new Promise((res) => setTimeout(res, 5));
  assert.deepEqual(s.said, ['HELO lb1.test', 'QUIT']);
});

test('SMTP_CHECK fails on a 554 banner, a refused HELO, and a silent server', async (t) => {
  const busy = await smtpServer('554 go away\r\n');
  const picky = await smtpServer('220 hi\r\n', '501 no');
  const mute = await smtpServer(null);
  t.after(() => busy.server.close());
  t.after(() => picky.server.close());
  t.after(() => mute.server.close());
  const base = { kind: 'smtp', host: '127.0.0.1', timeoutMs: 300, heloName: 'x' } as const;
  assert.match((await smtpProbe({ ...base, port: busy.port })).detail, /banner 554/);
  assert.match((await smtpProbe({ ...base, port: picky.port })).detail, /HELO answered 501/);
  const silent = await smtpProbe({ ...base, port: mute.port });
  assert.equal(silent.ok, false);
  assert.match(silent.detail, /timeout/);
});

test('SMTP_CHECK waits for the 221 reply to QUIT: a server that never answers QUIT is down', async (t) => {
  const polite = await smtpServer('220 hi\r\n', '250 ok', '221-closing\r\n221 bye');
  const stuck = await smtpServer('220 hi\r\n', '250 ok', null);
  const rude = await smtpServer('220 hi\r\n', '250 ok', '500 what');
  t.after(() => polite.server.close());
  t.after(() => stuck.server.close());
  t.after(() => rude.server.close());
  const base = { kind: 'smtp', host: '127.0.0.1', timeoutMs: 300, heloName: 'x' } as const;
  const up = await smtpProbe({ ...base, port: polite.port });
  assert.equal(up.ok, true, up.detail);
  assert.match(up.detail, /QUIT 221/);
  const hung = await smtpProbe({ ...base, port: stuck.port });
  assert.equal(hung.ok, false);
  assert.match(hung.detail, /timeout after 300 ms/);
  assert.deepEqual(stuck.said, ['HELO x', 'QUIT']);
  const bad = await smtpProbe({ ...base, port: rude.port });
  assert.equal(bad.ok, false);
  assert.match(bad.detail, /QUIT answered 500, expected 221/);
});
