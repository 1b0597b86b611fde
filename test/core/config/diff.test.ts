// Reload diff: what changed between two resolved configurations, by stable keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffConfigs } from '../../../core/config/index.ts';
import { kp, mustLoad } from './helpers.ts';

const base = (prio: number, rsWeight: number, extraVs = '') => `
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  priority ${prio}
  virtual_ipaddress {
    10.0.0.1
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 2
  virtual_ipaddress {
    10.0.0.2
  }
}
virtual_server 10.0.0.1 80 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  real_server 10.0.1.1 80 {
    weight ${rsWeight}
  }
  real_server 10.0.1.2 80 {
  }
}
${extraVs}`;

test('an identical config is "same"; a re-parse of the same text too', () => {
  const a = mustLoad(kp(base(100, 1))).config;
  const b = mustLoad(kp(base(100, 1))).config;
  assert.equal(diffConfigs(a, b).same, true);
});

test('changed instance, changed real server weight, added virtual server are reported by key', () => {
  const a = mustLoad(kp(base(100, 1))).config;
  const b = mustLoad(
    kp(base(150, 5, 'virtual_server 10.0.0.9 443 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method DR\n}\n')),
  ).config;
  const d = diffConfigs(a, b);
  assert.equal(d.same, false);
  assert.deepEqual(d.vrrpInstances, { added: [], removed: [], changed: ['VI_1'], unchanged: ['VI_2'] });
  assert.deepEqual(d.virtualServers.added, ['TCP 10.0.0.9:443']);
  assert.deepEqual(d.virtualServers.changed, ['TCP 10.0.0.1:80']);
  assert.deepEqual(d.virtualServers.realServers['TCP 10.0.0.1:80'], {
    added: [],
    removed: [],
    changed: ['10.0.1.1:80'],
    unchanged: ['10.0.1.2:80'],
  });
  assert.equal(d.globalDefsChanged, false);
  const back = diffConfigs(b, a);
  assert.deepEqual(back.virtualServers.removed, ['TCP 10.0.0.9:443']);
});
