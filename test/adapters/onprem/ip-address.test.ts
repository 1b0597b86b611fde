import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIp, writeIpv4 } from '../../../adapters/onprem/net/ip-address.ts';

/** parseIp's IPv4 answer for `text`, or null where it reads no IPv4 address. */
function parsedV4(text: string): number[] | null {
  try {
    const b = parseIp(text);
    return b.length === 4 ? [...b] : null;
  } catch {
    return null;
  }
}

function written(text: string): number[] | null {
  const out = new Uint8Array(6);
  return writeIpv4(text, out, 1) ? [...out.subarray(1, 5)] : null;
}

test('writeIpv4 reads what parseIp reads as IPv4, and refuses what it refuses', () => {
  for (const text of [
    '10.99.0.201',
    '0.0.0.0',
    '255.255.255.255',
    '001.02.3.004',
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '1..2.3',
    '.1.2.3',
    '1.2.3.',
    '1.2.3.4 ',
    '1234.1.1.1',
    '::1',
    '::ffff:1.2.3.4',
    '',
    '１.2.3.4', // a full-width digit: not ASCII
  ])
    assert.deepEqual(written(text), parsedV4(text), text);
  const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.stringMatching(/^[0-9]{0,4}$/));
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(octet, { minLength: 3, maxLength: 5 }).map((p) => p.join('.')),
        fc.string({ unit: fc.constantFrom('1', '2', '5', '0', '.', ':', 'a', ' ') }),
      ),
      (text) => assert.deepEqual(written(text), parsedV4(text), text),
    ),
  );
});

test('writeIpv4 writes only its four bytes', () => {
  const out = new Uint8Array([9, 9, 9, 9, 9, 9]);
  assert.equal(writeIpv4('1.2.3.4', out, 1), true);
  assert.deepEqual([...out], [9, 1, 2, 3, 4, 9]);
});
