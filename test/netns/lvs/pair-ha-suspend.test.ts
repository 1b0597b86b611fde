// @needs root iproute2 nftables
// ha_suspend in the two-director lab (test/helpers/netns-lvs-pair.ts): both directors run `floatip agent`
// with VRRP and the LVS side; the virtual server has ha_suspend. The backup director, which does not hold
// the virtual address, sends no check to the real servers; once it becomes MASTER (the master's agent
// stops) it does. The real server counts the TCP SYNs each director sends it with nft named counters
// (kernel counters in the real server's namespace), so the check traffic is measured where it lands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLvsPairLab, pairAddrs, pairConfig, pairUntil } from '../../helpers/netns-lvs-pair.ts';

test('ha_suspend: the backup director does not check the real servers until it is MASTER', async (t) => {
  const lab = createLvsPairLab();
  t.after(() => lab.destroy());
  await lab.startServer('r1');
  // SYNs to the real server's port, counted per director (its b0 address is the checks' source).
  const rules = ['d1', 'd2']
    .map((d) => {
      const from = d === 'd1' ? pairAddrs.d1.b : pairAddrs.d2.b;
      return (
        `add counter inet fipcount ${d}; ` +
        `add rule inet fipcount in ip saddr ${from} tcp dport ${pairAddrs.rsPort} ` +
        `tcp flags & (syn | ack) == syn counter name "${d}"; `
      );
    })
    .join('');
  lab.exec('r1', [
    'sh',
    '-c',
    `nft 'add table inet fipcount; add chain inet fipcount in { type filter hook input priority 0; }; ${rules}'`,
  ]);
  const syns = (d: 'd1' | 'd2'): number => {
    const out = lab.exec('r1', ['nft', 'list', 'counter', 'inet', 'fipcount', d]);
    return Number(/packets (\d+)/.exec(out)?.[1] ?? NaN);
  };
  assert.equal(syns('d1'), 0);

  const d1 = await lab.startAgent('d1', pairConfig('LVS_D1', 150, { realServers: ['r1'], haSuspend: true }));
  const d2 = await lab.startAgent('d2', pairConfig('LVS_D2', 100, { realServers: ['r1'], haSuspend: true }));
  await pairUntil(
    'd1 holds both VIPs',
    () => lab.holds('d1', pairAddrs.vip) && lab.holds('d1', pairAddrs.gatewayVip),
  );
  // The master checks; the backup, without the virtual address, does not.
  await pairUntil('d1 checked r1 three times', () => syns('d1') >= 3);
  assert.ok(!lab.holds('d2', pairAddrs.vip));
  assert.equal(syns('d2'), 0, 'the backup director checked a real server');
  assert.deepEqual(lab.requests(2), ['r1', 'r1']);

  await d1.stop();
  await pairUntil(
    'd2 holds both VIPs',
    () => lab.holds('d2', pairAddrs.vip) && lab.holds('d2', pairAddrs.gatewayVip),
  );
  await pairUntil('d2, now MASTER, checks r1', () => syns('d2') >= 2);
  const d1After = syns('d1');
  assert.deepEqual(lab.requests(2), ['r1', 'r1']);
  await pairUntil('d2 checked r1 twice more', () => syns('d2') >= 4);
  assert.equal(syns('d1'), d1After, 'the stopped director still checks');
  await d2.stop();
});
