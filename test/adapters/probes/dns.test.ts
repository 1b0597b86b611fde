import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { decodeHeader, dnsProbe, encodeQuery } from '../../../adapters/probes/index.ts';

test('DNS query encoding matches a hand-built RFC 1035 message', () => {
  const q = encodeQuery(0x1234, 'example.com', 'A');
  const expected = Uint8Array.from([
    0x12,
    0x34,
    0x01,
    0x00,
    0x00,
    0x01,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    7,
    ...Buffer.from('example'),
    3,
    ...Buffer.from('com'),
    0,
    0x00,
    0x01,
    0x00,
    0x01,
  ]);
  assert.deepEqual(q, expected);
  assert.deepEqual([...encodeQuery(1, '.', 'SOA').subarray(12)], [0, 0, 6, 0, 1]);
  assert.throws(() => encodeQuery(1, 'a..b', 'A'), /bad label/);
  assert.throws(() => encodeQuery(1, 'x', 'PTR'), /DNS type "PTR"/);
});

type Mode = 'ok' | 'nxdomain' | 'wrong-id' | 'silent';

async function server(mode: Mode): Promise<{ sock: Socket; port: number; questions: string[] }> {
  const sock = createSocket('udp4');
  const questions: string[] = [];
  sock.on('message', (msg, rinfo) => {
    // parse the question independently of the codec under test
    let i = 12;
    const labels: string[] = [];
    while (msg[i] !== 0) {
      const len = msg[i] as number;
      labels.push(msg.subarray(i + 1, i + 1 + len).toString());
      i += len + 1;
    }
    const qtype = msg.readUInt16BE(i + 1);
    const rd = (msg.readUInt16BE(2) & 0x0100) !== 0;
    questions.push(`${labels.join('.') || '.'} ${qtype} rd=${rd}`);
    if (mode === 'silent') return;
    const reply = Buffer.from(msg.subarray(0, i + 5));
    if (mode === 'wrong-id') reply.writeUInt16BE((msg.readUInt16BE(0) + 1) & 0xffff, 0);
    reply.writeUInt16BE(0x8180 | (mode === 'nxdomain' ? 3 : 0), 2);
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { sock, port: sock.address().port, questions };
}

test('DNS_CHECK passes on a matching NOERROR reply and sends RD=1 with the asked type and name', async (t) => {
  const s = await server('ok');
  t.after(() => s.sock.close());
  const r = await dnsProbe({
    kind: 'dns',
    host: '127.0.0.1',
    port: s.port,
    timeoutMs: 1_000,
    type: 'MX',
    name: 'mail.test',
  });
  assert.equal(r.ok, true, r.detail);
  assert.deepEqual(s.questions, ['mail.test 15 rd=true']);
});

test('DNS_CHECK fails on NXDOMAIN, ignores replies with another ID, fails on silence', async (t) => {
  const nx = await server('nxdomain');
  const wrong = await server('wrong-id');
  t.after(() => nx.sock.close());
  t.after(() => wrong.sock.close());
  const base = { kind: 'dns', host: '127.0.0.1', timeoutMs: 300, type: 'SOA', name: '.' } as const;
  const a = await dnsProbe({ ...base, port: nx.port });
  assert.equal(a.ok, false);
  assert.match(a.detail, /NXDOMAIN/);
  const b = await dnsProbe({ ...base, port: wrong.port });
  assert.equal(b.ok, false);
  assert.match(b.detail, /no reply within 300 ms/);
  assert.equal(decodeHeader(new Uint8Array(3)), null);
});
