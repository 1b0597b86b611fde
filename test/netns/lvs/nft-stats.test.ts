// @needs root iproute2 nftables
// Counters of the nftables data plane (`status --lvs --stats`): N HTTP requests through the VIP move the
// connection counter of the service by N and each real server's by its share, and count packets and bytes
// both ways, read back from the kernel's named counters. A later apply that changes another service keeps
// the counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LbCounters, LbDestination, LbService } from '../../../core/ports/index.ts';
import { formatIpvsadm } from '../../../adapters/onprem/ipvs/ipvsadm-format.ts';
import { servedLvsLab, lvsLabAddrs } from '../../helpers/netns-lvs.ts';
import { labNft, labRs, labVs } from '../../helpers/netns-lvs-nft.ts';

const rs = (name: 'r1' | 'r2') => labRs(name);
const vs = (port: number, dests: LbDestination[]): LbService => labVs('rr', dests, { port });

test('nftables counters: N requests move Conns by N and packets/bytes both ways, per service and real server', async (t) => {
  const lab = await servedLvsLab(t);
  const { plane, converge } = labNft(lab);
  const web = async (): Promise<LbService> => {
    const r = await plane.read();
    assert.equal(r.kind, 'ok');
    const svc =
      r.kind === 'ok' ? r.value.services.find((s) => s.key.kind === 'addr' && s.key.port === 80) : undefined;
    assert.ok(svc?.stats, 'the service has counters');
    return svc;
  };
  const zero: LbCounters = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };

  await converge({ services: [vs(80, [rs('r1'), rs('r2')])] });
  assert.deepEqual((await web()).stats, zero);

  const got = lab.requests(6);
  assert.equal(got.length, 6);
  let svc = await web();
  const s = svc.stats ?? zero;
  assert.equal(s.conns, 6, JSON.stringify(s));
  // a TCP request/response: at least SYN, ACK, request, FIN in; SYN-ACK, response, FIN out
  assert.ok(s.inPkts >= 6 * 3 && s.outPkts >= 6 * 2, JSON.stringify(s));
  assert.ok(s.inBytes > s.inPkts * 40 && s.outBytes > s.outPkts * 40, JSON.stringify(s));
  for (const d of svc.destinations) assert.equal(d.stats?.conns, 3, `${d.addr}: ${JSON.stringify(d.stats)}`);
  const sum = (k: keyof LbCounters) => svc.destinations.reduce((n, d) => n + (d.stats?.[k] ?? 0), 0);
  for (const k of Object.keys(zero) as Array<keyof LbCounters>) assert.equal(s[k], sum(k), k);

  // Another service on the VIP comes and r2 leaves port 80: r1's counts stay.
  const r1Before = svc.destinations.find((d) => d.addr === lvsLabAddrs.r1)?.stats;
  await converge({ services: [vs(80, [rs('r1')]), vs(8443, [rs('r2')])] });
  svc = await web();
  assert.deepEqual(svc.destinations[0]?.stats, r1Before);
  lab.requests(2);
  svc = await web();
  assert.equal(svc.stats?.conns, (r1Before?.conns ?? 0) + 2);

  const text = formatIpvsadm({ version: 0, connTabSize: 0, services: [svc] }, { stats: true });
  assert.match(text, new RegExp(`TCP  ${lvsLabAddrs.vip.replaceAll('.', '\\.')}:80 +${svc.stats?.conns} `));
});
