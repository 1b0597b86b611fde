// @needs redis-server
/**
 * The small seeded fault-injection run inside `npm test` (the large one is `npm run chaos`). It prints the
 * counts of what happened and fails on any violation the history checker finds (checker.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runChaos } from './run.ts';

test('seeded fault injection: Redis kills, worker kills, expiring locks, duplicate and late webhooks; the history holds', async () => {
  const r = await runChaos({ seed: 7, durationMs: 15_000, log: (l) => console.log(`# ${l}`) });
  console.log(`# chaos seed ${r.seed}: ${JSON.stringify(r.counts)}`);
  assert.deepEqual(r.violations, []);
  assert.ok((r.counts['accepted'] ?? 0) > 20, 'enough accepted requests to mean something');
  assert.ok(
    (r.counts['fault-redis-kill'] ?? 0) + (r.counts['fault-worker-sigkill'] ?? 0) > 0,
    'faults happened',
  );
});
