// @needs redis
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startLeaseElection } from '../../../functions/control-plane/index.ts';
import { controlFixture, eventually } from '../../e2e/control-plane/fixture.ts';

test('a lease election on the control plane feeds advert lateness into its Prometheus histogram', async (t) => {
  const { cp, defer } = await controlFixture(t);
  const base = { scope: 'edge', intervalMs: 50, vips: ['192.0.2.20'] };
  const master = await startLeaseElection(cp, { ...base, node: 'm', address: '10.0.0.9', priority: 200 });
  defer(() => master.stop());
  const backup = await startLeaseElection(cp, { ...base, node: 'b', address: '10.0.0.8', priority: 100 });
  defer(() => backup.stop());
  await eventually(
    async () => (master.role === 'MASTER' && backup.role === 'BACKUP' ? true : undefined),
    'election',
  );
  const count = async () => {
    const text = await cp.metrics.registry.metrics();
    return Number(/floatip_advert_lateness_seconds_count\{scope="edge"\} (\d+)/.exec(text)?.[1] ?? '0');
  };
  await eventually(
    async () => ((await count()) >= 3 ? true : undefined),
    'the backup to time the master adverts',
  );
  const text = await cp.metrics.registry.metrics();
  assert.match(text, /floatip_advert_lateness_seconds_bucket\{le="\+Inf",scope="edge"\} \d+/);
});
