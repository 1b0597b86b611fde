// mh (rule book §11): slot counts from the populate rules, and the whole 4093-slot table and the
// lookups checked against an independent builder (mh-oracle.ts, BigInt SipHash).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request, VirtualService } from '../../../core/lb/index.ts';
import { parseAddress } from '../../../core/lb/index.ts';
import { REQ, addrOf, serviceInListOrder } from './helpers.ts';
import { SIZE, oracleKey, oracleTable } from './mh-oracle.ts';
import type { OracleDest } from './mh-oracle.ts';

const count = (table: (string | number | null)[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const id of table) out[String(id)] = (out[String(id)] ?? 0) + 1;
  return out;
};

const oracleOf = (
  vs: VirtualService,
  lastWeights: Record<string, number>,
  ports: Record<string, number> = {},
) =>
  oracleTable(
    vs.servers().map((s, i): OracleDest => {
      const id = String(s.id);
      return {
        id,
        fold: parseAddress(addrOf(i), 'x').fold,
        port: ports[id] ?? 80,
        lastWeight: lastWeights[id] ?? s.weight,
      };
    }),
  );

test('mh weights 1000,200,1: gcd 1, rshift 4, turns 62,12,1 -> 3391/648/54 slots', () => {
  const vs = serviceInListOrder('mh', [
    { id: 'a', weight: 1000 },
    { id: 'b', weight: 200 },
    { id: 'c', weight: 1 },
  ]);
  const table = vs.table()!;
  assert.equal(table.length, 4093);
  // 75 slots a round: 54 rounds = 4050, then a takes the last 43.
  assert.deepEqual(count(table), { a: 3391, b: 648, c: 54 });
});

test('mh equal weights fill all 4093 slots with counts that differ by at most 1', () => {
  const vs = serviceInListOrder(
    'mh',
    ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, weight: 3 })),
  );
  const counts = Object.values(count(vs.table()!));
  assert.equal(
    counts.reduce((x, y) => x + y),
    SIZE,
  );
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, JSON.stringify(counts));
});

test('mh table equals the independent builder, slot for slot (several shapes)', () => {
  const shapes = [
    [4, 3, 2],
    [1000, 200, 1],
    [1, 1, 1, 1, 1, 1, 1],
    [6, 4, 2, 0],
  ];
  for (const weights of shapes) {
    const defs = weights.map((weight, i) => ({ id: `s${i}`, weight }));
    const vs = serviceInListOrder('mh', defs);
    assert.deepEqual(vs.table(), oracleOf(vs, {}), `weights ${weights.join(',')}`);
  }
  // The dest port is part of the permutation key.
  const ports = serviceInListOrder('mh', [
    { id: 'p', weight: 1, port: 8080 },
    { id: 'q', weight: 1, port: 443 },
  ]);
  assert.deepEqual(ports.table(), oracleOf(ports, {}, { p: 8080, q: 443 }));
});

test('mh: editing a weight to 0 keeps the table (last_weight); a dest added with weight 0 gets no slot', () => {
  const vs = serviceInListOrder('mh', [
    { id: 'a', weight: 2 },
    { id: 'b', weight: 1 },
  ]);
  const before = vs.table();
  vs.editServer('a', { weight: 0 });
  assert.deepEqual(vs.table(), before);
  vs.addServer({ id: 'z', addr: '10.9.9.9', port: 80, weight: 0 });
  assert.equal(count(vs.table()!)['z'], undefined);
  // An edit to a new non-zero weight does rebuild.
  vs.editServer('a', { weight: 5 });
  const fold = (a: string): number => parseAddress(a, 'x').fold;
  assert.deepEqual(
    vs.table(),
    oracleTable([
      { id: 'z', fold: fold('10.9.9.9'), port: 80, lastWeight: 0 },
      { id: 'a', fold: fold(addrOf(0)), port: 80, lastWeight: 5 },
      { id: 'b', fold: fold(addrOf(1)), port: 80, lastWeight: 1 },
    ]),
  );
});

test('mh lookup: slot hsiphash(saddr) % 4093; with mh-port the source port is added', () => {
  const vs = serviceInListOrder('mh', [
    { id: 'a', weight: 1 },
    { id: 'b', weight: 1 },
    { id: 'c', weight: 1 },
  ]);
  const withPort = serviceInListOrder(
    'mh',
    [
      { id: 'a', weight: 1 },
      { id: 'b', weight: 1 },
      { id: 'c', weight: 1 },
    ],
    { flags: { mhPort: true } },
  );
  const table = oracleOf(vs, {});
  for (let i = 1; i <= 40; i++) {
    const saddr = `172.16.${i}.${(i * 37) % 250}`;
    const fold = parseAddress(saddr, 'x').fold;
    const req: Request = { ...REQ, saddr, sport: 1000 + i };
    assert.equal(vs.schedule(req), table[oracleKey(fold, 0, 2654435761n, 0) % SIZE]);
    assert.equal(withPort.schedule(req), table[oracleKey(fold, 1000 + i, 2654435761n, 0) % SIZE]);
  }
});

test('mh: an unavailable slot gives null; mh-fallback re-hashes with offset until a usable dest', () => {
  const defs = [
    { id: 'a', weight: 1 },
    { id: 'b', weight: 1 },
  ];
  const plain = serviceInListOrder('mh', defs);
  const fb = serviceInListOrder('mh', defs, { flags: { mhFallback: true } });
  const table = oracleOf(plain, {});
  // Find a client whose slot is a's, then overload a.
  let saddr = '';
  for (let i = 1; saddr === ''; i++) {
    const s = `192.168.0.${i}`;
    if (table[oracleKey(parseAddress(s, 'x').fold, 0, 2654435761n, 0) % SIZE] === 'a') saddr = s;
  }
  const req: Request = { ...REQ, saddr };
  plain.setOverload('a', true);
  fb.setOverload('a', true);
  assert.equal(plain.schedule(req), null);
  // Expected fallback: the first roffset whose re-hashed slot holds b.
  const fold = parseAddress(saddr, 'x').fold;
  const ihash = oracleKey(fold, 0, 2654435761n, 0) % SIZE;
  let expected: string | null = null;
  for (let offset = 0; offset < SIZE && expected === null; offset++) {
    const slot = oracleKey(fold, 0, 2654435761n, (offset + ihash) % SIZE) % SIZE;
    if (table[slot] === 'b') expected = 'b';
  }
  assert.equal(expected, 'b');
  assert.equal(fb.schedule(req), 'b');
  fb.setOverload('b', true);
  assert.equal(fb.schedule(req), null);
});

test('mh with no dests, or only weight-0 dests, has an empty table and returns null', () => {
  const vs = serviceInListOrder('mh', [{ id: 'z', weight: 0 }]);
  assert.deepEqual(new Set(vs.table()), new Set([null]));
  assert.equal(vs.schedule(REQ), null);
});
