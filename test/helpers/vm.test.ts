import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineFault } from './vm.ts';

// The text Node 24 printed when it aborted in the VM guest (CI, exit 133), trimmed of its stack.
const ABORT = `ok scenario schedulers
#
# Fatal error in , line 0
# Check failed: it->second.Size() > offset.
#
#
#
#FailureMessage Object: 0x7ffd4c5a1b40
----- Native stack trace -----
`;

test('a V8 fatal CHECK in the guest output is an engine fault; a failing script is not', () => {
  assert.equal(engineFault(ABORT), '# Fatal error in , line 0\n# Check failed: it->second.Size() > offset.');
  assert.equal(engineFault('not ok scenario schedulers\nError: Check failed: no ip_vs\n'), null);
  assert.equal(engineFault('# Fatal error in , line 0\nthe script went on\n'), null);
});
