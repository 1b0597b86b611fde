// Against the real kernel (this one has no ip_vs module): resolving the IPVS generic-netlink family fails
// with ENOENT, and the data plane says so in plain words instead of failing obscurely. If a kernel with
// IPVS runs this suite, the same calls must succeed and read back a table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { GenlConnection, GenlError } from '../../../../adapters/onprem/genl/index.ts';
import { IpvsDataplane, NO_IPVS_MESSAGE } from '../../../../adapters/onprem/ipvs/index.ts';

const kernelHasIpvs = existsSync('/proc/net/ip_vs');

test('nlctrl resolves a family every kernel has (nlctrl itself, id 0x10)', async () => {
  const conn = GenlConnection.open();
  try {
    const fam = await conn.family('nlctrl');
    assert.equal(fam.id, 0x10);
    assert.equal(fam.name, 'nlctrl');
  } finally {
    conn.close();
  }
});

test(
  'the IPVS family lookup answers ENOENT on a kernel without ip_vs',
  { skip: kernelHasIpvs && 'kernel has IPVS' },
  async () => {
    const conn = GenlConnection.open();
    try {
      await assert.rejects(
        conn.family('IPVS'),
        (e: unknown) => e instanceof GenlError && e.code === 'ENOENT',
      );
    } finally {
      conn.close();
    }
  },
);

test(
  'the IPVS data plane reports the missing module clearly from every entry point',
  { skip: kernelHasIpvs && 'kernel has IPVS' },
  async () => {
    const plane = new IpvsDataplane();
    try {
      for (const out of [await plane.capabilities(), await plane.read(), await plane.apply([])]) {
        assert.deepEqual(out, { kind: 'give-up', reason: NO_IPVS_MESSAGE });
      }
      assert.match(NO_IPVS_MESSAGE, /no IPVS \(ip_vs module not loaded\); use the nftables data plane/);
    } finally {
      plane.close();
    }
  },
);

test(
  'on a kernel with IPVS the data plane reads the table',
  { skip: !kernelHasIpvs && 'kernel has no IPVS' },
  async () => {
    const plane = new IpvsDataplane();
    try {
      const out = await plane.read();
      assert.equal(out.kind, 'ok');
    } finally {
      plane.close();
    }
  },
);
