// @needs root iproute2 keepalived iputils-ping
/**
 * floatip agent beside the real keepalived (Debian's 2.2.x) with the same keepalived.conf, both ways
 * round: the backup of either kind accepts the other's adverts (it stays BACKUP past its master-down
 * interval), and failover works both ways (graceful stop, SIGKILL), with the client following the VIP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasAddress, waitFor } from '../../helpers/netns.ts';
import { interopLab, keepalivedEntered } from '../../helpers/netns-interop.ts';
import type { RunningFloatip } from './lib/floatip.ts';
import type { RunningKeepalived } from './lib/keepalived.ts';

const VIP = '10.99.0.160';

function config(o: { priority: number; version: 2 | 3; advert: string; auth?: boolean }): string {
  return `global_defs {
    router_id node${o.priority}
    vrrp_garp_master_delay 1
}

vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version ${o.version}
    virtual_router_id 61
    priority ${o.priority}
    advert_int ${o.advert}
${o.auth ? '    authentication {\n        auth_type PASS\n        auth_pass s3cret\n    }\n' : ''}    virtual_ipaddress {
        ${VIP}/24
    }
}
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const entered = (ka: RunningKeepalived, state: string) => keepalivedEntered(ka, 'VI_1', state);

describe('floatip and keepalived 2.2 on one segment', () => {
  const ix = interopLab({ tools: ['keepalived', 'ping'], client: true });
  const { floatip, keepalived } = ix;
  const ping = () =>
    ix.lab.exec('c', ['ping', '-c', '1', '-W', '1', VIP], { allowFail: true }).includes(' 0% packet loss');
  const clientArp = () => ix.lab.exec('c', ['ip', 'neigh', 'show', VIP, 'dev', 'eth0']);
  const floatipState = async (a: RunningFloatip) => (await a.status()).instances[0]?.state;

  it('floatip MASTER, keepalived BACKUP (VRRPv2, PASS auth): keepalived accepts our adverts, then takes over on our graceful stop, and we preempt back', async () => {
    const ours = await floatip('d1', config({ priority: 150, version: 2, advert: '1', auth: true }));
    await waitFor('floatip to become MASTER', async () =>
      (await floatipState(ours)) === 'MASTER' ? true : undefined,
    );
    // keepalived starts once we are master, so its first master-down interval can only be reset by us.
    const theirs = keepalived('d2', config({ priority: 100, version: 2, advert: '1', auth: true }));
    await waitFor('keepalived to enter BACKUP', () => (entered(theirs, 'BACKUP') > 0 ? true : undefined));
    // keepalived's master-down interval at priority 100 is 3 x 1 s + 156/256 s: staying BACKUP past it
    // means it accepted every advert we sent.
    await sleep(4500);
    assert.equal(
      entered(theirs, 'MASTER'),
      0,
      `keepalived took over:\n${theirs.log()}\nfloatip:\n${ours.log()}\n${JSON.stringify(await ours.status())}`,
    );
    assert.ok(hasAddress(ix.lab, 'd1', VIP) && !hasAddress(ix.lab, 'd2', VIP));
    await waitFor('the client to reach the VIP on floatip', () => (ping() ? true : undefined), 10_000);

    assert.equal(await ours.stop(), 0);
    await waitFor('keepalived to take over after our priority-0 advert', () =>
      entered(theirs, 'MASTER') > 0 && hasAddress(ix.lab, 'd2', VIP) ? true : undefined,
    );
    assert.ok(!hasAddress(ix.lab, 'd1', VIP));
    await waitFor('the client ARP entry to follow keepalived GARP', () =>
      clientArp().includes(ix.lab.nodes['d2']?.mac ?? '?') ? true : undefined,
    );
    assert.ok(ping(), 'the client reaches the VIP on keepalived');

    const back = await floatip('d1', config({ priority: 150, version: 2, advert: '1', auth: true }));
    await waitFor('floatip to preempt keepalived', async () =>
      (await floatipState(back)) === 'MASTER' ? true : undefined,
    );
    await waitFor('keepalived to yield and drop the VIP', () =>
      entered(theirs, 'BACKUP') > 1 && !hasAddress(ix.lab, 'd2', VIP) ? true : undefined,
    );
    await waitFor('the client ARP entry to follow our GARP', () =>
      clientArp().includes(ix.lab.nodes['d1']?.mac ?? '?') ? true : undefined,
    );
    assert.ok(ping());
    await back.stop();
    await theirs.stop();
  });

  it('keepalived MASTER, floatip BACKUP (VRRPv3, 0.2 s): we accept its adverts, then take over when it is killed', async () => {
    const theirs = keepalived('d1', config({ priority: 150, version: 3, advert: '0.2' }));
    const ours = await floatip('d2', config({ priority: 100, version: 3, advert: '0.2' }));
    await waitFor('keepalived to become MASTER', () =>
      entered(theirs, 'MASTER') > 0 && hasAddress(ix.lab, 'd1', VIP) ? true : undefined,
    );
    await waitFor('floatip to settle in BACKUP', async () =>
      (await floatipState(ours)) === 'BACKUP' ? true : undefined,
    );
    // Our master-down interval is 3 x 0.2 s + 156/256 x 0.2 s: 2 s in BACKUP means its adverts are accepted.
    await sleep(2000);
    const s = (await ours.status()).instances[0];
    assert.equal(s?.state, 'BACKUP');
    assert.equal(s?.master?.address, '10.99.0.11');
    assert.equal(s?.master?.priority, 150);
    assert.ok((s?.stats['advert_rcvd'] ?? 0) >= 5, 'adverts from keepalived were received and accepted');
    assert.ok(!hasAddress(ix.lab, 'd2', VIP));

    theirs.kill();
    await waitFor('floatip to take over from the killed keepalived', async () =>
      (await floatipState(ours)) === 'MASTER' && hasAddress(ix.lab, 'd2', VIP) ? true : undefined,
    );
    await waitFor(`the client ARP entry to follow our GARP`, () =>
      clientArp().includes(ix.lab.nodes['d2']?.mac ?? '?') ? true : undefined,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nclient: ${clientArp()}\nfloatip:\n${ours.log()}`);
    });
    await waitFor('the client to reach the VIP on floatip', () => (ping() ? true : undefined), 10_000);
  });
});
