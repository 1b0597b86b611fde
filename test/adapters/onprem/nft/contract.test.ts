// @needs root iproute2 nftables
// LbDataplane behaviour of the nftables adapter against the real kernel, in a throw-away namespace:
// what apply() installs is what read() reports (IPVS list order), refused ops change nothing in the
// kernel, and failures name what went wrong.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { LbDestination, LbOp, LbService } from '../../../../core/ports/index.ts';
import { NftDataplane } from '../../../../adapters/onprem/nft/index.ts';
import { assertLvsLabPrerequisites } from '../../../helpers/netns-lvs.ts';

const ns = `fip-lvs-${process.pid}-contract`;
const command = ['ip', 'netns', 'exec', ns, 'nft'];
const list = (): string =>
  execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'ruleset'], { encoding: 'utf8' });

before(() => {
  assertLvsLabPrerequisites();
  execFileSync('ip', ['netns', 'add', ns]);
});
after(() => {
  execFileSync('ip', ['netns', 'del', ns]);
});

const key = { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.100', port: 80 } as const;
const head: Omit<LbService, 'destinations'> = {
  key,
  scheduler: 'wrr',
  flags: { flag1: false, flag2: false, flag3: false },
  onePacket: false,
  persistence: null,
};
const d = (addr: string, weight = 1): LbDestination => ({
  addr,
  port: 8080,
  family: 'inet',
  forwarding: 'nat',
  weight,
  uThreshold: 0,
  lThreshold: 0,
  tunnel: null,
});

test('capabilities: NAT, rr/wrr/sh/dh/mh, persistence, atomic', async () => {
  const caps = await new NftDataplane({ command }).capabilities();
  assert.equal(caps.kind, 'ok');
  if (caps.kind !== 'ok') return;
  assert.deepEqual([...caps.value.schedulers], ['rr', 'wrr', 'sh', 'dh', 'mh']);
  assert.deepEqual([...caps.value.forwarding], ['nat']);
  assert.equal(caps.value.atomic, true);
});

test('read() reports what apply() installed, new destinations at the head as in IPVS', async () => {
  const plane = new NftDataplane({ command, table: 'fip_contract_a' });
  const ops: LbOp[] = [
    { kind: 'add-service', service: head },
    { kind: 'add-dest', service: key, dest: d('10.1.0.1', 2) },
    { kind: 'add-dest', service: key, dest: d('10.1.0.2', 1) },
  ];
  const r = await plane.apply(ops);
  assert.equal(r.kind, 'ok');
  const t = await plane.read();
  assert.equal(t.kind, 'ok');
  if (t.kind !== 'ok') return;
  assert.deepEqual(
    t.value.services.map((s) => [s.scheduler, s.destinations.map((x) => `${x.addr}=${x.weight}`)]),
    [['wrr', ['10.1.0.2=1', '10.1.0.1=2']]],
  );
  assert.match(list(), /table ip fip_contract_a/);
  assert.equal((await plane.remove()).kind, 'ok');
  assert.doesNotMatch(list(), /fip_contract_a/);
});

test('refused ops change nothing in the kernel and say why', async () => {
  const plane = new NftDataplane({ command, table: 'fip_contract_b' });
  assert.equal((await plane.apply([{ kind: 'add-service', service: head }])).kind, 'ok');
  const before = list();
  const cases: Array<[LbOp[], RegExp]> = [
    [
      [{ kind: 'add-dest', service: { ...key, port: 81 }, dest: d('10.1.0.1') }],
      /TCP 10\.0\.0\.100:81 does not exist; nothing was changed/,
    ],
    [[{ kind: 'add-service', service: head }], /already exists; nothing was changed/],
    [
      [{ kind: 'add-dest', service: key, dest: { ...d('10.1.0.1'), forwarding: 'dr' } }],
      /cannot forward by DR; nothing was changed/,
    ],
    [
      [{ kind: 'delete-dest', service: key, dest: { addr: '10.9.9.9', port: 1, family: 'inet' } }],
      /real server 10\.9\.9\.9:1 does not exist/,
    ],
    [
      [{ kind: 'edit-service', service: { ...head, onePacket: true } }],
      /cannot express one-packet scheduling \(ops\)/,
    ],
    [
      [
        {
          kind: 'add-service',
          service: {
            ...head,
            key: { ...key, port: 0 },
            persistence: { timeout: 60, prefix: 32, engine: null },
          },
        },
      ],
      /cannot express an all-ports \(port 0\) service/,
    ],
    [
      [
        {
          kind: 'edit-service',
          service: { ...head, persistence: { timeout: 60, prefix: 32, engine: 'sip' } },
        },
      ],
      /no persistence engine "sip"/,
    ],
    [
      [{ kind: 'edit-service', service: { ...head, flags: { flag1: true, flag2: false, flag3: false } } }],
      /only as sh-\/mh-fallback and sh-\/mh-port/,
    ],
    [
      [{ kind: 'add-dest', service: key, dest: { ...d('10.1.0.3'), uThreshold: 10 } }],
      /cannot enforce connection thresholds/,
    ],
  ];
  for (const [ops, re] of cases) {
    const r = await plane.apply(ops);
    assert.equal(r.kind, 'give-up');
    assert.match(r.kind === 'give-up' ? r.reason : '', re);
    assert.equal(list(), before);
  }
  await plane.remove();
});

test('an nft that cannot run or refuses the batch is reported, and the adapter keeps its old table', async () => {
  const missing = await new NftDataplane({ command: ['/nonexistent/nft'] }).capabilities();
  assert.equal(missing.kind, 'give-up');
  assert.match(
    missing.kind === 'give-up' ? missing.reason : '',
    /cannot run \/nonexistent\/nft.*install the nftables package/,
  );
  const plane = new NftDataplane({ command: ['ip', 'netns', 'exec', `${ns}-absent`, 'nft'] });
  const r = await plane.apply([{ kind: 'add-service', service: head }]);
  assert.equal(r.kind, 'give-up');
  assert.match(
    r.kind === 'give-up' ? r.reason : '',
    /nftables rejected the transaction \(nothing was changed\)/,
  );
  const t = await plane.read();
  assert.deepEqual(t.kind === 'ok' ? t.value.services : null, []);
});

test('later applies touch only what changed, and the kernel takes each transaction', async () => {
  const plane = new NftDataplane({ command, table: 'fip_contract_c' });
  const p = { timeout: 60, prefix: 32, engine: null };
  const ok = async (ops: LbOp[]) => {
    const r = await plane.apply(ops);
    assert.equal(r.kind, 'ok', r.kind === 'give-up' ? r.reason : '');
  };
  const chains = (): string[] => [...list().matchAll(/chain (rs_\S+)/g)].map((m) => m[1] ?? '').sort();
  const sets = (): string[] => [...list().matchAll(/set (p_\S+)/g)].map((m) => m[1] ?? '').sort();
  await ok([
    { kind: 'add-service', service: { ...head, persistence: p } },
    ...['10.1.0.1', '10.1.0.2', '10.1.0.3'].map(
      (a) => ({ kind: 'add-dest', service: key, dest: d(a) }) as LbOp,
    ),
  ]);
  const rs = chains();
  assert.equal(rs.length, 3);
  assert.equal(sets().length, 3);
  // a weight change: same chains, and the sets keep their clients (a remade set would be empty)
  const client = `add element ip fip_contract_c ${sets()[0] ?? ''} { 10.9.9.9 }`;
  execFileSync('ip', ['netns', 'exec', ns, 'nft', client]);
  await ok([{ kind: 'edit-dest', service: key, dest: d('10.1.0.2', 0) }]);
  assert.deepEqual(chains(), rs);
  assert.match(list(), /10\.9\.9\.9/, 'the persistence set kept its client');
  // one leaves, one comes
  await ok([
    { kind: 'delete-dest', service: key, dest: { addr: '10.1.0.1', port: 8080, family: 'inet' } },
    { kind: 'add-dest', service: key, dest: d('10.1.0.4', 2) },
  ]);
  assert.deepEqual(
    chains().map((c) => c.replace(/^rs_tcp_10_0_0_100_80__/, '')),
    ['10_1_0_2_8080', '10_1_0_3_8080', '10_1_0_4_8080'],
  );
  assert.ok(sets().every((s) => s.endsWith('_60_32')) && sets().length === 3);
  // new persistence parameters: new sets, the old ones gone
  await ok([{ kind: 'edit-service', service: { ...head, persistence: { ...p, timeout: 120 } } }]);
  assert.ok(sets().every((s) => s.endsWith('_120_32')) && sets().length === 3, sets().join(' '));
  // a service on a VIP of its own comes and goes: the VIP's counting chain and maps with it
  const other = { ...key, addr: '10.0.0.200', protocol: 'udp' } as const;
  await ok([
    { kind: 'add-service', service: { ...head, key: other } },
    { kind: 'add-dest', service: other, dest: d('10.1.0.9') },
  ]);
  assert.match(
    list(),
    /map sm_10_0_0_200_udp[^}]* 80 \. 10\.1\.0\.9 \. 8080 : jump sd_udp_10_0_0_200_80__10_1_0_9_8080/,
  );
  await ok([{ kind: 'delete-service', key: other }]);
  assert.doesNotMatch(list(), /10_0_0_200/);
  const t = await plane.read();
  assert.deepEqual(
    t.kind === 'ok' ? t.value.services.map((s) => s.destinations.map((x) => `${x.addr}=${x.weight}`)) : null,
    [['10.1.0.4=2', '10.1.0.3=1', '10.1.0.2=0']],
  );
  assert.equal((await plane.remove()).kind, 'ok');
});
