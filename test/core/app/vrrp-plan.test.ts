/** keepalived.conf -> what the VRRP service runs: engine specs, VIP entries, hooks, FIFOs, and errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planVrrp } from '../../../core/app/vrrp-plan.ts';
import { parseKeepalived } from '../../../core/config/index.ts';

function plan(text: string, primary = (_i: string, f: string) => (f === 'ipv4' ? `10.0.0.1` : 'fe80::1')) {
  const parsed = parseKeepalived(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  return planVrrp(parsed.config, (i, f) => (i === 'eth0' ? primary(i, f) : undefined));
}

const conf = `global_defs {
    vrrp_notify_fifo /run/vrrp.fifo
    vrrp_garp_master_delay 2
    vrrp_garp_master_repeat 3
}
vrrp_sync_group G1 {
    group {
        V4
        V6
    }
    notify "/g.sh arg"
}
vrrp_instance V4 {
    state MASTER
    interface eth0
    virtual_router_id 10
    priority 150
    advert_int 1
    nopreempt
    authentication {
        auth_type PASS
        auth_pass secret123
    }
    notify_master /m.sh
    notify "/n.sh x"
    virtual_ipaddress {
        10.0.0.100/24 brd + dev eth1 label eth1:vip
        10.0.0.101
    }
}
vrrp_instance V6 {
    interface eth0
    virtual_router_id 11
    advert_int 0.05
    unicast_src_ip fe80::2
    unicast_peer {
        fe80::3 min_ttl 250
    }
    virtual_ipaddress {
        fd00::100/128
        fd00::101/64 preferred_lft forever
    }
}
`;

describe('planVrrp', () => {
  it('maps instances to engine specs with keepalived defaults and the interface primary address', () => {
    const r = plan(conf);
    assert.ok(r.ok, JSON.stringify(r));
    const v4 = r.plan.instances.find((i) => i.spec.name === 'V4');
    const v6 = r.plan.instances.find((i) => i.spec.name === 'V6');
    assert.ok(v4 && v6);
    assert.equal(v4.spec.version, 2);
    assert.equal(v4.spec.family, 'ipv4');
    assert.equal(v4.spec.sourceIp, '10.0.0.1');
    assert.equal(v4.spec.advertIntervalMs, 1000);
    assert.equal(v4.spec.preempt, true, 'nopreempt is cleared by state MASTER, as keepalived does');
    assert.deepEqual(v4.spec.auth, { type: 'pass', password: 'secret12' });
    assert.equal(v4.spec.garp.masterDelayMs, 2000);
    assert.equal(v4.spec.garp.masterRepeat, 3);
    assert.equal(v4.group, '224.0.0.18');
    assert.equal(v6.spec.version, 3, 'IPv6 instances run VRRPv3');
    assert.equal(v6.spec.advertIntervalMs, 50);
    assert.equal(v6.spec.sourceIp, 'fe80::2');
    assert.deepEqual(v6.spec.unicastPeers, ['fe80::3']);
    assert.deepEqual(v6.spec.unicastTtl, { min: 250, max: 255 });
    assert.equal(v6.group, undefined, 'unicast instances join no group');
    assert.deepEqual(r.plan.syncGroups, [{ name: 'G1', members: ['V4', 'V6'] }]);
  });

  it('keeps how each VIP is configured: dev, label, brd +, IPv6 /128 deprecated unless preferred_lft', () => {
    const r = plan(conf);
    assert.ok(r.ok);
    const v4 = r.plan.instances.find((i) => i.spec.name === 'V4');
    const v6 = r.plan.instances.find((i) => i.spec.name === 'V6');
    assert.deepEqual(v4?.addresses['10.0.0.100'], {
      interfaceName: 'eth1',
      address: '10.0.0.100',
      prefixLength: 24,
      scope: 'global',
      label: 'eth1:vip',
      broadcast: '10.0.0.255',
    });
    assert.deepEqual(v4?.addresses['10.0.0.101'], {
      interfaceName: 'eth0',
      address: '10.0.0.101',
      prefixLength: 32,
      scope: 'global',
    });
    assert.equal(v6?.addresses['fd00::100']?.preferredLifetime, 0);
    assert.equal(v6?.addresses['fd00::101']?.preferredLifetime, undefined);
  });

  it('collects notify hooks with their arguments and the VRRP FIFO', () => {
    const r = plan(conf);
    assert.ok(r.ok);
    assert.deepEqual(r.plan.hooks['instance:V4'], { notify: ['/n.sh', 'x'], notifyMaster: ['/m.sh'] });
    assert.deepEqual(r.plan.hooks['group:G1'], { notify: ['/g.sh', 'arg'] });
    assert.deepEqual(r.plan.fifos, ['/run/vrrp.fifo']);
  });

  it('refuses what it cannot run, naming the instance', () => {
    const noSource = plan(
      'vrrp_instance X {\n interface eth9\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.5\n }\n}\n',
    );
    assert.ok(!noSource.ok);
    assert.match(
      noSource.errors.join('\n'),
      /vrrp_instance X: interface eth9 has no IPv4 address to send from/,
    );
  });

  it('plans a unicast instance without interface as keepalived: sent from unicast_src_ip, no link tracked', () => {
    const text = (src: string, peers = ' unicast_peer {\n  10.1.0.2\n }\n') =>
      `global_defs {\n default_interface eth0\n}\nvrrp_instance U {\n virtual_router_id 3\n unicast_src_ip ${src}\n${peers} virtual_ipaddress {\n  10.1.0.50/24\n  10.2.0.50/24 dev eth2\n }\n}\n`;
    const ownerOf = (a: string) => (a === '10.1.0.1' ? 'eth1' : undefined);
    const parsed = parseKeepalived(text('10.1.0.1'));
    assert.ok(parsed.ok);
    const r = planVrrp(parsed.config, () => undefined, [], ownerOf);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    const b = r.plan.instances[0];
    assert.equal(b?.interfaceName, 'eth1', 'adverts leave by the interface holding unicast_src_ip');
    assert.equal(b?.spec.sourceIp, '10.1.0.1');
    assert.deepEqual(b?.spec.unicastPeers, ['10.1.0.2']);
    assert.deepEqual(b?.spec.trackers, [], 'no interface is tracked: a link going down does not FAULT it');
    assert.equal(
      b?.addresses['10.1.0.50']?.interfaceName,
      'eth0',
      'a VIP without dev goes on default_interface',
    );
    assert.equal(b?.addresses['10.2.0.50']?.interfaceName, 'eth2');
    /** The refusal, from the config check (keepalived's own rule) or from the plan. */
    const refused = (t: string) => {
      const p = parseKeepalived(t);
      if (!p.ok) return p.diagnostics.map((d) => d.message).join('\n');
      const out = planVrrp(p.config, () => undefined, [], ownerOf);
      assert.ok(!out.ok);
      return out.errors.join('\n');
    };
    assert.match(
      refused(text('10.9.9.9')),
      /vrrp_instance U: unicast_src_ip 10\.9\.9\.9 is not an address of this host/,
    );
    assert.match(refused(text('10.1.0.1', '')), /interface/);
    const linkLocal =
      'vrrp_instance U6 {\n virtual_router_id 4\n unicast_src_ip fe80::1\n unicast_peer {\n  fe80::2\n }\n virtual_ipaddress {\n  fd00::50/64\n }\n}\n';
    assert.match(refused(linkLocal), /vrrp_instance U6: needs an interface/);
  });

  it('plans auth_type AH (VRRPv2) and timer_expired_backup with its default priority', () => {
    const r = plan(
      'vrrp_instance Y {\n interface eth0\n virtual_router_id 2\n nopreempt\n timer_expired_backup\n authentication {\n  auth_type AH\n  auth_pass x\n }\n virtual_ipaddress {\n  10.0.0.6\n }\n}\n',
    );
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    const spec = r.plan.instances[0]?.spec;
    assert.deepEqual(spec?.auth, { type: 'ah', password: 'x' });
    assert.equal(spec?.timerExpiredBackup, 254);
  });
});

describe('planVrrp trackers (shared core/vrrp mapping)', () => {
  const tracked = `vrrp_script chk_w {
    script "/bin/true"
    weight -20
}
track_file maint {
    file "/run/maint"
    weight -10
    init_file 3 overwrite
}
vrrp_track_process web {
    process nginx -g daemon
    param_match initial
    quorum 2
    quorum_max 4
    weight 15
    fork_delay 0.5
    terminate_delay 2
}
vrrp_sync_group G {
    group {
        A
    }
}
vrrp_instance A {
    interface eth0
    virtual_router_id 1
    track_script {
        chk_w
    }
    virtual_ipaddress {
        10.0.0.1
    }
}
vrrp_instance B {
    interface eth0
    virtual_router_id 2
    track_file {
        maint
    }
    track_process {
        web
    }
    virtual_ipaddress {
        10.0.0.2
    }
}
`;
  it('drops weighted trackers of sync-group members without sync_group_tracking_weight, as keepalived', () => {
    const r = plan(tracked);
    assert.ok(r.ok, JSON.stringify(r));
    const a = r.plan.instances.find((i) => i.spec.name === 'A');
    assert.deepEqual(
      a?.spec.trackers.map((t) => t.id),
      ['interface:eth0'],
    );
    assert.deepEqual(r.plan.scripts, {}, 'a dropped script is not run');
  });

  it('plans track_file and track_process for the agent to run, without a "not run" warning', () => {
    const r = plan(tracked);
    assert.ok(r.ok, JSON.stringify(r));
    const b = r.plan.instances.find((i) => i.spec.name === 'B');
    assert.deepEqual(
      b?.spec.trackers.map((t) => [t.id, t.weight]),
      [
        ['interface:eth0', 0],
        ['file:maint', -10],
        ['process:web', 15],
      ],
    );
    assert.deepEqual(r.plan.files, { maint: { path: '/run/maint', init: { value: 3, overwrite: true } } });
    assert.deepEqual(r.plan.processes, {
      web: {
        process: 'nginx',
        fullCommand: false,
        parameters: ['-g', 'daemon'],
        paramMatch: 'initial',
        quorum: 2,
        quorumMax: 4,
        forkDelayMs: 500,
        terminateDelayMs: 2000,
      },
    });
    assert.ok(!r.plan.warnings.some((w) => /not run/.test(w)), r.plan.warnings.join('\n'));
  });
});
