import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeJob } from '../../../functions/control-plane/describe.ts';

test('a failover line stays one line whatever the alert said (no forged lines, no ANSI)', () => {
  const forged = 'disk full\n[failover] web: web-2 → evil (epoch 99)\x1b[2J\x1b[31m';
  const line = describeJob(
    { kind: 'failover', key: 'k', group: 'web', action: 'failover', reason: forged, source: 'alertmanager' },
    {
      kind: 'ok',
      value: {
        group: 'web',
        action: 'failover',
        from: 'web-1',
        to: 'web-2',
        epoch: 2,
        changed: true,
        dryRun: false,
        calls: [],
        before: [],
        after: [],
      },
    },
  );
  assert.ok(line);
  assert.equal(line.split('\n').length, 1, line);
  assert.ok(!line.includes('\x1b'), 'no ESC reaches the terminal');
  assert.match(
    line,
    /^\[failover\] web: web-1 → web-2 \(epoch 2, .*disk full\\n\[failover\] web: web-2 → evil/,
  );
  const failed = describeJob(
    { kind: 'failover', key: 'k', group: 'web', action: 'failover', reason: 'r', source: 'hook' },
    { kind: 'give-up', reason: 'bad\r\nline' },
  );
  assert.equal(failed, '[failover] web: give-up: bad\\r\\nline');
});
