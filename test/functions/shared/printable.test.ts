import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printable } from '../../../functions/shared/printable.ts';

test('printable escapes every control character, keeps ordinary text and non-Latin letters', () => {
  assert.equal(printable('web-1 → web-2 (épée, 東京)'), 'web-1 → web-2 (épée, 東京)');
  assert.equal(printable('a\nb\r\tc'), 'a\\nb\\r\\tc');
  assert.equal(printable('\x1b[31mred\x1b[0m'), '\\x1b[31mred\\x1b[0m');
  assert.equal(printable('\x00\x07\x7f\u0085\u009b'), '\\x00\\x07\\x7f\\x85\\x9b');
  assert.equal(printable('x\u2028y\u202ez\u2066'), 'x\\u2028y\\u202ez\\u2066');
  // A backslash in the input is doubled: an escape in the output always came from printable itself.
  assert.equal(printable('\\n'), '\\\\n');
  for (let c = 0; c < 0x20; c++) assert.ok(!/[\p{Cc}]/u.test(printable(String.fromCharCode(c))), `char ${c}`);
});
