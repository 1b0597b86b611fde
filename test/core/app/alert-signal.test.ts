import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveAlert, type AlertSignal } from '../../../core/app/alert-signal.ts';
import { parseControlPlaneConfig } from '../../../core/config/control-plane.ts';

const parsed = parseControlPlaneConfig({
  alerts: [
    {
      match: { alertname: 'NodeDown' },
      group: 'web',
      memberLabel: 'instance',
      memberMap: { 'h-a:9100': 'a' },
    },
    { match: { alertname: 'GroupDown' }, groupLabel: 'floatip_group' },
  ],
  groups: [
    {
      id: 'web',
      members: { a: {}, b: {} },
      resources: [{ id: 'vip', provider: 'memory', kind: 'address' }],
    },
  ],
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const config = parsed.config;
const alert = (labels: Record<string, string>): AlertSignal => ({
  source: 'alertmanager',
  incident: 'i-1',
  status: 'firing',
  labels,
  summary: 's',
  path: 'alerts[0]',
});

test('memberMap is looked up by own keys only: Object.prototype names are members like any other', () => {
  assert.deepEqual(resolveAlert(config, alert({ alertname: 'NodeDown', instance: 'h-a:9100' })), {
    group: 'web',
    member: 'a',
  });
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const r = resolveAlert(config, alert({ alertname: 'NodeDown', instance: name }));
    assert.deepEqual(r, {
      error: `alerts[0].labels.instance: group 'web' has no member '${name}'`,
    });
  }
});

test('labels are own properties: an alert without the group label is not given one by the prototype', () => {
  // JSON.parse makes `__proto__` an own key; labels the alert does not carry are missing, whatever their name.
  const labels = JSON.parse('{"alertname":"GroupDown"}') as Record<string, string>;
  assert.deepEqual(resolveAlert(config, alert(labels)), {
    error: 'alerts[0].labels.floatip_group: missing (names the group)',
  });
  const own = JSON.parse('{"alertname":"GroupDown","floatip_group":"web"}') as Record<string, string>;
  assert.deepEqual(resolveAlert(config, alert(own)), { group: 'web', member: null });
});
