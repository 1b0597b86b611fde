// @needs iputils-ping
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pingArgs, pingProbe } from '../../../adapters/probes/index.ts';

test('PING_CHECK gets an echo reply from loopback through iputils ping', async () => {
  const which = spawnSync('ping', ['-V']);
  assert.equal(which.error, undefined, 'iputils ping is required (Debian package iputils-ping)');
  const r = await pingProbe({ kind: 'ping', host: '127.0.0.1', timeoutMs: 2_000 });
  assert.equal(r.ok, true, r.detail);
});

test('PING_CHECK reports a missing ping binary as a failure, and builds iputils arguments', async () => {
  const r = await pingProbe({ kind: 'ping', host: '127.0.0.1', timeoutMs: 1_000 }, '/nonexistent/ping');
  assert.equal(r.ok, false);
  assert.match(r.detail, /ENOENT/);
  assert.deepEqual(pingArgs({ kind: 'ping', host: '::1', timeoutMs: 2_500, bindTo: '::1' }), [
    '-6',
    '-n',
    '-q',
    '-c',
    '1',
    '-W',
    '3',
    '-I',
    '::1',
    '--',
    '::1',
  ]);
});
