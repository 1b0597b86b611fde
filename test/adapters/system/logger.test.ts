/**
 * The logger port over pino (adapters/system/logger.ts): level filtering, redaction and child bindings
 * as written to stderr by a real process; an unknown level is refused when the logger is made.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../../adapters/system/logger.ts';
import { cleanDir } from '../../infra/artifacts.ts';

test('an unknown log level is refused when the logger is made, naming the levels there are', () => {
  assert.throws(
    () => createLogger({ level: 'verbose' }),
    /log level 'verbose' \(FLOATIP_LOG_LEVEL\) is not one of trace, debug, info, warn, error, fatal, silent/,
  );
  assert.throws(() => createLogger({ level: 'constructor' }), /log level 'constructor'/);
});

test('messages below the level are dropped; secrets are redacted; a child carries its bindings', (t) => {
  const dir = cleanDir(t, 'logger');
  const script = join(dir, 'log.ts');
  writeFileSync(
    script,
    [
      `import { createLogger } from ${JSON.stringify(join(import.meta.dirname, '../../../adapters/system/logger.ts'))};`,
      "const log = createLogger({ name: 'fip-test', level: 'warn' });",
      "const child = log.child({ group: 'web' });",
      "log.info('hidden');",
      "child.debug('hidden too');",
      "log.warn('shown', { token: 't0ken', nested: { secret: 's3cret' }, ok: 1 });",
      "child.error('from the child');",
    ].join('\n'),
  );
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '', 'stdout stays free');
  const lines = r.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg, l.name]),
    [
      [40, 'shown', 'fip-test'],
      [50, 'from the child', 'fip-test'],
    ],
  );
  assert.equal(lines[0]?.token, '[redacted]');
  assert.deepEqual(lines[0]?.nested, { secret: '[redacted]' });
  assert.equal(lines[0]?.ok, 1);
  assert.equal(lines[1]?.group, 'web');
});
