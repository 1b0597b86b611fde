// keepalived.conf trackers, parsed by core/config, mapped to the engine's TrackerSpec list with keepalived's
// defaulting and removal rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeepalived, type Config } from '../../../../core/config/index.ts';
import { parseTrackerId, trackersForInstance } from '../../../../core/vrrp/index.ts';

function load(text: string): Config {
  const r = parseKeepalived(text);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.diagnostics));
  return r.config;
}

const conf = `
vrrp_script chk_web {
    script "/bin/true"
    weight -30
}
vrrp_script chk_db {
    script "/bin/true"
    init_fail
}
track_file maint {
    file "/run/maint"
}
vrrp_track_process nginx {
    process nginx
    weight 10
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    virtual_ipaddress {
        10.0.0.100
    }
    track_interface {
        eth1 weight 20
        eth2
    }
    track_script {
        chk_web
        chk_db
    }
    track_file {
        maint weight -5 reverse
    }
    track_process {
        nginx
    }
}
vrrp_instance OWNER {
    interface eth0
    virtual_router_id 52
    priority 255
    virtual_ipaddress {
        10.0.0.200
    }
    track_script {
        chk_web
        chk_db
    }
}
`;

test('instance trackers: primary interface, defaults from the tracker blocks, overrides from the reference', () => {
  const m = trackersForInstance(load(conf), 'VI_1');
  assert.deepEqual(m.errors, []);
  assert.deepEqual(m.trackers, [
    { id: 'interface:eth0', kind: 'interface', weight: 0 },
    { id: 'interface:eth1', kind: 'interface', weight: 20, reverse: false },
    { id: 'interface:eth2', kind: 'interface', weight: 0, reverse: false },
    { id: 'script:chk_web', kind: 'script', weight: -30, reverse: false },
    { id: 'script:chk_db', kind: 'script', weight: 0, reverse: false, initFail: true },
    { id: 'file:maint', kind: 'file', weight: -5, reverse: true },
    { id: 'process:nginx', kind: 'process', weight: 10, reverse: false },
  ]);
  assert.deepEqual(parseTrackerId('script:chk_web'), { kind: 'script', name: 'chk_web' });
  assert.equal(parseTrackerId('nope'), undefined);
});

test('an owner keeps unweighted trackers only, with a warning for each weighted one', () => {
  const config = load(conf);
  const m0 = trackersForInstance(config, 'OWNER');
  assert.deepEqual(
    m0.trackers.map((t) => t.id),
    ['interface:eth0', 'script:chk_db'],
    'core/config already drops them',
  );
  // a model built another way (native YAML, API) gets the same rule here
  const owner = config.vrrpInstances.OWNER;
  assert.ok(owner);
  owner.trackScript = [{ name: 'chk_web', reverse: false }, ...owner.trackScript];
  const m = trackersForInstance(config, 'OWNER');
  assert.deepEqual(
    m.trackers.map((t) => t.id),
    ['interface:eth0', 'script:chk_db'],
  );
  assert.deepEqual(m.warnings, [
    'vrrp_instance OWNER: weighted script:chk_web is ignored for an address owner (priority 255)',
  ]);
});

test('sync groups add their trackers to members and drop weighted ones unless sync_group_tracking_weight', () => {
  const grouped = (flag: string) => `
vrrp_script chk_web {
    script "/bin/true"
    weight -30
}
vrrp_sync_group G {
    group {
        A
        B
    }
    track_interface {
        eth9
    }
    ${flag}
}
vrrp_instance A {
    interface eth0
    virtual_router_id 1
    virtual_ipaddress {
        10.0.0.1
    }
    track_script {
        chk_web
    }
}
vrrp_instance B {
    interface eth0
    virtual_router_id 2
    virtual_ipaddress {
        10.0.0.2
    }
}
`;
  const config = load(grouped(''));
  assert.deepEqual(
    trackersForInstance(config, 'A').trackers.map((t) => t.id),
    ['interface:eth0', 'interface:eth9'],
  );
  const a = config.vrrpInstances.A;
  assert.ok(a);
  a.trackScript = [{ name: 'chk_web', reverse: false }];
  const off = trackersForInstance(config, 'A');
  assert.deepEqual(
    off.trackers.map((t) => t.id),
    ['interface:eth0', 'interface:eth9'],
  );
  assert.match(off.warnings[0] ?? '', /weighted script:chk_web is ignored in sync group G/);
  const on = trackersForInstance(load(grouped('sync_group_tracking_weight')), 'A');
  assert.deepEqual(
    on.trackers.map((t) => t.id),
    ['interface:eth0', 'script:chk_web', 'interface:eth9'],
  );
  assert.deepEqual(
    trackersForInstance(load(grouped('')), 'B').trackers.map((t) => t.id),
    ['interface:eth0', 'interface:eth9'],
  );
});

test('a track_interface entry for the instance interface replaces the implicit unweighted one', () => {
  const config = load(`
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    track_interface {
        eth0 weight -60
    }
    virtual_ipaddress {
        10.0.0.1
    }
}
`);
  const m = trackersForInstance(config, 'VI_1');
  assert.deepEqual(m.trackers, [{ id: 'interface:eth0', kind: 'interface', weight: -60, reverse: false }]);
  assert.deepEqual(m.warnings, []);
});
