import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../../adapters/memory/index.ts';
import { type CheckerSpec, HealthEngine, checkerSpecErrors } from '../../../core/health/index.ts';
import { createPool } from '../../../core/lb/index.ts';
import { spec } from './harness.ts';

test('bad checker specs are refused with every problem named, and an engine reload changes nothing', () => {
  const bad: CheckerSpec[] = [
    spec({ kind: 'tcp' }, { delayLoopMs: 0, retry: -1 }),
    {
      ...spec({
        kind: 'http',
        urls: [{ path: 'x', statusRanges: [[300, 200]], digest: 'zz' }],
        protocol: '1.0',
        fastRecovery: false,
      }),
      id: 'h',
    },
    { ...spec({ kind: 'dns', type: 'PTR', name: '.' }), id: 'd' },
    {
      ...spec({
        kind: 'udp',
        payload: new Uint8Array(),
        requireReply: 'abc',
        minReplyLength: 5,
        maxReplyLength: 1,
      }),
      id: 'u',
    },
    { ...spec({ kind: 'misc', argv: [], timeoutMs: 0, dynamic: false }), id: 'm' },
  ];
  const errors = checkerSpecErrors(bad);
  for (const expected of [
    /checker 1 \(tcp-1\): delay_loop 0 ms must be at least 1 ms/,
    /checker 1 \(tcp-1\): retry -1 is not an integer/,
    /checker 2 \(h\) url 1: path "x" must start with \//,
    /checker 2 \(h\) url 1: status_code 300-200/,
    /checker 2 \(h\) url 1: digest "zz"/,
    /checker 3 \(d\): type "PTR"/,
    /checker 4 \(u\): require_reply "abc"/,
    /checker 4 \(u\): reply length 5\.\.1/,
    /checker 5 \(m\): misc_path is empty/,
    /checker 5 \(m\): misc_timeout 0 ms/,
  ]) {
    assert.ok(
      errors.some((e) => expected.test(e)),
      `missing ${expected}: ${errors.join(' | ')}`,
    );
  }
  assert.deepEqual(checkerSpecErrors([spec({ kind: 'tcp' })]), []);

  const engine = new HealthEngine({ random: seededRandom(1) });
  engine.upsert('rs', [spec({ kind: 'tcp' })], 0);
  const before = engine.view('rs');
  assert.throws(() => engine.upsert('rs', bad, 0), /delay_loop 0 ms/);
  assert.equal(engine.view('rs'), before);
});

test('createPool gives up with the bad fields instead of throwing', () => {
  const r = createPool({
    services: [],
    servers: [],
    quorum: 0,
    hysteresis: 0,
    omega: false,
    haSuspend: false,
  });
  assert.equal(r.kind, 'give-up');
  assert.match(r.kind === 'give-up' ? r.reason : '', /quorum: 0 .*services:/);
});
