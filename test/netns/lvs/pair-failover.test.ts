// @needs root iproute2 nftables
// The seed guides' whole lab: two directors running `floatip agent` with VRRP (a sync group holding the
// client-side VIP and the real servers' gateway VIP) and the LVS side on nftables, two real HTTP servers.
// Repeated requests alternate between the real servers; stopping the master's agent moves both VIPs to
// the backup, whose table (programmed all along, as keepalived does) keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLvsPairLab, pairAddrs } from '../../helpers/netns-lvs-pair.ts';

const config = (routerId: string, priority: number): string => `
global_defs {
    router_id ${routerId}
}
vrrp_sync_group VG {
    group {
        VI_EXT
        VI_INT
    }
}
vrrp_instance VI_EXT {
    state BACKUP
    interface a0
    virtual_router_id 51
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${pairAddrs.vip}/24 dev a0
    }
}
vrrp_instance VI_INT {
    state BACKUP
    interface b0
    virtual_router_id 52
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${pairAddrs.gatewayVip}/24 dev b0
    }
}
virtual_server ${pairAddrs.vip} 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server ${pairAddrs.r1} ${pairAddrs.rsPort} {
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server ${pairAddrs.r2} ${pairAddrs.rsPort} {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`;

/** Polls a condition; the bound only turns a hang into a failure, it asserts no timing. */
async function until(what: string, ok: () => boolean, boundMs = 30_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 200) {
    if (waited > boundMs) throw new Error(`never: ${what}`);
    await sleep(200);
  }
}

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
  const d1 = await lab.startAgent('d1', config('LVS_D1', 150));
  const d2 = await lab.startAgent('d2', config('LVS_D2', 100));

  await until(
    'd1 holds both VIPs',
    () => lab.holds('d1', pairAddrs.vip) && lab.holds('d1', pairAddrs.gatewayVip),
  );
  assert.ok(!lab.holds('d2', pairAddrs.vip));
  alternates(lab.requests(6));

  await d1.stop();
  await until(
    'd2 holds both VIPs',
    () => lab.holds('d2', pairAddrs.vip) && lab.holds('d2', pairAddrs.gatewayVip),
  );
  assert.ok(!lab.holds('d1', pairAddrs.vip), 'the stopped master released the VIP');
  alternates(lab.requests(6));
  await d2.stop();
});
