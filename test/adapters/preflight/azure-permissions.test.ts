/** Azure's permissions API answer, evaluated as RBAC does: actions minus notActions, per entry, wildcards. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allows } from '../../../adapters/azure/preflight.ts';

test('an action is allowed by an entry that lists it and does not exclude it', () => {
  const write = 'Microsoft.Network/routeTables/routes/write';
  assert.equal(allows([{ actions: ['*'] }], write), true);
  assert.equal(allows([{ actions: ['Microsoft.Network/*'] }], write), true);
  assert.equal(allows([{ actions: ['microsoft.network/routetables/*'] }], write), true, 'case-insensitive');
  assert.equal(allows([{ actions: ['Microsoft.Network/*/read'] }], write), false);
  assert.equal(allows([{ actions: ['*'], notActions: ['Microsoft.Network/routeTables/*'] }], write), false);
  // A notAction removes only from its own entry: another role assignment can still grant it.
  assert.equal(
    allows([{ actions: ['*'], notActions: ['Microsoft.Network/*'] }, { actions: [write] }], write),
    true,
  );
  assert.equal(allows([], write), false);
  // Dots are literal: a pattern is not a regular expression.
  assert.equal(allows([{ actions: ['Microsoft.Network/routeTables/routes/writ.'] }], write), false);
});
