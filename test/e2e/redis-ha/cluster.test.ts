/**
 * The control-plane acceptance suite on a three-primary Redis Cluster (`redis-server --cluster-enabled`,
 * joined by `redis-cli --cluster create`): the suite's files run in a child `node --test` with
 * FLOATIP_TEST_REDIS_CLUSTER set, so their control planes connect with `redis: {cluster: [...]}` and every
 * key, BullMQ's included, lives under the `{prefix}` hash tag. A cross-slot script or MULTI fails there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { clusterLab, lifo, missingRedisTools } from './servers.ts';

const root = join(import.meta.dirname, '..', '..', '..');
/** The control-plane acceptance files that take their Redis from the shared fixture. */
export const acceptanceSuite = [
  'test/e2e/control-plane/duplicates.test.ts',
  'test/e2e/control-plane/alertmanager.test.ts',
  'test/e2e/control-plane/aws-emulator.test.ts',
  'test/e2e/control-plane/azure-emulator.test.ts',
  'test/adapters/http/api.test.ts',
  'test/adapters/http/webhooks.test.ts',
  'test/functions/aws-lambda/handlers.test.ts',
  // The built Lambda artifact, whose ioredis Cluster loads from a file of its own on first use.
  'test/functions/aws-lambda/artifact.test.ts',
  'test/functions/azure-functions/handlers.test.ts',
  'test/functions/gcp-functions/handlers.test.ts',
];

const missing = missingRedisTools();

test(
  'Redis Cluster (3 primaries): the control-plane acceptance suite passes',
  { skip: missing && process.env.CI !== 'true' ? `needs ${missing}` : false },
  async (t) => {
    const nodes = await clusterLab(lifo(t));
    // Without NODE_TEST_CONTEXT the child is a test run of its own (with it, it would report to this one).
    const { NODE_TEST_CONTEXT: _parent, ...env } = process.env;
    const run = spawnSync(
      process.execPath,
      ['--test', '--test-concurrency=1', '--test-reporter=tap', ...acceptanceSuite],
      {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...env,
          FLOATIP_TEST_REDIS_CLUSTER: nodes.map((n) => `${n.host}:${n.port}`).join(','),
        },
        timeout: 240_000,
      },
    );
    const summary = run.stdout.split('\n').filter((l) => /^# (tests|pass|fail|skipped) /.test(l));
    process.stdout.write(`# cluster suite: ${summary.map((l) => l.slice(2)).join(', ')}\n`);
    const failed = run.stdout.split('\n').filter((l) => /^\s*not ok /.test(l));
    assert.equal(run.status, 0, `${failed.join('\n')}\n${run.stdout.slice(-4000)}${run.stderr.slice(-2000)}`);
    assert.ok(
      summary.some((l) => /^# pass [1-9]/.test(l)),
      `the suite ran no tests: ${run.stdout.slice(0, 2000)} ${run.stderr.slice(0, 2000)} ${String(run.error)}`,
    );
  },
);
