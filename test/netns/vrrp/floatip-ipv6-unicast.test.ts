// @needs root iproute2 iputils-ping
/**
 * Two floatip agents running an IPv6 instance (VRRPv3 to ff02::12 from the link-local address, VIP
 * announced with unsolicited NA), a unicast IPv4 instance (unicast_src_ip / unicast_peer) and a unicast
 * one written without `interface` as keepalived allows (sent from unicast_src_ip; its VIP goes on
 * default_interface): election and failover on SIGKILL, with the client following every VIP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertLabPrerequisites, createLab, hasAddress, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip, type RunningFloatip } from './lib/floatip.ts';

const VIP6 = 'fd00:99::150';
const VIP4 = '10.99.0.155';
const VIPN = '10.99.0.156';

function config(priority: number, self: string, peer: string): string {
  return `vrrp_instance V6 {
    state BACKUP
    interface eth0
    virtual_router_id 81
    priority ${priority}
    advert_int 0.1
    virtual_ipaddress {
        ${VIP6}/64
    }
}

vrrp_instance U4 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 82
    priority ${priority}
    advert_int 0.1
    unicast_src_ip ${self}
    unicast_peer {
        ${peer}
    }
    virtual_ipaddress {
        ${VIP4}/24
    }
}

vrrp_instance N4 {
    state BACKUP
    version 3
    virtual_router_id 83
    priority ${priority}
    advert_int 0.1
    unicast_src_ip ${self}
    unicast_peer {
        ${peer}
    }
    virtual_ipaddress {
        ${VIPN}/24
    }
}
`;
}

describe('floatip agents: IPv6 multicast and IPv4 unicast instances', () => {
  let lab: Lab;
  const agents: RunningFloatip[] = [];
  before(() => {
    assertLabPrerequisites(['ping']);
    lab = createLab({ directors: 2, client: true });
  });
  after(async () => {
    for (const a of agents) {
      await a.kill();
      a.cleanup();
    }
    lab?.destroy();
  });
  const state = async (a: RunningFloatip, name: string) =>
    (await a.status()).instances.find((i) => i.name === name)?.state;
  const both = (a: RunningFloatip, wanted: string) => async () =>
    (await state(a, 'V6')) === wanted &&
    (await state(a, 'U4')) === wanted &&
    (await state(a, 'N4')) === wanted
      ? true
      : undefined;
  const neigh = (fam: string, ip: string) => lab.exec('c', ['ip', fam, 'neigh', 'show', ip, 'dev', 'eth0']);
  const reach = (fam: string, ip: string) =>
    lab.exec('c', ['ping', fam, '-c', '1', '-W', '1', ip], { allowFail: true }).includes(' 0% packet loss');

  it('elects d1 for both instances and the client reaches both VIPs', async () => {
    const a1 = startFloatip(lab, 'd1', config(150, '10.99.0.11', '10.99.0.12'));
    const a2 = startFloatip(lab, 'd2', config(100, '10.99.0.12', '10.99.0.11'));
    agents.push(a1, a2);
    await a1.ready();
    await a2.ready();
    await waitFor('d1 to master both instances', both(a1, 'MASTER'));
    await waitFor('d2 to back up both instances', both(a2, 'BACKUP'));
    // Neither a state in the status nor the order of events says the rest has happened yet: an agent
    // reports MASTER/BACKUP as soon as its state machine moved, while adding or removing the VIPs over
    // netlink finishes later (the status has vipsPresent for that); d2 is BACKUP from its start, before
    // any advert of d1 reached it; and when d1 is slow to start (other netns tests running), d2 is master
    // for a moment and is still removing its VIPs when it reports BACKUP. So wait for each fact.
    await waitFor('d2 to record d1 as master of both instances', async () => {
      const s = (await a2.status()).instances;
      const v6 = s.find((i) => i.name === 'V6')?.master?.address ?? '';
      const u4 = s.find((i) => i.name === 'U4')?.master?.address;
      const n4 = s.find((i) => i.name === 'N4')?.master?.address;
      return v6.startsWith('fe80::') && u4 === '10.99.0.11' && n4 === '10.99.0.11' ? true : undefined;
    });
    await waitFor('both VIPs on d1 and none on d2', () =>
      hasAddress(lab, 'd1', VIP6) &&
      hasAddress(lab, 'd1', VIP4) &&
      hasAddress(lab, 'd1', VIPN) &&
      !hasAddress(lab, 'd2', VIP6) &&
      !hasAddress(lab, 'd2', VIP4) &&
      !hasAddress(lab, 'd2', VIPN)
        ? true
        : undefined,
    );
    await waitFor('the client to reach the IPv6 VIP', () => (reach('-6', VIP6) ? true : undefined), 10_000);
    await waitFor('the client to reach the IPv4 VIP', () => (reach('-4', VIP4) ? true : undefined), 10_000);
    await waitFor(
      'the client to reach the interface-less VIP',
      () => (reach('-4', VIPN) ? true : undefined),
      10_000,
    );
  });

  it('fails both over to d2 on SIGKILL; NA and GARP move the client caches', async () => {
    const [a1, a2] = agents;
    assert.ok(a1 && a2);
    await a1.kill();
    await waitFor('d2 to take over both instances', both(a2, 'MASTER'));
    const mac = lab.nodes['d2']?.mac ?? '?';
    await waitFor('the client neighbour entry of the IPv6 VIP to follow the NA', () =>
      neigh('-6', VIP6).includes(mac) ? true : undefined,
    );
    await waitFor('the client ARP entry of the IPv4 VIP to follow the GARP', () =>
      neigh('-4', VIP4).includes(mac) ? true : undefined,
    );
    // One ping with a 1 s deadline is itself a timing assumption on a loaded machine: retry it.
    await waitFor(
      'the client to reach the IPv6 VIP on d2',
      () => (reach('-6', VIP6) ? true : undefined),
      10_000,
    );
    await waitFor(
      'the client to reach the IPv4 VIP on d2',
      () => (reach('-4', VIP4) ? true : undefined),
      10_000,
    );
    await waitFor('the interface-less VIP to move to d2', () =>
      hasAddress(lab, 'd2', VIPN) && neigh('-4', VIPN).includes(mac) && reach('-4', VIPN) ? true : undefined,
    );
  });
});
