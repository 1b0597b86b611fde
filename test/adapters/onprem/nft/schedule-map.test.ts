// The nftables slot maps follow the kernel's scheduler rules (core/lb's model of ip_vs_{wrr,sh,dh,mh}.c),
// and the rendered transaction touches only floatip's table, keeping persistence sets across changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LbDestination, LbService } from '../../../../core/ports/index.ts';
import { MH_TAB_SIZE as MH_TABLE_SIZE } from '../../../../core/lb/index.ts';
import { dhTable, mhTable, shTable, wrrCycle } from '../../../../adapters/onprem/nft/schedule-map.ts';
import { renderRuleset } from '../../../../adapters/onprem/nft/render.ts';

const d = (addr: string, weight: number): LbDestination => ({
  addr,
  port: 80,
  family: 'inet',
  forwarding: 'nat',
  weight,
  uThreshold: 0,
  lThreshold: 0,
  tunnel: null,
});
const letters = (xs: Array<number | null>): string => xs.map((i) => (i === null ? '-' : 'abc'[i])).join('');

test('wrr: weights 4,3,2 give the kernel picks after adding a, b, c one at a time: a rotation of a a b a b c a b c', () => {
  // ip_vs_wrr_dest_changed keeps cw (2 after the first add) while later adds raise mw, so the first pass
  // runs at cw 2 (a b c); from then on the steady cycle: passes at 4, 3, 2, 1.
  const cycle = letters(wrrCycle([4, 3, 2]));
  assert.equal(cycle, 'abcaababc');
  assert.ok('aababcabc'.repeat(2).includes(cycle), 'one full steady cycle, rotated');
});

test('wrr: 6,4,2 (gcd 2, passes 5,3,1) give the same cycle as 3,2,1; weight 0 never appears', () => {
  assert.equal(letters(wrrCycle([6, 4, 2])), letters(wrrCycle([3, 2, 1])));
  assert.equal(letters(wrrCycle([3, 0, 1])), 'acaa');
  assert.deepEqual(wrrCycle([0, 0]), []);
});

test('sh fill: weights 2,1 give a a b a a b ...; a weight-0 server still takes one bucket', () => {
  assert.equal(letters(shTable([d('10.9.0.1', 2), d('10.9.0.2', 1)], false).slice(0, 9)), 'aabaabaab');
  const withZero = shTable([d('10.9.0.1', 1), d('10.9.0.2', 0), d('10.9.0.3', 1)], false);
  assert.equal(letters(withZero.slice(0, 6)), 'a-ca-c', 'without sh-fallback its buckets drop');
  const fallback = shTable([d('10.9.0.1', 1), d('10.9.0.2', 0), d('10.9.0.3', 1)], true);
  assert.ok(
    fallback.every((x) => x === 0 || x === 2),
    'with sh-fallback they go to an available server',
  );
  assert.equal(withZero.length, 256);
});

test('dh fill: bucket i -> list[i mod n], weights ignored except 0 (drop)', () => {
  assert.equal(
    letters(dhTable([d('10.9.0.1', 5), d('10.9.0.2', 1), d('10.9.0.3', 0)]).slice(0, 6)),
    'ab-ab-',
  );
});

const svc = (dests: LbDestination[], persistence: LbService['persistence'] = null): LbService => ({
  key: { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.100', port: 80 },
  scheduler: 'rr',
  flags: { flag1: false, flag2: false, flag3: false },
  onePacket: false,
  persistence,
  destinations: dests,
});

test('first render recreates only floatip_lvs; later renders touch only the services that changed', () => {
  const p = { timeout: 300, prefix: 24, engine: null };
  const two = svc([d('10.1.0.1', 1), d('10.1.0.2', 1)], p);
  const other = { ...svc([d('10.1.0.7', 1)]), key: { ...two.key, addr: '10.0.0.200' } };
  const opts = { table: 'floatip_lvs', seed: 0 };
  const first = renderRuleset({ services: [two, other] }, { ...opts, previous: null });
  assert.match(first, /^add table ip floatip_lvs\ndelete table ip floatip_lvs\nadd table ip floatip_lvs\n/);
  assert.match(first, /prerouting ip daddr \. meta l4proto \. th dport vmap @services/);
  assert.match(
    first,
    /add element ip floatip_lvs services \{ 10\.0\.0\.100 \. tcp \. 80 : jump vs_tcp_10_0_0_100_80 \}/,
  );
  assert.match(
    first,
    /numgen inc mod 2 vmap \{ 0 : goto rs_tcp_10_0_0_100_80__10_1_0_1_80, 1 : goto rs_tcp_10_0_0_100_80__10_1_0_2_80 \}/,
  );
  assert.match(first, /ip saddr & 255\.255\.255\.0 @p_tcp_10_0_0_100_80__10_1_0_1_80_300_24 goto/);
  assert.match(first, /update @p_tcp_10_0_0_100_80__10_1_0_2_80_300_24 \{ ip saddr & 255\.255\.255\.0 \}/);
  assert.ok(!/^(add|delete|flush) table ip (?!floatip_lvs)/m.test(first), 'no other table is touched');

  const previous = { services: [two, other] };
  const second = renderRuleset({ services: [svc([d('10.1.0.1', 1)], p), other] }, { ...opts, previous });
  assert.ok(!second.includes('table'), 'a health change never drops or flushes the table');
  assert.ok(!second.includes('10_0_0_200'), 'an unchanged service is not touched');
  assert.ok(!second.includes('element ip floatip_lvs services'), 'the service map keeps its element');
  assert.match(second, /delete element ip floatip_lvs sm_10_0_0_100_tcp \{ 80 \. 10\.1\.0\.2 \. 80 \}\n/);
  assert.match(second, /flush chain ip floatip_lvs vs_tcp_10_0_0_100_80\n/);
  assert.match(second, /delete chain ip floatip_lvs rs_tcp_10_0_0_100_80__10_1_0_2_80\n/);
  assert.match(second, /delete set ip floatip_lvs p_tcp_10_0_0_100_80__10_1_0_2_80_300_24\n/);
  assert.ok(
    !second.includes('delete set ip floatip_lvs p_tcp_10_0_0_100_80__10_1_0_1_80_300_24'),
    'kept server keeps its clients',
  );

  const third = renderRuleset({ services: [two] }, { ...opts, previous });
  assert.match(third, /delete element ip floatip_lvs services \{ 10\.0\.0\.200 \. tcp \. 80 \}\n/);
  assert.match(third, /delete chain ip floatip_lvs vs_tcp_10_0_0_200_80\n/);
  assert.ok(!third.includes('10_0_0_100'), 'the other service is not touched');
  assert.equal(
    renderRuleset({ services: [two, other] }, { ...opts, previous }),
    'add table ip floatip_lvs\n',
  );
});

test('fwmark services: an @marks element, any transport protocol, no port means address-only dnat', () => {
  const fw: LbService = {
    ...svc([d('10.1.0.1', 1), { ...d('10.1.0.2', 1), port: 0 }]),
    key: { kind: 'fwmark', family: 'inet', fwmark: 21 },
  };
  const text = renderRuleset({ services: [fw] }, { table: 'floatip_lvs', previous: null, seed: 0 });
  assert.match(text, /add rule ip floatip_lvs prerouting meta mark vmap @marks\n/);
  assert.match(text, /add element ip floatip_lvs marks \{ 21 : jump vs_fwm_21 \}/);
  assert.match(text, /rs_fwm_21__10_1_0_1_80 meta l4proto \{ tcp, udp, sctp \} dnat ip to 10\.1\.0\.1:80\n/);
  assert.match(text, /rs_fwm_21__10_1_0_2_0 dnat ip to 10\.1\.0\.2\n/);
  const gone = renderRuleset(
    { services: [] },
    { table: 'floatip_lvs', previous: { services: [fw] }, seed: 0 },
  );
  assert.match(gone, /^delete element ip floatip_lvs marks \{ 21 \}\n/);
});

test('IPv6 services go to the ip6 table: ipv6 map and sets, prefix masks, bracketed dnat targets', () => {
  const v6: LbService = {
    ...svc([{ ...d('fd00::10', 1), family: 'inet6' }], { timeout: 60, prefix: 64, engine: null }),
    key: { kind: 'addr', family: 'inet6', protocol: 'tcp', addr: 'fd00::1', port: 80 },
  };
  const text = renderRuleset({ services: [v6] }, { table: 'floatip_lvs', previous: null, seed: 0 });
  assert.match(
    text,
    /add map ip6 floatip_lvs services \{ type ipv6_addr \. inet_proto \. inet_service : verdict; \}/,
  );
  assert.match(
    text,
    /add element ip6 floatip_lvs services \{ fd00::1 \. tcp \. 80 : jump vs_tcp_fd00__1_80 \}/,
  );
  assert.match(text, /type ipv6_addr; flags dynamic,timeout; timeout 60s;/);
  assert.match(text, /ip6 saddr & ffff:ffff:ffff:ffff:: @p_/);
  assert.match(text, /meta l4proto tcp dnat ip6 to \[fd00::10\]:80\n/);
  assert.match(text, /^add table ip floatip_lvs\n/, 'the IPv4 table is (re)created too');
});

test('mh: a full maglev table shared by weight; removing a server moves only its own slots', () => {
  const three = [d('10.1.0.1', 1), d('10.1.0.2', 1), d('10.1.0.3', 2)];
  const t3 = mhTable(three);
  assert.equal(t3.length, MH_TABLE_SIZE);
  assert.ok(t3.every((x) => x !== null));
  const share = (t: Array<number | null>, i: number): number => t.filter((x) => x === i).length;
  assert.ok(
    Math.abs(share(t3, 2) - 2 * share(t3, 0)) < MH_TABLE_SIZE / 10,
    'weight 2 gets about twice the slots',
  );
  // drop the middle server: indices shift (0 stays 0, 2 becomes 1); every slot not owned by it must stay
  const t2 = mhTable([three[0] as LbDestination, three[2] as LbDestination]);
  const moved = t3.filter((owner, slot) => owner !== 1 && t2[slot] !== (owner === 2 ? 1 : 0)).length;
  assert.ok(moved < MH_TABLE_SIZE / 10, `only the removed server's clients move (moved ${moved})`);
  assert.deepEqual(mhTable([d('10.1.0.1', 0)]), new Array(MH_TABLE_SIZE).fill(null));
});
