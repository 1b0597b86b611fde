// @needs redis
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitReady } from '../../../adapters/redis/index.ts';
import { buildControlPlane, loadControlPlaneConfig } from '../../../functions/control-plane/index.ts';
import { quietLogger } from '../../e2e/control-plane/fixture.ts';
import { exampleControl, runDemo, runFloatip } from '../../helpers/floatip-process.ts';

test('floatip control-plane --demo on the example config shows a failover end to end', async (t) => {
  const lab = await exampleControl('demo');
  t.after(lab.remove);
  const r = await runDemo(lab.cfg);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\[failover\] web: \(nobody\) → web-1 \(epoch 1/);
  assert.match(r.out, /\[failover\] web: web-1 → web-2 \(epoch 2, 1 provider write, trigger alertmanager/);
});

test('a bad control-plane config is refused with the file and the field, exit code 5', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'floatip-bad-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'bad.yaml');
  await writeFile(
    cfg,
    'controlPlane:\n  groups:\n    - id: web\n      members: { a: { priority: 999 } }\n      resources: []\n',
  );
  const r = await runFloatip(['serve', '--config', cfg]);
  assert.equal(r.code, 5);
  assert.match(
    r.err,
    /bad\.yaml: controlPlane\.groups\[0\]\.members\.a\.priority: must be an integer from 1 to 254/,
  );
  assert.match(r.err, /controlPlane\.groups\[0\]\.resources: at least one resource is needed/);
});

test('floatip drain runs the queued jobs within its budget and exits', async (t) => {
  const lab = await exampleControl('drain');
  const cp = buildControlPlane(await loadControlPlaneConfig(lab.cfg), { logger: quietLogger });
  t.after(async () => {
    await cp.close();
    await lab.remove();
  });
  await waitReady(cp.apiRedis);
  const q = await cp.api.queue.enqueue({
    kind: 'failover',
    key: 'drain-1',
    group: 'web',
    to: 'web-2',
    action: 'switchover',
    reason: 'test',
    source: 'test',
  });
  assert.equal(q.kind, 'ok');
  const r = await runFloatip(['drain', '--config', lab.cfg, '--budget-ms', '20000']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), { completed: 1, failed: 0, delayed: 0, budgetExhausted: false });
  const s = await cp.api.state.get('web');
  assert.equal(s.kind === 'ok' && s.value?.holder, 'web-2');
});
