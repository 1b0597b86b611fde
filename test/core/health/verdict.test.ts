import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BOOTSTRAP_DELAY_MS,
  defaultTiming,
  initialCheckerState,
  stepChecker,
} from '../../../core/health/index.ts';
import { drive, fail, pass, spec } from './harness.ts';

const tcp = { kind: 'tcp' } as const;
const ups = (v: Array<{ up: boolean; changed: boolean }>) => v.filter((x) => x.changed).map((x) => x.up);

test('first check waits 1 s plus warmup × injected random value', () => {
  const s = spec(tcp, { warmupMs: 8_000 });
  const r = drive(s, [pass()], { warmupFraction: 0.25 });
  assert.equal(r.attempts[0]?.at, BOOTSTRAP_DELAY_MS + 2_000);
  const none = drive(spec(tcp, { warmupMs: 0 }), [pass()], { warmupFraction: 0.9 });
  assert.equal(none.attempts[0]?.at, BOOTSTRAP_DELAY_MS);
});

test('without alpha the first failure takes the checker down at once', () => {
  const r = drive(spec(tcp, { retry: 3 }), [fail()]);
  assert.deepEqual(r.verdicts, [{ at: 1_000, up: false, changed: true }]);
  assert.equal(r.state.up, false);
});

test('after a success, DOWN needs retry+1 consecutive failures spaced delay_before_retry', () => {
  const s = spec(tcp, { retry: 2, delayBeforeRetryMs: 1_500, delayLoopMs: 10_000 });
  const r = drive(s, [pass(), fail(), fail(), fail(), fail()], { probeMs: 100 });
  const at = r.attempts.map((a) => a.at);
  // success at 1000 (+100 probe) -> next after delay_loop; failures retried after delay_before_retry
  assert.deepEqual(at, [1_000, 11_100, 12_700, 14_300, 24_400]);
  assert.deepEqual(
    r.verdicts.map((v) => [v.at, v.up, v.changed]),
    [
      [1_100, true, false],
      [14_400, false, true],
    ],
  );
});

test('a success in the middle of retries resets the failure count', () => {
  const s = spec(tcp, { retry: 1 });
  const r = drive(s, [pass(), fail(), pass(), fail(), fail()]);
  assert.deepEqual(ups(r.verdicts), [false]);
  assert.equal(r.verdicts.at(-1)?.at, r.attempts[4]?.at);
});

test('one success brings a down checker back (no rise); while down checks run every delay_loop', () => {
  const s = spec(tcp, { retry: 1, delayLoopMs: 5_000, delayBeforeRetryMs: 700 });
  const r = drive(s, [fail(), fail(), fail(), pass()]);
  assert.deepEqual(
    r.attempts.map((a) => a.at),
    [1_000, 6_000, 11_000, 16_000],
  );
  assert.deepEqual(ups(r.verdicts), [false, true]);
});

test('alpha: starts down, first failure reports without a change, first success brings it up', () => {
  const s = spec(tcp, { alpha: true });
  assert.equal(initialCheckerState(s).up, false);
  const r = drive(s, [fail(), pass()]);
  assert.deepEqual(
    r.verdicts.map((v) => [v.up, v.changed]),
    [
      [false, false],
      [true, true],
    ],
  );
});

test('keepalived defaults: retry 1 (MISC 0, DNS 3), dbr 1 s (HTTP 3 s, DNS = delay_loop)', () => {
  assert.deepEqual(defaultTiming('tcp', {}), {
    delayLoopMs: 60_000,
    retry: 1,
    delayBeforeRetryMs: 1_000,
    warmupMs: 60_000,
    alpha: false,
  });
  assert.equal(defaultTiming('misc', {}).retry, 0);
  assert.equal(defaultTiming('dns', { delayLoopMs: 7_000 }).retry, 3);
  assert.equal(defaultTiming('dns', { delayLoopMs: 7_000 }).delayBeforeRetryMs, 7_000);
  assert.equal(defaultTiming('http', {}).delayBeforeRetryMs, 3_000);
});

test('timers are data: an early or stale timer does nothing, a stale result is dropped', () => {
  const s = spec(tcp);
  let st = stepChecker(s, initialCheckerState(s), { kind: 'start', warmupFraction: 0 }, 0).state;
  assert.deepEqual(stepChecker(s, st, { kind: 'timer' }, 999).effects, []);
  const fired = stepChecker(s, st, { kind: 'timer' }, 1_000);
  st = fired.state;
  const run = fired.effects.find((e) => e.kind === 'run-probe');
  assert.ok(run && run.kind === 'run-probe');
  const stale = stepChecker(s, st, { kind: 'result', seq: run.seq - 1, result: fail() }, 1_010);
  assert.deepEqual(stale.effects, []);
  assert.equal(stale.state, st);
});

test('suspend cancels checks (ha_suspend); resume keeps the verdict and checks within delay_loop', () => {
  const s = spec(tcp, { delayLoopMs: 4_000 });
  const r = drive(s, [fail()]);
  const sus = stepChecker(s, r.state, { kind: 'suspend' }, 20_000);
  assert.deepEqual(sus.effects, [{ kind: 'cancel-timer' }]);
  assert.equal(stepChecker(s, sus.state, { kind: 'timer' }, 99_000).effects.length, 0);
  const res = stepChecker(s, sus.state, { kind: 'resume', fraction: 0.5 }, 30_000);
  assert.deepEqual(res.effects, [{ kind: 'arm-timer', atMs: 32_000 }]);
  assert.equal(res.state.up, false);
});

test('MISC_CHECK: exit 1 fails, misc_dynamic 2..255 sets weight = status - 2, next run counted from start', () => {
  const s = spec(
    { kind: 'misc', argv: ['x'], timeoutMs: 1_000, dynamic: true },
    { retry: 0, delayLoopMs: 3_000 },
  );
  const r = drive(s, [pass(0), pass(12), pass(12), fail(1), pass(2)], { probeMs: 400 });
  assert.deepEqual(
    r.attempts.map((a) => a.at),
    [1_000, 4_000, 7_000, 10_000, 13_000],
  );
  assert.deepEqual(
    r.weights.map((w) => w.setWeight),
    [10, 0],
  );
  assert.deepEqual(ups(r.verdicts), [false, true]);
});

test('MISC_CHECK without misc_dynamic: exit 2 is a failure; retry spaced by delay_before_retry', () => {
  const s = spec(
    { kind: 'misc', argv: ['x'], timeoutMs: 1_000, dynamic: false },
    { retry: 1, delayLoopMs: 3_000, delayBeforeRetryMs: 500 },
  );
  const r = drive(s, [pass(0), pass(2), pass(2)], { probeMs: 100 });
  assert.deepEqual(
    r.attempts.map((a) => a.at),
    [1_000, 4_000, 4_500],
  );
  assert.deepEqual(ups(r.verdicts), [false]);
  assert.deepEqual(r.weights, []);
});

test('FILE_CHECK: value × weight ≤ −2^31 is a fault; dynamic adds the product; weight 0 fails non-zero', () => {
  const dyn = spec({ kind: 'file', path: '/x', weight: 3, reverse: false, dynamic: true });
  const r = drive(dyn, [pass(5), pass(-1_000_000_000), pass(0)]);
  assert.deepEqual(
    r.weights.map((w) => w.addWeight),
    [15, 0],
  );
  assert.deepEqual(ups(r.verdicts), [false, true]);
  const rev = drive(spec({ kind: 'file', path: '/x', weight: 1, reverse: true, dynamic: true }), [pass(4)]);
  assert.deepEqual(rev.weights.at(-1)?.addWeight, -4);
  const flag = drive(spec({ kind: 'file', path: '/x', weight: 0, reverse: false, dynamic: false }), [
    pass(0),
    pass(1),
    fail(),
  ]);
  assert.deepEqual(ups(flag.verdicts), [false]);
});

const urls = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ path: `/u${i}`, statusRanges: [[200, 299]] as const }));

test('HTTP_GET walks URLs one per delay_loop and is up only after the whole walk', () => {
  const s = spec(
    { kind: 'http', urls: urls(3), protocol: '1.0', fastRecovery: false },
    { alpha: true, delayLoopMs: 2_000 },
  );
  const r = drive(s, [pass(), pass(), pass(), pass()]);
  assert.deepEqual(
    r.attempts.map((a) => [a.at, a.step]),
    [
      [1_000, 0],
      [3_000, 1],
      [5_000, 2],
      [7_000, 0],
    ],
  );
  assert.deepEqual(
    r.verdicts.map((v) => [v.at, v.up]),
    [[5_000, true]],
  );
});

test('HTTP_GET: a failed URL is polled alone every max(dbr, delay_loop), then all URLs are re-walked', () => {
  const s = spec(
    { kind: 'http', urls: urls(2), protocol: '1.0', fastRecovery: false },
    { retry: 1, delayLoopMs: 2_000, delayBeforeRetryMs: 3_000 },
  );
  // walk ok (0,1) -> url 0 fails twice -> down; polled; passes; re-walk 0,1 -> up
  const r = drive(s, [pass(), pass(), fail(), fail(), fail(), pass(), pass(), pass()]);
  assert.deepEqual(
    r.attempts.map((a) => [a.at, a.step]),
    [
      [1_000, 0],
      [3_000, 1],
      [5_000, 0],
      [8_000, 0],
      [11_000, 0],
      [14_000, 0],
      [16_000, 0],
      [18_000, 1],
    ],
  );
  assert.deepEqual(
    r.verdicts.filter((v) => v.changed).map((v) => [v.at, v.up]),
    [
      [8_000, false],
      [18_000, true],
    ],
  );
});

test('HTTP_GET fast_recovery re-walks without waiting after the failed URL passes', () => {
  const s = spec(
    { kind: 'http', urls: urls(2), protocol: '1.0', fastRecovery: true },
    { retry: 0, delayLoopMs: 2_000, delayBeforeRetryMs: 1_000 },
  );
  const r = drive(s, [pass(), pass(), fail(), pass(), pass(), pass()]);
  assert.deepEqual(
    r.attempts.map((a) => [a.at, a.step]),
    [
      [1_000, 0],
      [1_000, 1],
      [3_000, 0],
      [5_000, 0],
      [5_000, 0],
      [5_000, 1],
    ],
  );
  assert.deepEqual(
    r.verdicts.filter((v) => v.changed).map((v) => [v.at, v.up]),
    [
      [3_000, false],
      [5_000, true],
    ],
  );
});
