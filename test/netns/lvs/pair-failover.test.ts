// @needs root iproute2 nftables
// The seed guides' whole lab: two directors running `floatip agent` with VRRP (a sync group holding the
// client-side VIP and the real servers' gateway VIP) and the LVS side on nftables, two real HTTP servers.
// Repeated requests alternate between the real servers; stopping the master's agent moves both VIPs to
// the backup, whose table (programmed all along, as keepalived does) keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLvsPairLab, pairAddrs, pairConfig, pairUntil } from '../../helpers/netns-lvs-pair.ts';

const alternates = (got: string[]): void => {
  assert.ok(
    got.every((b) => b === 'r1' || b === 'r2'),
    `a request failed: ${JSON.stringify(got)}`,
  );
  for (let i = 1; i < got.length; i++) assert.notEqual(got[i], got[i - 1], JSON.stringify(got));
};

test('two directors: rr across real servers, and the backup takes over both VIPs and the traffic', async (t) => {
  const lab = createLvsPairLab();
  t.after(() => lab.destroy());
  await lab.startServer('r1');
  await lab.startServer('r2');
  const d1 = await lab.startAgent('d1', pairConfig('LVS_D1', 150));
  const d2 = await lab.startAgent('d2', pairConfig('LVS_D2', 100));

  await pairUntil(
    'd1 holds both VIPs',
    () => lab.holds('d1', pairAddrs.vip) && lab.holds('d1', pairAddrs.gatewayVip),
  );
  assert.ok(!lab.holds('d2', pairAddrs.vip));
  alternates(lab.requests(6));

  await d1.stop();
  await pairUntil(
    'd2 holds both VIPs',
    () => lab.holds('d2', pairAddrs.vip) && lab.holds('d2', pairAddrs.gatewayVip),
  );
  assert.ok(!lab.holds('d1', pairAddrs.vip), 'the stopped master released the VIP');
  alternates(lab.requests(6));
  await d2.stop();
});
