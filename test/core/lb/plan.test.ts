// The LB planner: minimal, ordered diffs (never flush), validation that names the field, and the round
// trip property apply(plan(desired, current), current) == desired for random tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LbDestination, LbService, LbTable } from '../../../core/ports/index.ts';
import { planLb } from '../../../core/lb/plan.ts';
import { canonicalAddr, formatIpv6, parseIpv6 } from '../../../core/model/index.ts';
import { applyLbOps } from '../../../adapters/onprem/nft/table-state.ts';
import { destId, serviceId } from '../../../core/model/index.ts';

const dest = (addr: string, weight = 1, port = 80): LbDestination => ({
  addr,
  port,
  family: 'inet',
  forwarding: 'nat',
  weight,
  uThreshold: 0,
  lThreshold: 0,
  tunnel: null,
});

const svc = (addr: string, dests: LbDestination[], scheduler = 'rr'): LbService => ({
  key: { kind: 'addr', family: 'inet', protocol: 'tcp', addr, port: 80 },
  scheduler,
  flags: { flag1: false, flag2: false, flag3: false },
  onePacket: false,
  persistence: null,
  destinations: dests,
});

const unwrap = <T>(o: { kind: string; value?: T; reason?: string }): T => {
  assert.equal(o.kind, 'ok', o.reason);
  return o.value as T;
};

test('an empty current table gets add-service then its destinations in desired order', () => {
  const ops = unwrap(
    planLb({ services: [svc('10.0.0.1', [dest('10.1.0.1'), dest('10.1.0.2')])] }, { services: [] }),
  );
  assert.deepEqual(
    ops.map((o) => o.kind + (o.kind === 'add-dest' ? ` ${o.dest.addr}` : '')),
    ['add-service', 'add-dest 10.1.0.1', 'add-dest 10.1.0.2'],
  );
});

test('equal tables plan nothing, whatever the list order and counters', () => {
  const a = svc('10.0.0.1', [dest('10.1.0.1'), dest('10.1.0.2')]);
  const b = { ...a, destinations: [{ ...dest('10.1.0.2'), activeConns: 7 }, dest('10.1.0.1')] };
  assert.deepEqual(unwrap(planLb({ services: [a] }, { services: [b] })), []);
});

test('a weight change is one edit-dest; a failed server is one delete-dest; nothing is flushed', () => {
  const current = {
    services: [svc('10.0.0.1', [dest('10.1.0.1', 1), dest('10.1.0.2', 1), dest('10.1.0.3')])],
  };
  const desired = { services: [svc('10.0.0.1', [dest('10.1.0.1', 5), dest('10.1.0.2', 1)])] };
  const ops = unwrap(planLb(desired, current));
  assert.deepEqual(ops, [
    { kind: 'edit-dest', service: desired.services[0]?.key, dest: dest('10.1.0.1', 5) },
    {
      kind: 'delete-dest',
      service: desired.services[0]?.key,
      dest: { addr: '10.1.0.3', port: 80, family: 'inet' },
    },
  ]);
});

test('a replaced destination is added before the old one is deleted', () => {
  const current = { services: [svc('10.0.0.1', [dest('10.1.0.1')])] };
  const desired = { services: [svc('10.0.0.1', [dest('10.1.0.9')])] };
  assert.deepEqual(
    unwrap(planLb(desired, current)).map((o) => o.kind),
    ['add-dest', 'delete-dest'],
  );
});

test('services no longer desired are deleted first; a scheduler change is an edit-service', () => {
  const current = { services: [svc('10.0.0.1', [dest('10.1.0.1')]), svc('10.0.0.2', [dest('10.1.0.1')])] };
  const desired = { services: [svc('10.0.0.1', [dest('10.1.0.1')], 'wrr')] };
  assert.deepEqual(
    unwrap(planLb(desired, current)).map((o) => o.kind),
    ['delete-service', 'edit-service'],
  );
});

test('timeouts: only when they differ; 0 means leave unchanged', () => {
  const cur = { services: [], timeouts: { tcp: 900, tcpFin: 120, udp: 300 } };
  assert.deepEqual(unwrap(planLb({ services: [], timeouts: { tcp: 0, tcpFin: 120, udp: 0 } }, cur)), []);
  assert.equal(
    unwrap(planLb({ services: [], timeouts: { tcp: 60, tcpFin: 0, udp: 0 } }, cur))[0]?.kind,
    'set-timeouts',
  );
});

test('bad input is refused with a message naming the service and field, and no ops', () => {
  const cases: Array<[LbTable, RegExp]> = [
    [
      { services: [svc('10.0.0.300', [])] },
      /virtual service TCP 10\.0\.0\.300:80: address "10\.0\.0\.300" is not inet/,
    ],
    [
      { services: [svc('10.0.0.1', [dest('10.1.0.1', -1)])] },
      /TCP 10\.0\.0\.1:80 real server 10\.1\.0\.1:80: weight -1/,
    ],
    [{ services: [svc('10.0.0.1', []), svc('10.0.0.1', [])] }, /listed twice/],
    [
      { services: [svc('10.0.0.1', [dest('10.1.0.1'), dest('10.1.0.1')])] },
      /real server 10\.1\.0\.1:80 is listed twice/,
    ],
    [
      { services: [svc('10.0.0.1', [{ ...dest('10.1.0.1'), uThreshold: 5, lThreshold: 9 }])] },
      /lthreshold 9 is above uthreshold 5/,
    ],
    [
      {
        services: [
          {
            ...svc('10.0.0.1', []),
            key: { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.1', port: 0 },
          },
        ],
      },
      /port 0 is only valid for a persistent service/,
    ],
  ];
  for (const [table, re] of cases) {
    const out = planLb(table, { services: [] });
    assert.equal(out.kind, 'give-up');
    assert.match(out.kind === 'give-up' ? out.reason : '', re);
  }
});

test('capabilities: a scheduler the data plane cannot express is refused by name', () => {
  const caps = {
    schedulers: ['rr', 'wrr'],
    forwarding: ['nat'] as const,
    families: ['inet'] as const,
    protocols: ['tcp', 'udp'] as const,
    fwmark: false,
    persistence: true,
    atomic: true,
  };
  const out = planLb(
    { services: [svc('10.0.0.1', [dest('10.1.0.1')], 'wlc')] },
    { services: [] },
    caps,
    'nftables',
  );
  assert.equal(out.kind, 'give-up');
  assert.match(
    out.kind === 'give-up' ? out.reason : '',
    /nftables data plane cannot express scheduler "wlc"/,
  );
});

test('IPv6 text is compared in canonical form (RFC 5952)', () => {
  assert.equal(canonicalAddr('inet6', '2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(canonicalAddr('inet6', '::ffff:10.0.0.1'), '::ffff:a00:1');
  assert.equal(canonicalAddr('inet6', '1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  assert.equal(canonicalAddr('inet6', '1::2::3'), null);
  assert.equal(canonicalAddr('inet', '1.2.3'), null);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      const text = formatIpv6(b);
      assert.deepEqual(parseIpv6(text), b);
    }),
  );
});

// Random tables over a small address space so services and destinations overlap between the two sides.
const arbDest = fc.record({
  addr: fc.integer({ min: 1, max: 6 }).map((i) => `10.1.0.${i}`),
  port: fc.constantFrom(80, 8080),
  family: fc.constant('inet' as const),
  forwarding: fc.constantFrom('nat' as const, 'dr' as const),
  weight: fc.integer({ min: 0, max: 5 }),
  uThreshold: fc.constant(0),
  lThreshold: fc.constant(0),
  tunnel: fc.constant(null),
});
const arbService = fc.record({
  key: fc.record({
    kind: fc.constant('addr' as const),
    family: fc.constant('inet' as const),
    protocol: fc.constantFrom('tcp' as const, 'udp' as const),
    addr: fc.integer({ min: 1, max: 3 }).map((i) => `10.0.0.${i}`),
    port: fc.constant(80),
  }),
  scheduler: fc.constantFrom('rr', 'wrr', 'sh'),
  flags: fc.record({ flag1: fc.boolean(), flag2: fc.boolean(), flag3: fc.constant(false) }),
  onePacket: fc.constant(false),
  persistence: fc.option(
    fc.record({
      timeout: fc.constantFrom(60, 300),
      prefix: fc.constantFrom(24, 32),
      engine: fc.constant(null),
    }),
  ),
  destinations: fc.uniqueArray(arbDest, { selector: destId, maxLength: 4 }),
});
const arbTable = fc.record({
  services: fc.uniqueArray(arbService, { selector: (s) => serviceId(s.key), maxLength: 3 }),
});

const normal = (t: LbTable): unknown =>
  (JSON.parse(JSON.stringify(t)) as LbTable).services
    .map((s) => ({
      ...s,
      destinations: [...s.destinations].sort((a, b) => destId(a).localeCompare(destId(b))),
    }))
    .sort((a, b) => serviceId(a.key).localeCompare(serviceId(b.key)));

test('property: applying the plan to the current table yields the desired table; a second plan is empty', () => {
  fc.assert(
    fc.property(arbTable, arbTable, (desired, current) => {
      const ops = unwrap(planLb(desired, current));
      const after = applyLbOps(current, ops);
      assert.deepEqual(normal(after), normal(desired));
      assert.deepEqual(unwrap(planLb(desired, after)), []);
      // never flush: a service present on both sides is never deleted
      const kept = new Set(desired.services.map((s) => serviceId(s.key)));
      for (const op of ops) if (op.kind === 'delete-service') assert.ok(!kept.has(serviceId(op.key)));
    }),
    { numRuns: 300 },
  );
});
