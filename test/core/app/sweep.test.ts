// @needs redis
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findGroup, runFailover, runSweep } from '../../../core/app/index.ts';
import { drain } from '../../../functions/worker/index.ts';
import { controlFixture } from '../../e2e/control-plane/fixture.ts';

test('sweep: drift is reconciled to the recorded holder; a down holder fails over; one job per finding', async (t) => {
  const { cp, provider } = await controlFixture(t);
  // Record web on a and db on p (a committed failover each).
  for (const [group, to] of [
    ['web', 'a'],
    ['db', 'p'],
  ] as const) {
    const g = findGroup(cp.config, group);
    assert.ok(g);
    const r = await runFailover(cp.worker, {
      group: g,
      job: {
        kind: 'failover',
        key: `init-${group}`,
        group,
        to,
        action: 'switchover',
        reason: 'init',
        source: 'test',
      },
    });
    assert.equal(r.kind, 'ok');
  }
  provider.set('web-vip', 'c'); // someone moved web behind our back
  await cp.api.state.setHealth('db', 'p', 'down', 0); // p reported down
  const findings = await runSweep(cp.worker);
  assert.equal(findings.kind, 'ok');
  const byGroup = Object.fromEntries(
    (findings.kind === 'ok' ? findings.value : []).map((f) => [f.group, f.verdict]),
  );
  assert.deepEqual(byGroup, { web: 'drift', db: 'holder-down' });
  const again = await runSweep(cp.worker);
  assert.ok(
    again.kind === 'ok' && again.value.every((f) => f.job?.duplicate === true),
    'same findings, no new jobs',
  );
  const report = await drain(cp, 30_000);
  assert.equal(report.completed, 2);
  const web = await cp.api.state.get('web');
  const db = await cp.api.state.get('db');
  assert.equal(web.kind === 'ok' && web.value?.holder, 'a', 'reconciled back');
  assert.equal(db.kind === 'ok' && db.value?.holder, 'q', 'failed over away from down p');
  const audit = await cp.api.audit.list({ limit: 10 });
  // Newest first; the drain runs jobs in the order the sweep queued them (web, then db).
  assert.deepEqual(
    (audit.kind === 'ok' ? audit.value : []).map((e) => [e.group, e.action, e.to]),
    [
      ['db', 'failover', 'q'],
      ['web', 'reconcile', 'a'],
      ['db', 'switchover', 'p'],
      ['web', 'switchover', 'a'],
    ],
  );
  const final = await runSweep(cp.worker);
  assert.ok(final.kind === 'ok' && final.value.every((f) => f.verdict === 'ok'));
});
