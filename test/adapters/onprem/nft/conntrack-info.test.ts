// The nftables plane's `status --lvs` header reads nf_conntrack's limits from /proc/sys/net/netfilter
// (this machine's real files), and says "unknown" where a file is missing instead of inventing a value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conntrackHeader, conntrackInfo } from '../../../../adapters/onprem/nft/index.ts';
import { formatIpvsadm, ipvsHeader } from '../../../../adapters/onprem/ipvs/ipvsadm-format.ts';

test('conntrackInfo reads nf_conntrack_max and nf_conntrack_buckets', () => {
  const real = (name: string) => Number(readFileSync(`/proc/sys/net/netfilter/${name}`, 'utf8'));
  assert.deepEqual(conntrackInfo(), {
    max: real('nf_conntrack_max'),
    buckets: real('nf_conntrack_buckets'),
  });
});

test('a missing file is unknown, not a made-up number', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fip-ct-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'nf_conntrack_max'), '65536\n');
  const info = conntrackInfo(dir);
  assert.deepEqual(info, { max: 65536, buckets: null });
  assert.equal(conntrackHeader(info), 'nftables data plane over nf_conntrack (max=65536 buckets=unknown)');
});

test('formatIpvsadm prints the data plane header, or the IPVS version line from GET_INFO values', () => {
  assert.equal(ipvsHeader(0x010203, 1 << 20), 'IP Virtual Server version 1.2.3 (size=1048576)');
  const out = formatIpvsadm({ version: 0, connTabSize: 0, header: 'nftables data plane X', services: [] });
  assert.equal(out.split('\n')[0], 'nftables data plane X');
});
