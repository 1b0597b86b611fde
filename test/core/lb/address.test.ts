import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalAddr, formatIpv4, parseIpv4 } from '../../../core/model/lb-address.ts';

/** canonicalAddr for inet by definition: parsed into bytes and written back. */
const byBytes = (text: string): string | null => {
  const b = parseIpv4(text);
  return b ? formatIpv4(b) : null;
};

test('canonicalAddr(inet) answers what parsing into bytes and writing back answers, whatever the text', () => {
  for (const text of [
    '10.0.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '010.0.0.1',
    '1.2.3.04',
    '00.1.2.3',
    '256.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '1..2.3',
    '',
    ' 1.2.3.4',
    '1.2.3.4x',
  ])
    assert.equal(canonicalAddr('inet', text), byBytes(text), text);
  const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.stringMatching(/^[0-9]{0,4}$/));
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(octet, { minLength: 3, maxLength: 5 }).map((p) => p.join('.')),
        fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', 'a', ':') }),
      ),
      (text) => assert.equal(canonicalAddr('inet', text), byBytes(text), text),
    ),
  );
});

test('canonical IPv4 text is answered unchanged, other text canonicalised', () => {
  const text = ['10', '99', '0', '201'].join('.');
  assert.equal(canonicalAddr('inet', text), text);
  assert.equal(canonicalAddr('inet', '10.099.0.201'), '10.99.0.201');
  assert.equal(canonicalAddr('inet6', 'FD00:0::1'), 'fd00::1');
});
