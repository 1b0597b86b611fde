// @needs root iproute2 nftables
// Issue 4 acceptance, nftables data plane: client -> VIP -> director (nftables NAT) -> two real HTTP
// servers, all in network namespaces (prefix fip-lvs-). Every table change goes through the planner and
// the NftDataplane, exactly as the agent does it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LbDestination, LbService, LbTable } from '../../../core/ports/index.ts';
import { planLb } from '../../../core/lb/plan.ts';
import { NFT_CAPABILITIES, wrrCycle, type NftDataplane } from '../../../adapters/onprem/nft/index.ts';
import { createLvsLab, lvsLabAddrs, type LvsLab } from '../../helpers/netns-lvs.ts';
import { labNft, labRs, labVs } from '../../helpers/netns-lvs-nft.ts';

let lab: LvsLab;
let plane: NftDataplane;
let converge: (desired: LbTable) => Promise<string[]>;

before(async () => {
  lab = await createLvsLab();
  await lab.startServer('r1');
  await lab.startServer('r2');
  ({ plane, converge } = labNft(lab, 0x1234));
});
after(() => lab?.destroy());

const rs = labRs;
const vs = labVs;

test('rr: repeated requests alternate between the two real servers', async () => {
  await converge({ services: [vs('rr', [rs('r1'), rs('r2')])] });
  const got = lab.requests(8);
  assert.deepEqual(new Set(got), new Set(['r1', 'r2']), JSON.stringify(got));
  for (let i = 1; i < got.length; i++)
    assert.notEqual(got[i], got[i - 1], `alternation broken: ${JSON.stringify(got)}`);
});

test('wrr: requests follow the weights in the kernel wrr order (r1 weight 3, r2 weight 1)', async () => {
  const ops = await converge({ services: [vs('wrr', [rs('r1', 3), rs('r2', 1)])] });
  assert.deepEqual(
    ops,
    ['edit-service', 'edit-dest'],
    'a scheduler and weight change is an edit, not a rebuild',
  );
  const got = lab.requests(8);
  assert.equal(got.filter((b) => b === 'r1').length, 6, JSON.stringify(got));
  assert.equal(got.filter((b) => b === 'r2').length, 2, JSON.stringify(got));
  // IPVS list order puts the later-added r2 first: weights [1, 3] -> the kernel's picks r2 r1 r1 r1 (after
  // adding r1 then r2, the first pass runs at cw 1)
  const names = ['r2', 'r1'];
  const cycle = wrrCycle([1, 3]).map((i) => names[i]);
  assert.deepEqual(cycle, ['r2', 'r1', 'r1', 'r1']);
  assert.deepEqual(got, [...cycle, ...cycle]);
});

test('persistence (/32, 60 s): each client sticks to one real server; new clients are still balanced', async () => {
  await converge({
    services: [vs('rr', [rs('r1'), rs('r2')], { persistence: { timeout: 60, prefix: 32, engine: null } })],
  });
  const [a, b] = lvsLabAddrs.clients;
  // Pattern A A B: without persistence rr would send A's consecutive requests to different servers.
  const got = lab.requests(9, [a, a, b]);
  const fromA = got.filter((_, i) => i % 3 !== 2);
  const fromB = got.filter((_, i) => i % 3 === 2);
  assert.equal(new Set(fromA).size, 1, `client A moved: ${JSON.stringify(got)}`);
  assert.equal(new Set(fromB).size, 1, `client B moved: ${JSON.stringify(got)}`);
  assert.notEqual(fromA[0], fromB[0], 'rr sends the second new client to the other server');
});

test('persistence survives a weight change: quiescing a server (weight 0) keeps its persistent clients', async () => {
  const [a, , c] = lvsLabAddrs.clients;
  const first = lab.requests(1, [a])[0] as 'r1' | 'r2';
  const other = first === 'r1' ? 'r2' : 'r1';
  // As in IPVS, weight 0 stops new clients but persistent ones stay: only kept client sets can do that.
  const ops = await converge({
    services: [
      vs('rr', [rs(first, 0), rs(other, 1)], { persistence: { timeout: 60, prefix: 32, engine: null } }),
    ],
  });
  assert.deepEqual(ops, ['edit-dest']);
  assert.deepEqual(lab.requests(4, [a]), new Array(4).fill(first), 'client A keeps its server');
  assert.deepEqual(lab.requests(2, [c]), [other, other], 'a new client only gets the server with weight');
});

for (const [scheduler, name] of [
  ['sh', 'sh: every client address always lands on the same real server'],
  ['mh', 'mh: every client address always lands on the same real server, both are used'],
] as const)
  test(name, async () => {
    await converge({ services: [vs(scheduler, [rs('r1'), rs('r2')])] });
    const clients = lvsLabAddrs.clients;
    const got = lab.requests(16, clients);
    for (let c = 0; c < clients.length; c++) {
      const mine = got.filter((_, i) => i % clients.length === c);
      assert.equal(new Set(mine).size, 1, `client ${clients[c]} moved: ${JSON.stringify(got)}`);
    }
    // both hashes (sh: jhash with the fixed seed; mh: its lookup table) spread these four clients over
    // both servers (deterministic, not chance)
    assert.deepEqual(new Set(got), new Set(['r1', 'r2']), JSON.stringify(got));
  });

test('fwmark service: packets marked 21 before NAT are balanced by the fwmark service', async () => {
  // What an admin's own mangle rule (or keepalived's nftables_ipvs) does: mark the VIP's traffic.
  lab.exec(
    lab.ns.d,
    ['nft', '-f', '-'],
    `table ip fip_mark {\n  chain pre { type filter hook prerouting priority mangle; ip daddr ${lvsLabAddrs.vip} tcp dport 80 meta mark set 21; }\n}\n`,
  );
  try {
    const ops = await converge({
      services: [{ ...vs('rr', [rs('r1'), rs('r2')]), key: { kind: 'fwmark', family: 'inet', fwmark: 21 } }],
    });
    assert.deepEqual(ops.slice(0, 2), ['delete-service', 'add-service']);
    const got = lab.requests(6);
    assert.deepEqual(new Set(got), new Set(['r1', 'r2']), JSON.stringify(got));
    for (let i = 1; i < got.length; i++) assert.notEqual(got[i], got[i - 1], JSON.stringify(got));
  } finally {
    lab.exec(lab.ns.d, ['nft', 'delete', 'table', 'ip', 'fip_mark']);
  }
});

test('IPv6: rr alternates and /64 persistence sticks, in the ip6 table of the same transaction', async () => {
  const rs6 = (name: 'r1' | 'r2'): LbDestination => ({
    ...rs(name),
    addr: name === 'r1' ? lvsLabAddrs.r1v6 : lvsLabAddrs.r2v6,
    family: 'inet6',
  });
  const key6 = { kind: 'addr', family: 'inet6', protocol: 'tcp', addr: lvsLabAddrs.vip6, port: 80 } as const;
  const v4 = vs('rr', [rs('r1'), rs('r2')]);
  await converge({ services: [v4, { ...vs('rr', [rs6('r1'), rs6('r2')]), key: key6 }] });
  const got = lab.requests6(6);
  assert.deepEqual(new Set(got), new Set(['r1', 'r2']), JSON.stringify(got));
  for (let i = 1; i < got.length; i++) assert.notEqual(got[i], got[i - 1], JSON.stringify(got));

  const ops = await converge({
    services: [
      v4,
      {
        ...vs('rr', [rs6('r1'), rs6('r2')]),
        key: key6,
        persistence: { timeout: 60, prefix: 64, engine: null },
      },
    ],
  });
  assert.deepEqual(ops, ['edit-service'], 'the IPv4 service is not touched');
  const sticky = lab.requests6(6, lvsLabAddrs.clients6);
  assert.equal(
    new Set(sticky).size,
    1,
    `both clients share a /64 and stick together: ${JSON.stringify(sticky)}`,
  );
  assert.ok(sticky.every((b) => b === 'r1' || b === 'r2'));
});

test('a scheduler nftables cannot express is refused by name and changes nothing', async () => {
  const before = lab.exec(lab.ns.d, ['nft', 'list', 'table', 'ip', 'floatip_lvs']);
  for (const scheduler of ['wlc', 'lc', 'lblcr', 'twos']) {
    const plan = planLb(
      { services: [vs(scheduler, [rs('r1')])] },
      { services: [] },
      NFT_CAPABILITIES,
      'nftables',
    );
    assert.equal(plan.kind, 'give-up');
    assert.match(
      plan.kind === 'give-up' ? plan.reason : '',
      new RegExp(`cannot express scheduler "${scheduler}"`),
    );
    // the adapter itself refuses too, even without the planner in front of it
    const svc = { ...vs(scheduler, []), key: { ...vs(scheduler, []).key, port: 81 } } as LbService;
    const direct = await plane.apply([{ kind: 'add-service', service: svc }]);
    assert.equal(direct.kind, 'give-up');
    assert.match(
      direct.kind === 'give-up' ? direct.reason : '',
      new RegExp(`scheduler "${scheduler}".*nothing was changed`),
    );
  }
  assert.equal(lab.exec(lab.ns.d, ['nft', 'list', 'table', 'ip', 'floatip_lvs']), before);
});
