// @needs openssl
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VipResource } from '../../../core/ports/index.ts';
import { azureLab, members } from './fixture.ts';

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
const udr = (i: number): VipResource => ({
  id: `udr-${i}`,
  provider: 'azure',
  kind: 'route',
  spec: {
    routeTables: [{ resourceGroup: 'rg', name: 'rt-1' }],
    route: `vip-${i}`,
    addressPrefix: `10.9.9.${i}/32`,
  },
});

for (const n of [2, 6])
  test(`azure: ${n} route resources in ONE table (one shared ETag) move at once: one PUT each, no 412`, async () => {
    const { arm, provider } = await azureLab();
    try {
      const rs = Array.from({ length: n }, (_, i) => udr(i + 1));
      for (const r of rs) assert.equal((await provider.acquire(r, a, 1)).kind, 'ok');
      const from = arm.requests.length;
      const outs = await Promise.all(rs.map((r) => provider.acquire(r, b, 2, { takeover: true })));
      for (const out of outs)
        assert.ok(out.kind === 'ok' && out.value.after.holder === 'b', JSON.stringify(out));
      const puts = arm.requests.slice(from).filter((r) => r.method === 'PUT');
      assert.deepEqual(
        puts.map((p) => p.status),
        rs.map(() => 200),
        'each route written once, none refused for a stale ETag',
      );
      // Every PUT carried If-Match: the writes stay conditional, each on the ETag its predecessor left.
      const tags = puts.map((p) => p.headers['if-match']);
      assert.equal(new Set(tags).size, n);
      assert.ok(tags.every((x) => typeof x === 'string' && x.startsWith('W/"')));
    } finally {
      await arm.close();
    }
  });

test('azure: a foreign change to the table between two of our writes still stops the second (412, re-read)', async () => {
  const { arm, provider } = await azureLab();
  try {
    const [r1, r2] = [udr(1), udr(2)];
    for (const r of [r1, r2]) assert.equal((await provider.acquire(r, a, 1)).kind, 'ok');
    // After our first PUT, someone edits another route of the same table (bumping the table's ETag).
    let puts = 0;
    arm.faults.beforeNext(/^PUT .*\/routes\/vip-/, () => {
      puts++;
    });
    arm.faults.beforeNext(/^PUT .*\/routes\/vip-/, () => {
      const t = arm.tables.get('rg/rt-1');
      const other = t?.routes.get('onprem');
      if (t && other) {
        other.addressPrefix = '192.168.0.0/17';
        t.etag = 'W/"foreign"';
      }
    });
    const outs = await Promise.all([r1, r2].map((r) => provider.acquire(r, b, 2, { takeover: true })));
    for (const out of outs)
      assert.ok(out.kind === 'ok' && out.value.after.holder === 'b', JSON.stringify(out));
    const statuses = arm.requests.filter((r) => r.method === 'PUT').map((r) => r.status);
    assert.equal(puts, 1);
    assert.ok(statuses.includes(412), `the stale one was refused: ${statuses.join(',')}`);
    assert.equal(arm.tables.get('rg/rt-1')?.routes.get('onprem')?.addressPrefix, '192.168.0.0/17');
  } finally {
    await arm.close();
  }
});
