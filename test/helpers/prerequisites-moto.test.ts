/** The `moto` need: known to the runner, checked on this machine, and named with how to get it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeMissing, howToEnable, knownNeeds, missingNeeds, parseNeeds } from './prerequisites.ts';

test('moto is a known need; a missing moto is named with how to install it', async () => {
  assert.ok(knownNeeds.includes('moto'));
  assert.deepEqual(parseNeeds('// @needs moto\n'), { needs: ['moto'], unknown: [] });
  assert.equal(describeMissing(['moto']), 'needs python moto (moto_server on PATH)');
  assert.match(howToEnable(['moto']).join('\n'), /pip install 'moto\[server\]'/);
  const saved = process.env.FLOATIP_TEST_PRETEND_MISSING;
  process.env.FLOATIP_TEST_PRETEND_MISSING = 'moto';
  try {
    assert.deepEqual(await missingNeeds(['moto']), ['moto']);
  } finally {
    if (saved === undefined) delete process.env.FLOATIP_TEST_PRETEND_MISSING;
    else process.env.FLOATIP_TEST_PRETEND_MISSING = saved;
  }
});
