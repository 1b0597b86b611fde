// Checker connection options on the wire (reference keepalived.md §3.1): `fwmark` (SO_MARK), `bind_if`
// (SO_BINDTODEVICE), `bindto` + `bind_port`, and a link-local `bindto` scoped by `bind_if`. Two
// namespaces joined by two veth pairs; the server's address 10.9.9.9 is reachable over both, and the
// route prefers the first. nft counters in the prober's namespace see which packets carry the mark and
// which interface the SYN leaves by; the server prints the source address and port it sees. Needs root,
// ip and nft.
//
//   A (probes)  a1 10.1.1.1  fe80::a ─── b1 10.1.1.2 fe80::b  B (peer-server.ts on 8080, 10.9.9.9 on lo)
//               a2 10.2.2.1 ──────────── b2 10.2.2.2
//   A routes 10.9.9.9: via 10.1.1.2 dev a1 metric 10, via 10.2.2.2 dev a2 metric 20
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { ProbeRequest, ProbeResult } from '../../../core/ports/index.ts';

const NODE = 'node_modules/.bin/node';
const id = `fip-ck-${process.pid}-${randomBytes(2).toString('hex')}`;
const A = `${id}-a`;
const B = `${id}-b`;
const PORT = 8080;
const SERVER = '10.9.9.9';

const sh = (...argv: string[]): string =>
  execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
const inA = (...argv: string[]): string => sh('ip', 'netns', 'exec', A, ...argv);

function setUp(): void {
  sh('ip', 'netns', 'add', A);
  sh('ip', 'netns', 'add', B);
  for (const [a, b] of [
    ['a1', 'b1'],
    ['a2', 'b2'],
  ] as const) {
    sh('ip', 'link', 'add', a, 'netns', A, 'type', 'veth', 'peer', 'name', b, 'netns', B);
  }
  const script = (ns: string, lines: string[]): void => {
    for (const l of lines) sh('ip', '-n', ns, ...l.split(' '));
  };
  script(A, [
    'link set lo up',
    'addr add 10.1.1.1/24 dev a1',
    'addr add 10.1.1.50/24 dev a1',
    'addr add 10.2.2.1/24 dev a2',
    'link set a1 addrgenmode none',
    'addr add fe80::a/64 dev a1 nodad',
    'link set a1 up',
    'link set a2 up',
    `route add ${SERVER}/32 via 10.1.1.2 dev a1 metric 10`,
    `route add ${SERVER}/32 via 10.2.2.2 dev a2 metric 20`,
  ]);
  script(B, [
    'link set lo up',
    `addr add ${SERVER}/32 dev lo`,
    'addr add 10.1.1.2/24 dev b1',
    'addr add 10.2.2.2/24 dev b2',
    'link set b1 addrgenmode none', // only fe80::b, so UDP replies come from the address probed
    'addr add fe80::b/64 dev b1 nodad',
    'link set b1 up',
    'link set b2 up',
  ]);
  // B answers 10.1.1.x and 10.2.2.x on the links they live on (connected routes).
}

function nftSetUp(): void {
  const rules = `table inet fipck {
  counter mark7 {}
  counter syn_a1 {}
  counter syn_a2 {}
  chain out {
    type filter hook output priority 0;
    meta mark 7 ip daddr ${SERVER} counter name mark7
    oifname "a1" ip daddr ${SERVER} tcp flags syn counter name syn_a1
    oifname "a2" ip daddr ${SERVER} tcp flags syn counter name syn_a2
  }
}
`;
  execFileSync('ip', ['netns', 'exec', A, 'nft', '-f', '-'], { input: rules });
}

function counter(name: string): number {
  const j = JSON.parse(inA('nft', '-j', 'list', 'counter', 'inet', 'fipck', name)) as {
    nftables: Array<{ counter?: { packets: number } }>;
  };
  const c = j.nftables.find((e) => e.counter !== undefined)?.counter;
  assert.ok(c, `counter ${name}`);
  return c.packets;
}

function probe(reqs: Array<ProbeRequest & { payload?: unknown }>): ProbeResult[] {
  const plain = reqs.map((r) => (r.kind === 'udp' ? { ...r, payload: Array.from(r.payload) } : r));
  const out = inA(NODE, 'test/netns/probes/probe-once.ts', JSON.stringify(plain));
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ProbeResult);
}

function tearDown(server: ChildProcess | undefined): void {
  server?.kill('SIGKILL');
  for (const ns of [A, B]) {
    try {
      sh('ip', 'netns', 'delete', ns);
    } catch {
      // never created
    }
  }
}

test('fwmark, bind_if, bindto/bind_port and link-local bindto reach the wire', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root');
  const running: { server?: ChildProcess } = {};
  t.after(() => tearDown(running.server));
  setUp();
  nftSetUp();
  const server = spawn(
    'ip',
    ['netns', 'exec', B, NODE, 'test/netns/probes/peer-server.ts', String(PORT), SERVER],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  running.server = server;
  const seen: string[] = [];
  const lines = createInterface({ input: server.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`peer-server exited ${code}`)));
    lines.on('line', (l) => (l === 'ready' ? resolve() : seen.push(l)));
  });
  // the probes run synchronously (execFileSync), so the server's lines arrive once the loop turns again
  const waitSeen = async (line: string | RegExp): Promise<void> => {
    const has = (): boolean => seen.some((l) => (typeof line === 'string' ? l === line : line.test(l)));
    for (let i = 0; i < 400 && !has(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(has(), `server saw ${JSON.stringify(seen)}, expected ${String(line)}`);
  };
  const tcp = { kind: 'tcp', host: SERVER, port: PORT, timeoutMs: 3_000 } as const;
  const udp = {
    kind: 'udp',
    host: SERVER,
    port: PORT,
    timeoutMs: 3_000,
    payload: new Uint8Array([1]),
    requireReply: '706f6e67',
    minReplyLength: 0,
    maxReplyLength: 64,
  } as const;
  const http = {
    kind: 'http',
    host: SERVER,
    port: PORT,
    timeoutMs: 3_000,
    url: { path: '/', statusRanges: [[200, 299]] as const, regex: 'ok' },
    protocol: '1.0',
  } as const;

  // fwmark: without it no packet to the server carries mark 7; with it TCP, HTTP and UDP probes' do.
  for (const r of probe([tcp, udp, http])) assert.equal(r.ok, true, r.detail);
  assert.equal(counter('mark7'), 0);
  for (const r of probe([{ ...tcp, fwmark: 7 }])) assert.equal(r.ok, true, r.detail);
  const afterTcp = counter('mark7');
  assert.ok(afterTcp >= 3, `SYN, ACK, FIN at least: ${afterTcp}`);
  for (const r of probe([
    { ...udp, fwmark: 7 },
    { ...http, fwmark: 7 },
  ]))
    assert.equal(r.ok, true, r.detail);
  assert.ok(counter('mark7') > afterTcp + 1, 'the UDP datagram and the HTTP request are marked too');
  for (const r of probe([{ ...tcp, fwmark: 8 }])) assert.equal(r.ok, true, r.detail);

  // bind_if: the route picks a1; bound to a2 the SYN leaves by a2 (and the server sees a2's address).
  const a1 = counter('syn_a1');
  assert.equal(counter('syn_a2'), 0);
  for (const r of probe([{ ...tcp, bindIf: 'a2' }])) assert.equal(r.ok, true, r.detail);
  assert.equal(counter('syn_a2'), 1);
  assert.equal(counter('syn_a1'), a1);
  await waitSeen(/^tcp 10\.2\.2\.1 /);

  // bindto + bind_port: on Node's path (no fwmark) and on the opener's (with fwmark), TCP and UDP.
  const local = [
    { ...tcp, bindTo: '10.1.1.50', bindPort: 40123 },
    { ...tcp, bindTo: '10.1.1.50', bindPort: 40124, fwmark: 7 },
    { ...udp, bindTo: '10.1.1.50', bindPort: 40125, fwmark: 7 },
    { ...http, bindTo: '10.1.1.50', bindPort: 40126, bindIf: 'a1' },
  ];
  for (const r of probe(local)) assert.equal(r.ok, true, r.detail);
  await waitSeen('tcp 10.1.1.50 40123');
  await waitSeen('tcp 10.1.1.50 40124');
  await waitSeen('udp 10.1.1.50 40125');
  await waitSeen('tcp 10.1.1.50 40126');

  // a link-local source needs its interface: bindto fe80::a with bind_if a1, to fe80::b on the link.
  const ll = { ...tcp, host: 'fe80::b', bindTo: 'fe80::a', bindIf: 'a1', bindPort: 40127 };
  for (const r of probe([ll, { ...udp, host: 'fe80::b', bindTo: 'fe80::a', bindIf: 'a1', bindPort: 40128 }]))
    assert.equal(r.ok, true, r.detail);
  await waitSeen('tcp fe80::a%b1 40127');
  await waitSeen('udp fe80::a%b1 40128');

  // an interface that is not there, or a local address the namespace lacks: clear failures.
  const [noIf, noAddr] = probe([
    { ...tcp, bindIf: 'nope0' },
    { ...tcp, bindTo: '10.3.3.3', fwmark: 7 },
  ]);
  assert.match(noIf?.detail ?? '', /nope0: no such interface/);
  assert.match(noAddr?.detail ?? '', /EADDRNOTAVAIL/);
});
