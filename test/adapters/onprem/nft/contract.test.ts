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
