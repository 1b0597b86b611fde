// Connection accounting, OVERLOAD and thresholds (rule book §0.4, §0.5), and the trash (§0.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQ, ids, serviceInListOrder } from './helpers.ts';

const one = (uThreshold?: number, lThreshold?: number) =>
  serviceInListOrder('rr', [
    {
      id: 'a',
      weight: 1,
      ...(uThreshold === undefined ? {} : { uThreshold }),
      ...(lThreshold === undefined ? {} : { lThreshold }),
    },
  ]);
const flags = (vs: ReturnType<typeof one>): number => vs.servers()[0]!.flags;
const OVERLOAD = 0x2;

test('bind sets OVERLOAD when active + inactive reaches u_threshold', () => {
  const vs = one(4);
  for (const kind of ['inactive', 'active', 'inactive'] as const) vs.bind('a', kind);
  assert.equal(flags(vs) & OVERLOAD, 0);
  vs.bind('a', 'persist'); // templates do not count in the total
  assert.equal(flags(vs) & OVERLOAD, 0);
  vs.bind('a', 'active');
  assert.equal(flags(vs) & OVERLOAD, OVERLOAD);
  assert.equal(vs.schedule(REQ), null);
  const s = vs.servers()[0]!;
  assert.deepEqual([s.activeConns, s.inactConns, s.persistConns], [2, 2, 1]);
});

test('only u_threshold: OVERLOAD clears when total * 4 < u * 3 (hysteresis)', () => {
  const vs = one(4);
  for (let i = 0; i < 4; i++) vs.bind('a', 'active');
  vs.unbind('a', 'active'); // 3: 12 < 12 is false
  assert.equal(flags(vs) & OVERLOAD, OVERLOAD);
  vs.unbind('a', 'active'); // 2: 8 < 12
  assert.equal(flags(vs) & OVERLOAD, 0);
  assert.equal(vs.schedule(REQ), 'a');
});

test('with l_threshold: OVERLOAD clears only when total < l', () => {
  const vs = one(4, 2);
  for (let i = 0; i < 4; i++) vs.bind('a', 'inactive');
  vs.unbind('a', 'inactive');
  vs.unbind('a', 'inactive'); // 2 < 2 is false
  assert.equal(flags(vs) & OVERLOAD, OVERLOAD);
  vs.unbind('a', 'inactive'); // 1 < 2
  assert.equal(flags(vs) & OVERLOAD, 0);
});

test('no thresholds: any unbind clears a flag set by setOverload; bind never sets it', () => {
  const vs = one();
  vs.bind('a', 'active');
  vs.bind('a', 'active');
  assert.equal(flags(vs) & OVERLOAD, 0);
  vs.setOverload('a', true);
  assert.equal(vs.schedule(REQ), null);
  vs.unbind('a', 'active');
  assert.equal(flags(vs) & OVERLOAD, 0);
});

test('edit clears OVERLOAD when the new u_threshold is 0 or higher than before, not when lower or equal', () => {
  const vs = one(4);
  for (let i = 0; i < 4; i++) vs.bind('a', 'active');
  vs.editServer('a', { uThreshold: 4 });
  assert.equal(flags(vs) & OVERLOAD, OVERLOAD);
  vs.editServer('a', { uThreshold: 3 });
  assert.equal(flags(vs) & OVERLOAD, OVERLOAD);
  vs.editServer('a', { uThreshold: 5 });
  assert.equal(flags(vs) & OVERLOAD, 0);
  vs.setOverload('a', true);
  vs.editServer('a', { uThreshold: 0 });
  assert.equal(flags(vs) & OVERLOAD, 0);
});

test('a lower threshold above the upper one is refused and changes nothing', () => {
  const vs = one(4, 2);
  assert.throws(() => vs.editServer('a', { lThreshold: 5 }), /editServer\.lThreshold: lower threshold 5/);
  assert.throws(() => vs.editServer('a', { weight: 3, uThreshold: 0, lThreshold: 1 }), /lower threshold 1/);
  assert.equal(vs.servers()[0]!.weight, 1);
  vs.bind('a', 'active');
  vs.bind('a', 'active');
  vs.bind('a', 'active');
  vs.bind('a', 'active');
  vs.unbind('a', 'active');
  vs.unbind('a', 'active');
  assert.equal(flags(vs) & OVERLOAD, OVERLOAD); // l = 2 still in force
});

test('unbinding a connection that is not there is refused', () => {
  const vs = one();
  assert.throws(() => vs.unbind('a', 'active'), /unbind\.kind: server "a" has no active connection/);
  assert.equal(vs.servers()[0]!.activeConns, 0);
});

test('a removed server comes back from the trash with its counters and flags, at the head of the list', () => {
  const vs = serviceInListOrder('rr', [
    { id: 'c', weight: 1 },
    { id: 'b', weight: 1, uThreshold: 10 },
    { id: 'a', weight: 1 },
  ]);
  vs.setConns('b', { activeConns: 3, inactConns: 2, persistConns: 1 });
  vs.setOverload('b', true);
  vs.removeServer('b');
  assert.deepEqual(ids(vs), ['c', 'a']);
  // Connections still end on a server in the trash (that unbind clears its OVERLOAD: 4 * 4 < 10 * 3).
  vs.unbind('b', 'inactive');
  assert.equal(vs.servers().length, 2);
  vs.setOverload('b', true);
  vs.addServer({ id: 'b', addr: '10.0.0.2', port: 80, weight: 5, uThreshold: 10 });
  assert.deepEqual(ids(vs), ['b', 'c', 'a']);
  assert.deepEqual(vs.servers()[0], {
    id: 'b',
    weight: 5,
    activeConns: 3,
    inactConns: 1,
    persistConns: 1,
    // AVAILABLE again; OVERLOAD kept, because u_threshold 10 is not higher than the old 10.
    flags: 0x1 | 0x2,
  });
  // Another address or port is a new server with fresh counters.
  vs.removeServer('c');
  vs.addServer({ id: 'c', addr: '10.0.0.1', port: 8080, weight: 1 });
  assert.deepEqual(vs.servers()[0], {
    id: 'c',
    weight: 1,
    activeConns: 0,
    inactConns: 0,
    persistConns: 0,
    flags: 1,
  });
});

test('servers() lists in kernel order with AVAILABLE set; setConns runs no threshold check', () => {
  const vs = serviceInListOrder('rr', [
    { id: 'x', weight: 2, uThreshold: 1 },
    { id: 'y', weight: 3 },
  ]);
  vs.setConns('x', { activeConns: 7, inactConns: 1, persistConns: 2 });
  assert.deepEqual(vs.servers(), [
    { id: 'x', weight: 2, activeConns: 7, inactConns: 1, persistConns: 2, flags: 1 },
    { id: 'y', weight: 3, activeConns: 0, inactConns: 0, persistConns: 0, flags: 1 },
  ]);
});
