// What a later nftables transaction touches when a service changes: only the vs_ chain for weights and the
// scheduler, the rs_ chain and counters of a real server that comes or goes, every rs_ chain when the
// persistence parameters change (their rules name the sets), a real server's counting chain and map
// element only when it comes or goes. A health change at 10,000 real servers was a 90,000-line transaction (every rs_ chain flushed
// and refilled); test/adapters/onprem/nft/contract.test.ts applies the same kinds of change to a real kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRuleset } from '../../../../adapters/onprem/nft/render.ts';
import type { LbDestination, LbService } from '../../../../core/ports/index.ts';
import { lbDest, lbService } from '../../../helpers/lb-table.ts';

const d = (i: number, weight = 1): LbDestination => lbDest(`10.1.${i >> 8}.${i & 255}`, 8080, 'nat', weight);
const key = { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.100', port: 80 } as const;
const svc = (dests: LbDestination[], persistence: LbService['persistence'] = null): LbService =>
  lbService(key, 'wrr', dests, { persistence });
const N = 1000;
const all = Array.from({ length: N }, (_, i) => d(i));
const opts = { table: 'floatip_lvs', seed: 0 };
const later = (before: LbService, after: LbService): string[] =>
  renderRuleset({ services: [after] }, { ...opts, previous: { services: [before] } })
    .split('\n')
    .filter(Boolean);
const rsOf = (i: number): string => `rs_tcp_10_0_0_100_80__10_1_${i >> 8}_${i & 255}_8080`;

test('a weight change refills the vs_ chain only: rs_ chains, counters and counting chains stay', () => {
  const lines = later(svc(all), svc(all.map((x, i) => (i === 5 ? { ...x, weight: 0 } : x))));
  assert.deepEqual(
    lines.map((l) => l.split(' ').slice(0, 5).join(' ')),
    ['flush chain ip floatip_lvs vs_tcp_10_0_0_100_80', 'add rule ip floatip_lvs vs_tcp_10_0_0_100_80'],
  );
  assert.doesNotMatch(lines[1] ?? '', new RegExp(`goto ${rsOf(5)}\\b`), 'weight 0 gets no slot');
  assert.match(lines[1] ?? '', new RegExp(`goto ${rsOf(6)}\\b`));
});

test('a real server that leaves loses its chain, counting chain, element and counters; the others keep theirs', () => {
  const lines = later(svc(all), svc(all.filter((_, i) => i !== 7)));
  const rsLines = lines.filter((l) => / rs_/.test(l.split(' ').slice(0, 5).join(' ')));
  assert.deepEqual(rsLines, [
    `flush chain ip floatip_lvs ${rsOf(7)}`,
    `delete chain ip floatip_lvs ${rsOf(7)}`,
  ]);
  assert.deepEqual(
    lines.filter((l) => l.startsWith('delete counter')).map((l) => l.split(' ')[4]),
    ['cn', 'ci', 'co'].map((c) => `${c}_tcp_10_0_0_100_80__10_1_0_7_8080`),
  );
  const sd = 'sd_tcp_10_0_0_100_80__10_1_0_7_8080';
  const stats = lines.filter((l) => / (st_|sd_|sm_)/.test(l));
  assert.deepEqual(stats, [
    'delete element ip floatip_lvs sm_10_0_0_100_tcp { 80 . 10.1.0.7 . 8080 }',
    `flush chain ip floatip_lvs ${sd}`,
    `delete chain ip floatip_lvs ${sd}`,
  ]);
  // the counting chain goes before the counters its rules name
  assert.ok(
    lines.indexOf(`delete chain ip floatip_lvs ${sd}`) <
      lines.findIndex((l) => l.startsWith('delete counter')),
  );
  assert.ok(lines.length < 12, `${lines.length} lines`);
});

test('a real server that comes gets its chain, counters and rules; nobody else is touched', () => {
  const lines = later(svc(all), svc([...all, d(N)]));
  const touched = new Set(
    lines.flatMap((l) =>
      [...l.matchAll(/(?:chain|counter) ip floatip_lvs ((?:rs|cn|ci|co)_\S+)/g)].map((m) => m[1]),
    ),
  );
  assert.deepEqual(
    [...touched].sort(),
    [rsOf(N), ...['cn', 'ci', 'co'].map((c) => `${c}_tcp_10_0_0_100_80__10_1_3_232_8080`)].sort(),
  );
  assert.equal(lines.filter((l) => l.startsWith(`add rule ip floatip_lvs ${rsOf(N)} `)).length, 2);
  assert.deepEqual(
    lines.filter((l) => / (st_|sd_|sm_)/.test(l)).map((l) => l.replace(/ counter name .*/, '')),
    [
      'add chain ip floatip_lvs sd_tcp_10_0_0_100_80__10_1_3_232_8080',
      'add rule ip floatip_lvs sd_tcp_10_0_0_100_80__10_1_3_232_8080 ct direction original',
      'add rule ip floatip_lvs sd_tcp_10_0_0_100_80__10_1_3_232_8080 ct direction reply',
      'add element ip floatip_lvs sm_10_0_0_100_tcp { 80 . 10.1.3.232 . 8080 : jump sd_tcp_10_0_0_100_80__10_1_3_232_8080 }',
    ],
  );
});

test('persistence kept: a weight change keeps the client sets; new parameters replace every set and refill every rs_ chain', () => {
  const p = { timeout: 300, prefix: 24, engine: null };
  const kept = later(
    svc(all, p),
    svc(
      all.map((x, i) => (i === 0 ? { ...x, weight: 3 } : x)),
      p,
    ),
  );
  assert.ok(!kept.some((l) => /^(flush chain|delete set|add set) ip floatip_lvs (rs_|p_)/.test(l)));
  assert.equal(kept.filter((l) => l.includes(' @p_')).length, N, 'the lookups are refilled in vs_');
  const q = { ...p, timeout: 600 };
  const changed = later(svc(all, p), svc(all, q));
  assert.equal(changed.filter((l) => l.startsWith('flush chain ip floatip_lvs rs_')).length, N);
  assert.equal(changed.filter((l) => /^delete set .* p_.*_300_24$/.test(l)).length, N);
  assert.equal(changed.filter((l) => /^add set .* p_.*_600_24 /.test(l)).length, N);
  assert.equal(changed.filter((l) => /update @p_.*_600_24 /.test(l)).length, N);
  assert.ok(!changed.some((l) => / (st_|sd_|sm_)/.test(l)), 'the same real servers: their counting stays');
});
