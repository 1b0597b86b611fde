/** BFD control codec: round trips over every field, a golden vector, and each rfc5880 §6.8.6 reject. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  BFD_HEADER_LENGTH,
  bfdStates,
  decodeBfdControl,
  encodeBfdControl,
  type BfdControl,
} from '../../../core/bfd/index.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** Packets decode accepts: non-zero My Discr and Detect Mult, no M/A, not both P and F. */
const validPacket: fc.Arbitrary<BfdControl> = fc
  .record({
    diag: fc.integer({ min: 0, max: 31 }),
    state: fc.constantFrom(...bfdStates),
    pf: fc.constantFrom('none', 'poll', 'final'),
    cpi: fc.boolean(),
    demand: fc.boolean(),
    detectMult: fc.integer({ min: 1, max: 255 }),
    myDiscr: fc.integer({ min: 1, max: 0xffffffff }),
    yourDiscr: u32,
    desiredMinTxUs: u32,
    requiredMinRxUs: u32,
    requiredMinEchoRxUs: u32,
  })
  .map(({ pf, ...r }) => ({
    ...r,
    yourDiscr: r.state === 'Down' || r.state === 'AdminDown' ? r.yourDiscr : r.yourDiscr || 1,
    poll: pf === 'poll',
    final: pf === 'final',
    auth: false,
    multipoint: false,
  }));

const base: BfdControl = {
  diag: 0,
  state: 'Down',
  poll: false,
  final: false,
  cpi: false,
  auth: false,
  demand: false,
  multipoint: false,
  detectMult: 5,
  myDiscr: 0x01020304,
  yourDiscr: 0,
  desiredMinTxUs: 1_000_000,
  requiredMinRxUs: 10_000,
  requiredMinEchoRxUs: 0,
};

describe('BFD control codec', () => {
  it('round-trips every valid packet', () => {
    fc.assert(
      fc.property(validPacket, (p) => {
        const bytes = encodeBfdControl(p);
        assert.equal(bytes.length, BFD_HEADER_LENGTH);
        assert.deepEqual(decodeBfdControl(bytes), { ok: true, packet: p });
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const r = decodeBfdControl(b);
        if (r.ok)
          assert.deepEqual(
            encodeBfdControl(r.packet),
            b.slice(0, 24).map((x, i) => (i === 3 ? 24 : x)),
          );
      }),
      { numRuns: 5000 },
    );
  });

  it('encodes the rfc5880 §4.1 layout (golden vector)', () => {
    const p = { ...base, state: 'Up' as const, diag: 3, poll: true, yourDiscr: 0xa0b0c0d0 };
    assert.equal(
      Buffer.from(encodeBfdControl(p)).toString('hex'),
      '23' + 'e0' + '05' + '18' + '01020304' + 'a0b0c0d0' + '000f4240' + '00002710' + '00000000',
    );
  });

  it('accepts a Length shorter than the datagram (trailing bytes ignored)', () => {
    const b = new Uint8Array(30);
    b.set(encodeBfdControl(base));
    assert.equal(decodeBfdControl(b).ok, true);
  });

  const rejects: [string, (b: Uint8Array) => Uint8Array, string][] = [
    ['too-short', (b) => b.slice(0, 23), 'too-short'],
    ['version 0', (b) => ((b[0] = (b[0]! & 0x1f) | (0 << 5)), b), 'bad-version'],
    ['version 2', (b) => ((b[0] = (b[0]! & 0x1f) | (2 << 5)), b), 'bad-version'],
    ['Length < 24', (b) => ((b[3] = 20), b), 'bad-length'],
    ['Length > datagram', (b) => ((b[3] = 40), b), 'bad-length'],
    ['A set with Length 24', (b) => ((b[1] = b[1]! | 0x04), b), 'bad-length'],
    ['Detect Mult 0', (b) => ((b[2] = 0), b), 'zero-detect-mult'],
    ['M set', (b) => ((b[1] = b[1]! | 0x01), b), 'multipoint'],
    ['My Discr 0', (b) => (b.fill(0, 4, 8), b), 'zero-my-discr'],
    ['Your Discr 0 in Up', (b) => ((b[1] = (3 << 6) | (b[1]! & 0x3f)), b), 'zero-your-discr-not-down'],
    ['Your Discr 0 in Init', (b) => ((b[1] = (2 << 6) | (b[1]! & 0x3f)), b), 'zero-your-discr-not-down'],
    ['P and F', (b) => ((b[1] = b[1]! | 0x30), b), 'poll-and-final'],
  ];
  for (const [what, mutate, reason] of rejects)
    it(`rejects ${what} as ${reason}`, () => {
      const r = decodeBfdControl(mutate(encodeBfdControl(base)));
      assert.deepEqual(r, { ok: false, reason });
    });

  it('rejects the A bit when no authentication is in use', () => {
    const b = new Uint8Array(28);
    b.set(encodeBfdControl(base));
    b[1] = b[1]! | 0x04;
    b[3] = 28;
    assert.deepEqual(decodeBfdControl(b), { ok: false, reason: 'auth-not-in-use' });
  });

  it('takes Your Discr 0 in Down and AdminDown', () => {
    assert.equal(decodeBfdControl(encodeBfdControl({ ...base, state: 'AdminDown' })).ok, true);
    assert.equal(decodeBfdControl(encodeBfdControl(base)).ok, true);
  });
});
