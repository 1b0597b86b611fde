// A tracked virtual route or rule deleted under a master (keepalived set_vrrp_backup): BACKUP at once, the
// master-down timer at Skew_Time so it re-takes MASTER soon; other states ignore it; routes go before VIPs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter, stepRouter, timerId, type RouterState } from '../../../../core/vrrp/index.ts';
import { spec } from '../fsm/helpers.ts';

function master(): RouterState {
  const r = createRouter({ instances: [spec({ name: 'A', vrid: 1, priority: 100 })] });
  assert.ok(r.ok);
  const started = stepRouter(r.state, { kind: 'start' }, 0).state;
  const fired = stepRouter(started, { kind: 'timer', id: timerId('A', 'master-down') }, 4000);
  assert.equal(fired.state.instances['A']?.state, 'MASTER');
  return fired.state;
}

test('a master that lost a virtual route goes BACKUP with master-down = skew, then MASTER again', () => {
  const lost = stepRouter(master(), { kind: 'lost-virtual', instance: 'A', what: 'route 10.1.0.0/16' }, 5000);
  assert.equal(lost.state.instances['A']?.state, 'BACKUP');
  const kinds = lost.effects.map((e) => e.kind);
  assert.ok(kinds.includes('remove-vips'));
  const arm = lost.effects.find((e) => e.kind === 'arm-timer' && e.id === timerId('A', 'master-down'));
  // v2, priority 100: Skew_Time = (256 - 100) / 256 s.
  assert.deepEqual(arm && 'atMs' in arm ? arm.atMs : undefined, 5000 + (156 * 1000) / 256);
  const notify = lost.effects.find((e) => e.kind === 'notify');
  assert.ok(notify && notify.kind === 'notify' && notify.what === 'BACKUP');
  const again = stepRouter(lost.state, { kind: 'timer', id: timerId('A', 'master-down') }, 5610);
  assert.equal(again.state.instances['A']?.state, 'MASTER');
  assert.ok(again.effects.some((e) => e.kind === 'add-vips'));
});

test('outside MASTER (or for an unknown instance) the event changes nothing', () => {
  const r = createRouter({ instances: [spec({ name: 'A', vrid: 1 })] });
  assert.ok(r.ok);
  const backup = stepRouter(r.state, { kind: 'start' }, 0).state;
  const same = stepRouter(backup, { kind: 'lost-virtual', instance: 'A', what: 'rule 100:' }, 10);
  assert.equal(same.state.instances['A']?.state, 'BACKUP');
  assert.deepEqual(same.effects, []);
  assert.deepEqual(stepRouter(backup, { kind: 'lost-virtual', instance: 'Z', what: 'x' }, 10).effects, []);
});
